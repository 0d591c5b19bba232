"""The counting pixel: one request, one view."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from gemeinsam.analytics.counting import is_signed, record_view

# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@require_safe
def pixel(
    request: HttpRequest, content_type_id: int, object_id: int, signature: str = ""
) -> HttpResponse:
    """Count a view of an item and answer with an image no cache may keep.

    Only addresses our pages hand out (signed, see ``counting.pixel_signature``) are
    counted; any other is answered the same way, so the answer tells nothing. The ids are
    not looked up here (that would cost a query per view): counts for items that do not
    exist or are not public are dropped when they are moved into the database.
    """
    if request.method == "GET" and is_signed(content_type_id, object_id, signature):
        record_view(content_type_id, object_id)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response
