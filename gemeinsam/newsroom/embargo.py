"""Embargo: what is held back before the lift time, and who may read it early.

A press release that is scheduled but not yet live is under embargo. It and its translations
stay out of every public output (Wagtail serves only live pages; our listings, feeds and
sitemaps read live pages only), and the images it uses are held back from the media library
and from the media URLs. Journalists read it early through an :class:`EmbargoLink`.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.db.models import CharField
from django.db.models.functions import Cast
from django.http import HttpRequest
from wagtail.models import Page, ReferenceIndex

from gemeinsam.core.caching import content_generation
from gemeinsam.core.models import CustomImage as Image
from gemeinsam.core.models import Rendition
from gemeinsam.newsroom.models import EmbargoLink, PressReleasePage

TOKEN_SALT = "gemeinsam.newsroom.embargo"  # noqa: S105 (a namespace, not a secret)
TOKEN_PARAMETER = "embargo"  # noqa: S105 (a query parameter name)


def embargoed_release_ids() -> set[int]:
    """Ids of press releases (every language) that are not live yet."""
    return set(PressReleasePage.objects.not_live().values_list("pk", flat=True))


def _page_image_references(**filters: object) -> list[tuple[str, str]]:
    return list(
        ReferenceIndex.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            to_content_type=ContentType.objects.get_for_model(Image),
            **filters,
        ).values_list("object_id", "to_object_id")
    )


def _referenced_image_ids(page_ids: set[int]) -> set[int]:
    if not page_ids:
        return set()
    rows = _page_image_references(object_id__in=[str(pk) for pk in page_ids])
    return {int(image_id) for _page_id, image_id in rows if image_id.isdigit()}


def embargoed_image_ids() -> set[int]:
    """Images used by releases under embargo and by no live page; cached until the next
    public change. An image a live story already shows is public anyway."""
    key = f"embargo:images:{content_generation()}"
    cached = cache.get(key)
    if cached is None:
        held = _referenced_image_ids(embargoed_release_ids())
        if held:
            users = _page_image_references(to_object_id__in=[str(pk) for pk in held])
            live_pages = set(
                Page.objects.filter(
                    pk__in={int(page_id) for page_id, _image in users}, live=True
                ).values_list("pk", flat=True)
            )
            held -= {int(image) for page_id, image in users if int(page_id) in live_pages}
        cached = held
        cache.set(key, cached, 300)
    return set(cached)


def _image_id_for_media_path(path: str) -> int | None:
    if path.startswith("original_images/"):
        return Image.objects.filter(file=path).values_list("pk", flat=True).first()
    if path.startswith("images/"):
        return Rendition.objects.filter(file=path).values_list("image_id", flat=True).first()
    return None


def public_image_ids() -> set[int]:
    """Images the public may see: those a live page uses, and those staff listed in the media
    library that no release under embargo uses. Cached until the next public change.

    A fresh upload is not public until a published story uses it or someone lists it, so an
    image prepared for an embargoed release never leaks between upload and attachment.
    """
    key = f"images:public:{content_generation()}"
    cached = cache.get(key)
    if cached is None:
        live_ids = Page.objects.live().annotate(key=Cast("pk", CharField())).values("key")
        used_live = {
            int(image_id)
            for _page, image_id in _page_image_references(object_id__in=live_ids)
            if image_id.isdigit()
        }
        listed = set(
            Image.objects.filter(is_listed=True).exclude(alt_text="").values_list("pk", flat=True)
        )
        cached = used_live | (listed - embargoed_image_ids())
        cache.set(key, cached, 300)
    return set(cached)


def is_hidden_media(request: HttpRequest, path: str) -> bool:
    """Media guard: True for files of images that are not public yet, unless the request
    comes from staff or carries a valid embargo link for a release that uses the image."""
    image_id = _image_id_for_media_path(path)
    if image_id is None or image_id in public_image_ids():
        return False
    link = link_from_token(request.GET.get(TOKEN_PARAMETER, ""))
    if link is not None and link.is_usable:
        return image_id not in _referenced_image_ids({link.release_id})
    user = getattr(request, "user", None)
    return not (user is not None and user.has_perm("wagtailadmin.access_admin"))


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
