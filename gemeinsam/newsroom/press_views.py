"""Press material views: a contact's vCard and the press-kit ZIP download."""

from __future__ import annotations

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gemeinsam.core.media import MediaAccess
from gemeinsam.core.tasks_util import enqueue_on_commit
from gemeinsam.newsroom.embargo import contact_access
from gemeinsam.newsroom.models import PressContact
from gemeinsam.newsroom.press import (
    FAILED_SECONDS,
    PENDING_SECONDS,
    archive_name,
    contact_vcard_text,
    failed_key,
    kit_files,
    open_complete_archive,
    pending_key,
    public_press_kit,
)
from gemeinsam.newsroom.tasks import build_press_kit_archive_task


@require_safe
def contact_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    """A press contact as a vCard file to import into an address book; 404 for a contact
    that no published release names (unless staff or an embargo link may see it)."""
    contact = PressContact.objects.filter(pk=pk).first()
    access = MediaAccess.HIDDEN if contact is None else contact_access(request, contact)
    if contact is None or access is MediaAccess.HIDDEN:
        raise Http404(_("There is no such press contact."))
    response = HttpResponse(
        contact_vcard_text(contact).encode("utf-8"), content_type="text/vcard; charset=utf-8"
    )
    filename = f"{slugify(contact.name) or 'contact'}.vcf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = access.cache_control
    return response


@require_safe
def press_kit_zip(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The whole press kit as one ZIP, or a page saying it is being prepared (202).

    Serves the archive for the kit's current state when it exists; otherwise enqueues its
    build once (not again while one is pending) and answers with a page that reloads
    itself every few seconds and links to try again, so it works without JavaScript.
    After a failed build it says so (503) and offers to try again (``?retry=1``) instead.
    """
    page = public_press_kit(pk)
    if page is None:
        raise Http404(_("There is no such press kit."))
    name = archive_name(page, kit_files(page))
    pending = pending_key(name)
    if cache.get(pending) is None and default_storage.exists(name):
        archive = open_complete_archive(name)
        if archive is not None:
            download = FileResponse(
                archive,
                as_attachment=True,
                filename=f"{page.slug or 'press-kit'}.zip",
                content_type="application/zip",
            )
            download["Cache-Control"] = "no-cache"  # a rebuilt kit must show at once
            return download
    if request.GET.get("retry"):
        cache.delete(failed_key(name))
    elif cache.get(failed_key(name)) is not None:
        response = render(
            request,
            "newsroom/press_kit_failed.html",
            {"kit": page, "kit_url": page.get_url(request), "retry_url": f"{request.path}?retry=1"},
            status=503,
        )
        response["Retry-After"] = str(FAILED_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    if cache.add(pending, True, PENDING_SECONDS):
        enqueue_on_commit(build_press_kit_archive_task, page.pk)
    response = render(
        request,
        "newsroom/press_kit_preparing.html",
        {"kit": page, "kit_url": page.get_url(request)},
        status=202,
    )
    response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    return response
