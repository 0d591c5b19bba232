"""Embargo: what is held back before the lift time, and who may read it early.

A press release that is scheduled but not yet live is under embargo. It and its translations
stay out of every public output (Wagtail serves only live pages; our listings, feeds and
sitemaps read live, public pages only), and the images, videos and documents it uses are
held back from the media library, the media URLs and the document URLs. Journalists read it
early through an :class:`EmbargoLink`; staff see everything.

What the public may see is worked out from Wagtail's reference index: a file is public when
a live page without a view restriction uses it (or, for images and videos, when staff listed
it in the media library and nothing unpublished uses it). Everything else is private.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db.models import CharField, Model, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest
from wagtail.documents import get_document_model
from wagtail.documents.models import AbstractDocument
from wagtail.models import Page, ReferenceIndex

from gemeinsam.core.caching import SITE, cached_fragment
from gemeinsam.core.media import MediaAccess
from gemeinsam.core.models import CustomImage as Image
from gemeinsam.core.models import Rendition
from gemeinsam.newsroom.models import (
    Author,
    EmbargoLink,
    PressContact,
    PressReleasePage,
    StoryPage,
    Video,
    VideoCaption,
)

TOKEN_SALT = "gemeinsam.newsroom.embargo"  # noqa: S105 (a namespace, not a secret)
TOKEN_PARAMETER = "embargo"  # noqa: S105 (a query parameter name)
CACHE_SECONDS = 300


def _cached(name: str, compute: Callable[[], set[int]]) -> set[int]:
    """A set of ids, cached until the next public change."""
    return set(cached_fragment(name, [SITE], [], compute, timeout=CACHE_SECONDS))


def _page_keys(pages: QuerySet[Page]) -> QuerySet[Page]:
    """Page ids as text, to compare with the reference index's text object ids."""
    return pages.annotate(key=Cast("pk", CharField())).values("key")


def _page_references(to_model: type[Model], **filters: object) -> list[tuple[int, int]]:
    """(page id, object id) for every use of a ``to_model`` object by a page."""
    rows = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        to_content_type=ContentType.objects.get_for_model(to_model),
        **filters,
    ).values_list("object_id", "to_object_id")
    return [
        (int(page), int(target)) for page, target in rows if page.isdigit() and target.isdigit()
    ]


def _used_by(to_model: type[Model], pages: QuerySet[Page]) -> set[int]:
    """Ids of the ``to_model`` objects that these pages use."""
    return {target for _page, target in _page_references(to_model, object_id__in=_page_keys(pages))}


def _used_by_public_pages(to_model: type[Model]) -> set[int]:
    return _used_by(to_model, Page.objects.live().public())


def _held_back(to_model: type[Model], pages: QuerySet[Page]) -> set[int]:
    """Objects these unpublished pages use and no live page does (one a live page already
    shows is out anyway)."""
    held = _used_by(to_model, pages)
    if held:
        users = _page_references(to_model, to_object_id__in=[str(pk) for pk in held])
        live_pages = set(
            Page.objects.filter(pk__in={page for page, _target in users}, live=True).values_list(
                "pk", flat=True
            )
        )
        held -= {target for page, target in users if page in live_pages}
    return held


def embargoed_release_ids() -> set[int]:
    """Ids of press releases (every language) that are not live yet."""
    return set(PressReleasePage.objects.not_live().values_list("pk", flat=True))


def embargoed_image_ids() -> set[int]:
    """Images used by releases under embargo, and posters of videos only unpublished stories
    use, that no live page shows; cached until the next public change. An image a live
    story already shows is public anyway."""

    def compute() -> set[int]:
        held = _held_back(Image, PressReleasePage.objects.not_live())
        held_videos = _held_back(Video, Page.objects.not_live())
        if held_videos:
            shown_videos = _used_by(Video, Page.objects.live())
            posters = set(
                Video.objects.filter(pk__in=held_videos)
                .exclude(poster_id__in=Video.objects.filter(pk__in=shown_videos).values("poster"))
                .values_list("poster_id", flat=True)
            )
            held |= posters - _used_by(Image, Page.objects.live())
        return held

    return _cached("embargo:images", compute)


def public_video_ids() -> set[int]:
    """Videos the public may see: those a live, public page uses, and those staff listed in
    the media library that no unpublished page uses and whose poster is not under embargo.

    A fresh upload is not public until a published story uses it or someone lists it.
    """

    def compute() -> set[int]:
        listed = set(
            Video.objects.filter(is_listed=True)
            .exclude(poster_id__in=embargoed_image_ids())
            .values_list("pk", flat=True)
        )
        held = _held_back(Video, Page.objects.not_live()) if listed else set()
        return _used_by_public_pages(Video) | (listed - held)

    return _cached("videos:public", compute)


def public_image_ids() -> set[int]:
    """Images the public may see: those a live, public page uses, the posters of public
    videos, the photos of authors of public stories, and those staff listed in the media
    library that no release under embargo uses. Cached until the next public change.

    A fresh upload is not public until a published story uses it or someone lists it, so an
    image prepared for an embargoed release never leaks between upload and attachment.
    """

    def compute() -> set[int]:
        listed = set(
            Image.objects.filter(is_listed=True).exclude(alt_text="").values_list("pk", flat=True)
        )
        posters = set(
            Video.objects.filter(pk__in=public_video_ids()).values_list("poster_id", flat=True)
        )
        photos = set(
            Author.objects.filter(
                photo__isnull=False, storypage__in=StoryPage.objects.live().public()
            ).values_list("photo_id", flat=True)
        )
        return (
            _used_by_public_pages(Image)
            | posters
            | {pk for pk in photos if pk is not None}
            | (listed - embargoed_image_ids())
        )

    return _cached("images:public", compute)


def public_document_ids() -> set[int]:
    """Documents the public may download: those a live, public page uses (as an attachment,
    in a press kit or linked from its text). Cached until the next public change."""
    return _cached("documents:public", lambda: _used_by_public_pages(get_document_model()))


# ------------------------------------------------------------------------ who may see more


def is_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.has_perm("wagtailadmin.access_admin"))


def link_for_request(request: HttpRequest) -> EmbargoLink | None:
    """The embargo link the request's ``?embargo=`` token names, if it is still usable and
    its release is still scheduled."""
    link = link_from_token(request.GET.get(TOKEN_PARAMETER, ""))
    if link is None or not link.is_usable or link.release.embargo_lifts_at is None:
        return None
    return link


def scheduled_version(link: EmbargoLink) -> PressReleasePage | None:
    """The version of the link's release that will go live: its scheduled revision, not
    the page row (which follows the latest draft while the release is not live)."""
    revision = link.release.scheduled_revision
    return revision.as_object() if revision is not None else None


def _scheduled_references(link: EmbargoLink) -> set[tuple[int, int]]:
    """(content type id, object id) of everything the scheduled version uses."""
    version = scheduled_version(link)
    if version is None:
        return set()
    # Wagtail's own extraction, as its reference index runs it, applied to the revision.
    found = ReferenceIndex._extract_references_from_object(version)
    return {
        (int(content_type_id), int(object_id))
        for content_type_id, object_id, *_paths in found
        if str(object_id).isdigit()
    }


def link_grants(request: HttpRequest, model: type[Model], object_id: int) -> bool:
    """True when the request carries a usable embargo link whose release, in its scheduled
    version, uses the object (a file only a later draft uses is not granted, and one the
    scheduled version uses still is after a draft dropped it)."""
    link = link_for_request(request)
    if link is None:
        return False
    content_type_id = ContentType.objects.get_for_model(model).pk
    return (content_type_id, object_id) in _scheduled_references(link)


def restriction_grants(request: HttpRequest, model: type[Model], object_id: int) -> bool:
    """True when a live page that uses the object has view restrictions (sign-in, groups, a
    password) that this request passes: the file is then this visitor's to see, privately,
    like the page itself."""
    users = {page for page, _target in _page_references(model, to_object_id=str(object_id))}
    if not users:
        return False
    for page in Page.objects.live().filter(pk__in=users):
        restrictions = page.get_view_restrictions()
        if restrictions and all(
            restriction.accept_request(request) for restriction in restrictions
        ):
            return True
    return False


def _object_for_media_path(path: str) -> tuple[type[Model], int | None] | None:
    """The image or video a media file belongs to (None as id: a file no record claims)."""
    if path.startswith("original_images/"):
        return Image, Image.objects.filter(file=path).values_list("pk", flat=True).first()
    if path.startswith("images/"):
        image_id = Rendition.objects.filter(file=path).values_list("image_id", flat=True).first()
        return Image, image_id
    if path.startswith("videos/"):
        return Video, Video.objects.filter(file=path).values_list("pk", flat=True).first()
    if path.startswith("captions/"):
        video_id = VideoCaption.objects.filter(file=path).values_list("video_id", flat=True).first()
        return Video, video_id
    return None


_PUBLIC_IDS: dict[type[Model], Callable[[], set[int]]] = {
    Image: public_image_ids,
    Video: public_video_ids,
}


# The folders of the newsroom's files: images, their renditions, videos, their captions.
MEDIA_FOLDERS = ("original_images/", "images/", "videos/", "captions/")


def may_have_media(request: HttpRequest, path: str) -> bool:
    """Whether ``request`` may have this file of the newsroom's (see :data:`MEDIA_FOLDERS`):
    public images and videos for anyone; the others, and files no record claims, only for
    staff and for a usable embargo link or view restriction of a page that uses them.

    One indexed lookup of the file's record, and the public ids of the current site version
    (computed once per publish, not per file)."""
    return not _is_hidden_media(request, path)


def _is_hidden_media(request: HttpRequest, path: str) -> bool:
    target = _object_for_media_path(path)
    if target is None:
        return True
    model, object_id = target
    if object_id is not None and object_id in _PUBLIC_IDS[model]():
        return False
    if is_staff(request):
        return False
    if object_id is None:
        return True
    return not (
        link_grants(request, model, object_id) or restriction_grants(request, model, object_id)
    )


def document_access(request: HttpRequest, document: AbstractDocument) -> MediaAccess:
    """Who may have this document: anyone when a live, public page uses it; only this
    request when it comes from staff, carries a usable embargo link for a release that uses
    it, or passes the view restrictions of a live page that uses it; nobody otherwise.

    A document in a collection with a view restriction is never public and is left to
    Wagtail's own check, which asks for the collection's password or a sign-in; no shared
    cache may keep it."""
    if document.collection.get_view_restrictions().exists():
        return MediaAccess.PRIVATE
    if document.pk in public_document_ids():
        return MediaAccess.PUBLIC
    model = get_document_model()
    if (
        is_staff(request)
        or link_grants(request, model, document.pk)
        or restriction_grants(request, model, document.pk)
    ):
        return MediaAccess.PRIVATE
    return MediaAccess.HIDDEN


def contact_access(request: HttpRequest, contact: PressContact) -> MediaAccess:
    """Who may have a press contact's card: anyone when a live, public release names them;
    only this request when it comes from staff or carries a usable embargo link whose
    release names them; nobody otherwise."""
    if PressReleasePage.objects.live().public().filter(contacts=contact).exists():
        return MediaAccess.PUBLIC
    if is_staff(request):
        return MediaAccess.PRIVATE
    link = link_for_request(request)
    version = scheduled_version(link) if link is not None else None
    if version is not None and contact.pk in {c.pk for c in version.contacts.all()}:
        return MediaAccess.PRIVATE
    return MediaAccess.HIDDEN


def token_for_link(link: EmbargoLink) -> str:
    return signing.dumps(str(link.key), salt=TOKEN_SALT)


def link_from_token(token: str) -> EmbargoLink | None:
    """The link a token names, or None for a forged, garbled or unknown token."""
    if not token:
        return None
    try:
        key = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return EmbargoLink.objects.select_related("release").filter(key=key).first()
