"""The file sender behind Wagtail's document view: streams the file and says who may keep it.

The document hooks decide who may have a document and record it on the request as
``request.media_access``; a document served without that decision is treated as private.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from wagtail.utils import sendfile_streaming_backend

from gemeinsam.core.media import MediaAccess

ACCESS_ATTRIBUTE = "media_access"


def record_access(request: HttpRequest, access: MediaAccess) -> None:
    setattr(request, ACCESS_ATTRIBUTE, access)


def sendfile(request: HttpRequest, filename: str, **kwargs: Any) -> HttpResponseBase:
    response: HttpResponseBase = sendfile_streaming_backend.sendfile(request, filename, **kwargs)
    access = getattr(request, ACCESS_ATTRIBUTE, MediaAccess.PRIVATE)
    response["Cache-Control"] = access.cache_control
    return response
