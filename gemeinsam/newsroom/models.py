"""The newsroom's content: story types as Wagtail pages, and the snippets they use."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page, PageManager, TranslatableMixin
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from gemeinsam.core.models import Licence, credit_line
from gemeinsam.newsroom.validators import validate_video_file, validate_webvtt

# ---------------------------------------------------------------------------------- snippets


class Author(index.Indexed, models.Model):
    """A member of staff who writes stories; each has a public author page."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ForeignKey(
        "core.CustomImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The staff account of this author, if any."),
    )

    panels: ClassVar[list[Any]] = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        FieldPanel("user"),
    ]
    search_fields: ClassVar[list[Any]] = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)
        super().save(*args, **kwargs)


class Topic(TranslatableMixin, models.Model):
    """A section of the newsroom, such as "Products" or "Company"; exists per language."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)

    panels: ClassVar[list[Any]] = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="topic_unique_slug_per_locale")
        ]

    def __str__(self) -> str:
        return self.name


class PressContact(index.Indexed, models.Model):
    """A person journalists can call; shown on every release that names them."""

    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    languages = models.CharField(
        _("languages spoken"),
        max_length=120,
        blank=True,
        help_text=_('For example "German, English".'),
    )
    photo = models.ForeignKey(
        "core.CustomImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    search_fields: ClassVar[list[Any]] = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("press contact")
        verbose_name_plural = _("press contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class Boilerplate(TranslatableMixin, models.Model):
    """The "About us" paragraph printed at the foot of press releases."""

    title = models.CharField(_("title"), max_length=120)
    text = RichTextField(_("text"), features=["bold", "italic", "link"])

    panels: ClassVar[list[Any]] = [FieldPanel("title"), FieldPanel("text")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("boilerplate")
        verbose_name_plural = _("boilerplates")

    def __str__(self) -> str:
        return self.title


class Video(index.Indexed, ClusterableModel):
    """An uploaded video with its poster, captions and transcript."""

    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(
        _("video file"),
        upload_to="videos/",
        validators=[validate_video_file],
        help_text=_("MP4 (H.264) or WebM."),
    )
    poster = models.ForeignKey(
        "core.CustomImage",
        verbose_name=_("poster image"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    transcript = models.TextField(
        _("transcript"), blank=True, help_text=_("Everything said and shown, as plain text.")
    )
    credit = models.CharField(_("credit"), max_length=255, blank=True)
    licence = models.CharField(
        _("licence"), max_length=32, choices=Licence.choices, default=Licence.PRESS_USE
    )
    is_listed = models.BooleanField(
        _("list in the media library"),
        default=False,
        help_text=_(
            "A video is public once a published story uses it. Tick this to offer it in the "
            "media library before that; it stays hidden while only unpublished stories use it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels: ClassVar[list[Any]] = [
        FieldPanel("title"),
        FieldPanel("file"),
        FieldPanel("poster"),
        FieldPanel("description"),
        InlinePanel("captions", label=_("Captions (WebVTT)")),
        FieldPanel("transcript"),
        FieldPanel("credit"),
        FieldPanel("licence"),
        FieldPanel("is_listed"),
    ]
    search_fields: ClassVar[list[Any]] = [
        index.SearchField("title"),
        index.SearchField("description"),
        index.SearchField("transcript"),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        # The media URLs find a file's video by its stored name.
        indexes = [models.Index(fields=["file"], name="newsroom_video_file")]

    def __str__(self) -> str:
        return self.title

    @property
    def mime_type(self) -> str:
        return "video/webm" if (self.file.name or "").lower().endswith(".webm") else "video/mp4"

    @property
    def attribution(self) -> str:
        return credit_line(self.credit, self.get_licence_display())


class VideoCaption(Orderable):
    video = ParentalKey(Video, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    label = models.CharField(_("label"), max_length=60, help_text=_('For example "Deutsch".'))
    file = models.FileField(_("WebVTT file"), upload_to="captions/", validators=[validate_webvtt])

    panels: ClassVar[list[Any]] = [FieldPanel("language"), FieldPanel("label"), FieldPanel("file")]

    class Meta(Orderable.Meta):
        indexes = [models.Index(fields=["file"], name="newsroom_videocaption_file")]


for _snippet in (Author, Topic, PressContact, Boilerplate, Video):
    register_snippet(_snippet)

# ------------------------------------------------------------------------------------- pages

LISTING_PAGE_SIZE = 12  # stories on a page of a story index, an author's or a tag's list


class HomePage(Page):
    """The newsroom's front page in one language: the latest stories and outside channels."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: ClassVar[list[str]] = ["newsroom.StoryIndexPage", "newsroom.LegalPage"]
    parent_page_types: ClassVar[list[str]] = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = list(StoryPage.objects.listed().filter(locale=self.locale)[:9])
        context["channel_items"] = list(ChannelItem.objects.shown()[:6])
        return context


class StoryIndexPage(Page):
    """Lists every story of its language, newest first, with filters by type."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types: ClassVar[list[str]] = ["newsroom.HomePage"]
    subpage_types: ClassVar[list[str]] = [
        "newsroom.ArticlePage",
        "newsroom.NewsPage",
        "newsroom.PhotoStoryPage",
        "newsroom.VideoPage",
        "newsroom.PressReleasePage",
        "newsroom.PressKitPage",
    ]

    class Meta:
        verbose_name = _("story index")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        type_slug = request.GET.get("type", "")
        page_number = request.GET.get("page", "1")
        stories = StoryPage.objects.listed().filter(locale=self.locale).of_type(type_slug)
        paginator = Paginator(stories, LISTING_PAGE_SIZE)
        try:
            page = paginator.page(int(page_number) if page_number.isdigit() else 1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        context.update(
            {
                "stories": list(page.object_list),
                "page_obj": page,
                "story_types": list(STORY_TYPES_BY_SLUG.values()),
                "current_type": type_slug if type_slug in STORY_TYPES_BY_SLUG else "",
            }
        )
        return context


class LegalPage(Page):
    """Imprint, privacy policy, terms and contact: edited by the host, linked from every page."""

    class Kind(models.TextChoices):
        IMPRINT = "imprint", _("Imprint")
        PRIVACY = "privacy", _("Privacy policy")
        TERMS = "terms", _("Terms of use")
        CONTACT = "contact", _("Contact")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    body = RichTextField(_("text"))

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("body"),
    ]
    parent_page_types: ClassVar[list[str]] = ["newsroom.HomePage"]
    subpage_types: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("legal page")


class StoryTag(TaggedItemBase):
    content_object = ParentalKey(
        "newsroom.StoryPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class StoryPageQuerySet(PageQuerySet):
    """Reusable filters of stories, for the pages that list them and the selectors."""

    def listed(self) -> StoryPageQuerySet:
        """Live, public stories, newest first, with what a listing shows loaded alongside."""
        return (
            self.live()
            .public()
            .select_related("lead_image", "locale", "topic")
            .prefetch_related(
                "authors",
                # All renditions, not just the listing size: Wagtail treats a prefetched set as
                # complete, and would try to create a missing size again on every request.
                "lead_image__renditions",
            )
            .order_by("-first_published_at", "-pk")
        )

    def of_type(self, type_slug: str) -> StoryPageQuerySet:
        """The stories of the type with this slug ("article", "video", …); all for another."""
        model = STORY_TYPES_BY_SLUG.get(type_slug)
        return self.type(model) if model else self


StoryPageManager = PageManager.from_queryset(StoryPageQuerySet)


class StoryPage(RoutablePageMixin, Page):
    """What every story type shares: summary, lead image, authors, topic, tags, print view."""

    type_slug: ClassVar[str] = "story"
    type_label: ClassVar[Any] = _("Story")
    schema_type: ClassVar[str] = "NewsArticle"

    summary = models.TextField(
        _("summary"), max_length=600, help_text=_("One or two sentences for listings and feeds.")
    )
    lead_image = models.ForeignKey(
        "core.CustomImage",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    authors = ParentalManyToManyField(Author, blank=True, verbose_name=_("authors"))
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
    )
    tags = ClusterTaggableManager(through=StoryTag, blank=True, verbose_name=_("tags"))

    objects = StoryPageManager()

    is_creatable = False
    parent_page_types: ClassVar[list[str]] = ["newsroom.StoryIndexPage"]
    subpage_types: ClassVar[list[str]] = []

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("lead_image"),
        MultiFieldPanel(
            [FieldPanel("authors"), FieldPanel("topic"), FieldPanel("tags")],
            heading=_("Authors and keywords"),
        ),
    ]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("summary"),
    ]

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    @property
    def published_at(self) -> datetime:
        return self.first_published_at or self.latest_revision_created_at or timezone.now()

    def search_text(self) -> str:
        """Plain text of the body, for search and feeds; story types override it."""
        return self.summary

    @path("print/", name="print")
    def print_view(self, request: HttpRequest) -> Any:
        from django.template.response import TemplateResponse

        return TemplateResponse(
            request, "newsroom/story_print.html", self.get_context(request) | {"is_print": True}
        )


BODY_BLOCKS: list[tuple[str, Any]] = [
    ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
    ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
    (
        "image",
        blocks.StructBlock(
            [("image", ImageChooserBlock()), ("caption", blocks.CharBlock(required=False))],
            label=_("Image"),
            icon="image",
        ),
    ),
    (
        "quote",
        blocks.StructBlock(
            [("text", blocks.TextBlock()), ("source", blocks.CharBlock(required=False))],
            label=_("Quote"),
            icon="openquote",
        ),
    ),
]


def stream_text(value: Any) -> str:
    """The visible words of a StreamField value, for search and feeds."""
    from django.utils.html import strip_tags

    parts: list[str] = []
    for block in value:
        if block.block_type == "paragraph":
            parts.append(strip_tags(block.value.source))
        elif block.block_type == "heading":
            parts.append(str(block.value))
        elif block.block_type == "quote":
            parts.append(str(block.value["text"]))
        elif block.block_type == "image" and block.value.get("caption"):
            parts.append(str(block.value["caption"]))
    return "\n".join(parts)


class ArticlePage(StoryPage):
    type_slug = "article"
    type_label = _("Article")

    body = StreamField(BODY_BLOCKS, verbose_name=_("body"))

    content_panels: ClassVar[list[Any]] = [*StoryPage.content_panels, FieldPanel("body")]
    search_fields: ClassVar[list[Any]] = [*StoryPage.search_fields, index.SearchField("body")]
    template = "newsroom/article_page.html"

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def search_text(self) -> str:
        return stream_text(self.body)


class NewsPage(StoryPage):
    type_slug = "news"
    type_label = _("Short news")

    body = RichTextField(_("text"), features=["bold", "italic", "link", "ul", "ol"])

    content_panels: ClassVar[list[Any]] = [*StoryPage.content_panels, FieldPanel("body")]
    search_fields: ClassVar[list[Any]] = [*StoryPage.search_fields, index.SearchField("body")]
    template = "newsroom/news_page.html"

    class Meta:
        verbose_name = _("short news")
        verbose_name_plural = _("short news")

    def search_text(self) -> str:
        from django.utils.html import strip_tags

        return strip_tags(self.body)


class PhotoStoryPage(StoryPage):
    type_slug = "photos"
    type_label = _("Photo story")

    body = RichTextField(_("text"), blank=True, features=["bold", "italic", "link"])

    content_panels: ClassVar[list[Any]] = [
        *StoryPage.content_panels,
        FieldPanel("body"),
        InlinePanel("gallery_images", label=_("Gallery"), min_num=1),
    ]
    search_fields: ClassVar[list[Any]] = [*StoryPage.search_fields, index.SearchField("body")]
    template = "newsroom/photo_story_page.html"

    class Meta:
        verbose_name = _("photo story")
        verbose_name_plural = _("photo stories")

    def search_text(self) -> str:
        from django.utils.html import strip_tags

        return strip_tags(self.body)


class PhotoStoryImage(Orderable):
    page = ParentalKey(PhotoStoryPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("core.CustomImage", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=500, blank=True)

    panels: ClassVar[list[Any]] = [FieldPanel("image"), FieldPanel("caption")]


_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}
_VIMEO_ID = re.compile(r"^/(\d+)")


def external_player_url(url: str) -> str:
    """Turn a watch address into an embeddable player address.

    YouTube goes to its no-cookie player, Vimeo to its player with tracking off; any other
    address is used as it is.
    """
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if host in _YOUTUBE_HOSTS:
        video_id = (
            parts.path.strip("/")
            if host == "youtu.be"
            else (parse_qs(parts.query).get("v", [""])[0])
        )
        if video_id:
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    if host in {"vimeo.com", "www.vimeo.com"} and (match := _VIMEO_ID.match(parts.path)):
        return f"https://player.vimeo.com/video/{match.group(1)}?dnt=1"
    return url


class VideoPage(StoryPage):
    type_slug = "video"
    type_label = _("Video")

    video = models.ForeignKey(
        Video,
        verbose_name=_("uploaded video"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    external_url = models.URLField(
        _("external video address"),
        blank=True,
        help_text=_("A video on another platform. Visitors see it only after agreeing to load it."),
    )
    body = RichTextField(_("text"), blank=True, features=["bold", "italic", "link"])

    content_panels: ClassVar[list[Any]] = [
        *StoryPage.content_panels,
        FieldPanel("video"),
        FieldPanel("external_url"),
        FieldPanel("body"),
    ]
    search_fields: ClassVar[list[Any]] = [*StoryPage.search_fields, index.SearchField("body")]
    template = "newsroom/video_page.html"

    class Meta:
        verbose_name = _("video story")
        verbose_name_plural = _("video stories")

    def external_embed_url(self) -> str:
        """The player address for the external video (privacy-enhanced where one exists)."""
        return external_player_url(self.external_url)

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """Loads the external player only when the reader asked for it (two-click consent)."""
        consented = bool(self.external_url) and request.GET.get("load-external") == "1"
        request.external_video_consented = consented  # type: ignore[attr-defined]
        response = super().serve(request, *args, **kwargs)
        if consented:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.external_embed_url()))
            response._csp_update = {"frame-src": [origin]}
        return response

    def clean(self) -> None:
        super().clean()
        if not self.video_id and not self.external_url:
            raise ValidationError(_("Choose an uploaded video or give an external address."))

    def search_text(self) -> str:
        from django.utils.html import strip_tags

        return strip_tags(self.body)


class PressReleasePage(StoryPage):
    """A press release. Scheduled with a go-live time, it is under embargo until then."""

    type_slug = "press-release"
    type_label = _("Press release")

    dateline = models.CharField(
        _("dateline"), max_length=120, blank=True, help_text=_('Place of issue, e.g. "Berlin".')
    )
    body = StreamField(BODY_BLOCKS, verbose_name=_("body"))
    contacts = ParentalManyToManyField(PressContact, blank=True, verbose_name=_("press contacts"))
    boilerplate = models.ForeignKey(
        Boilerplate,
        verbose_name=_("boilerplate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels: ClassVar[list[Any]] = [
        *StoryPage.content_panels,
        FieldPanel("dateline"),
        FieldPanel("body"),
        FieldPanel("contacts"),
        FieldPanel("boilerplate"),
        InlinePanel("attachments", label=_("Attachments")),
    ]
    search_fields: ClassVar[list[Any]] = [*StoryPage.search_fields, index.SearchField("body")]
    template = "newsroom/press_release_page.html"

    class Meta:
        verbose_name = _("press release")
        verbose_name_plural = _("press releases")
        permissions = [("view_embargoed", "Can read embargoed press releases")]

    def search_text(self) -> str:
        return stream_text(self.body)

    @cached_property
    def embargo_lifts_at(self) -> datetime | None:
        """The time this release goes public, while it is scheduled and not yet live."""
        if self.live:
            return None
        revision = self.scheduled_revision
        return revision.approved_go_live_at if revision else None


class PressReleaseAttachment(Orderable):
    page = ParentalKey(PressReleasePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=255, blank=True)

    panels: ClassVar[list[Any]] = [FieldPanel("document"), FieldPanel("title")]


class PressKitPage(StoryPage):
    """Images and documents for the press, downloadable one by one or as one ZIP."""

    type_slug = "press-kit"
    type_label = _("Press kit")
    schema_type = "CreativeWork"

    body = RichTextField(_("text"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels: ClassVar[list[Any]] = [
        *StoryPage.content_panels,
        FieldPanel("body"),
        InlinePanel("kit_images", label=_("Images")),
        InlinePanel("kit_documents", label=_("Documents")),
    ]
    template = "newsroom/press_kit_page.html"

    class Meta:
        verbose_name = _("press kit")
        verbose_name_plural = _("press kits")

    def search_text(self) -> str:
        from django.utils.html import strip_tags

        return strip_tags(self.body)


class PressKitImage(Orderable):
    page = ParentalKey(PressKitPage, on_delete=models.CASCADE, related_name="kit_images")
    image = models.ForeignKey("core.CustomImage", on_delete=models.CASCADE, related_name="+")

    panels: ClassVar[list[Any]] = [FieldPanel("image")]


class PressKitDocument(Orderable):
    page = ParentalKey(PressKitPage, on_delete=models.CASCADE, related_name="kit_documents")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")

    panels: ClassVar[list[Any]] = [FieldPanel("document")]


STORY_TYPES: list[type[StoryPage]] = [
    ArticlePage,
    NewsPage,
    PhotoStoryPage,
    VideoPage,
    PressReleasePage,
    PressKitPage,
]
STORY_TYPES_BY_SLUG = {model.type_slug: model for model in STORY_TYPES}

# --------------------------------------------------------------------------- press workflow


class EmbargoLink(models.Model):
    """A signed link that lets one journalist read one embargoed release before the lift."""

    release = models.ForeignKey(
        PressReleasePage, on_delete=models.CASCADE, related_name="embargo_links"
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.CharField(_("recipient"), max_length=200)
    outlet = models.CharField(_("outlet"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("embargo link")
        verbose_name_plural = _("embargo links")

    def __str__(self) -> str:
        return f"{self.recipient} – {self.release}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class EmbargoAccess(models.Model):
    """One reading of an embargoed release, through a link or by a press account."""

    release = models.ForeignKey(
        PressReleasePage, on_delete=models.CASCADE, related_name="embargo_accesses"
    )
    link = models.ForeignKey(
        EmbargoLink, null=True, blank=True, on_delete=models.CASCADE, related_name="accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accessed_at = models.DateTimeField(auto_now_add=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("embargo access")
        verbose_name_plural = _("embargo accesses")

    def __str__(self) -> str:
        return f"{self.release_id} @ {self.accessed_at:%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------------- outside channels


class OutsideChannel(models.Model):
    """A feed of the organisation elsewhere (video channel, photo stream, Mastodon, blog)."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("Video channel")
        PHOTO = "photo", _("Photo stream")
        SOCIAL = "social", _("Social media account")
        BLOG = "blog", _("Blog")

    class Status(models.TextChoices):
        NEW = "new", _("Not fetched yet")
        OK = "ok", _("Working")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BLOG)
    feed_url = models.URLField(_("feed address"), max_length=500, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, editable=False
    )
    status_message = models.CharField(_("last result"), max_length=500, blank=True, editable=False)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, editable=False)
    etag = models.CharField(max_length=200, blank=True, editable=False)
    modified = models.CharField(max_length=200, blank=True, editable=False)

    panels: ClassVar[list[Any]] = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("feed_url"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("outside channel")
        verbose_name_plural = _("outside channels")

    def __str__(self) -> str:
        return self.name


class ChannelItemQuerySet(models.QuerySet["ChannelItem"]):
    def shown(self) -> ChannelItemQuerySet:
        """Items of active channels, newest first, with their channel."""
        return self.select_related("channel").filter(channel__is_active=True)


class ChannelItem(models.Model):
    """One entry pulled from an outside channel, shown in the stream with a link back."""

    channel = models.ForeignKey(OutsideChannel, on_delete=models.CASCADE, related_name="items")
    guid = models.CharField(max_length=500)
    title = models.CharField(max_length=300)
    link = models.URLField(max_length=1000)
    summary = models.TextField(blank=True)
    published_at = models.DateTimeField(db_index=True)

    objects = ChannelItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "guid"], name="channel_item_unique_guid")
        ]

    def __str__(self) -> str:
        return self.title


class ImportedItem(models.Model):
    """Remembers what an import brought in, so importing the same file again adds nothing."""

    source = models.CharField(max_length=300)
    kind = models.CharField(max_length=20)
    source_id = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="imported_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id}"
