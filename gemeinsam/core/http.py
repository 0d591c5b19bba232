"""What every view answers the same way: sign in first, back after a POST, refusals by error."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from gemeinsam.core.ratelimit import RateLimitedError

PLAIN_TEXT = "text/plain; charset=utf-8"


class SeeOther(HttpResponseRedirect):
    """A redirect after a POST: the browser follows it with a GET (303)."""

    status_code = 303


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (the middleware marks it)."""
    return bool(getattr(request, "htmx", False))


def sign_in_first(
    request: HttpRequest,
    *,
    message: str,
    next_url: str | Callable[[], str] | None = None,
    redirect: bool | None = None,
) -> HttpResponse | None:
    """None for a signed-in member; for anyone else, the answer that asks them to sign in.

    That is a redirect to the sign-in page that comes back to ``next_url`` (this address when
    not given; a callable is asked only when the redirect is answered) when ``redirect`` is
    true, by default for a GET or HEAD; otherwise a 403 with ``message`` as plain text, which
    a form posted in the background shows as it is.
    """
    if request.user.is_authenticated:
        return None
    if redirect is None:
        redirect = request.method in ("GET", "HEAD")
    if not redirect:
        return HttpResponse(message, status=403, content_type=PLAIN_TEXT)
    if callable(next_url):
        next_url = next_url()
    return redirect_to_login(next_url or request.get_full_path())


def safe_url(request: HttpRequest, url: str, fallback: str, *, path_only: bool = False) -> str:
    """``url`` when it points to this site (and, with ``path_only``, is a path starting with
    "/"), else ``fallback``: what a ``next`` or ``back`` parameter may send a member to."""
    if path_only and not url.startswith("/"):
        return fallback
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return fallback
    return url


def redirect_back(request: HttpRequest, fallback: str, *, anchor: str = "") -> SeeOther:
    """The 303 after a POST: back to the form's ``next`` field when it points to this site,
    else to ``fallback``; ``anchor`` ("#…") is added to either."""
    return SeeOther(safe_url(request, request.POST.get("next", ""), fallback) + anchor)


def status_for(error: Exception, *, forbidden: tuple[type[Exception], ...] = ()) -> int:
    """The HTTP status of a refused write: 429 when rate-limited, 403 for the ``forbidden``
    kinds of error (the member may not do this), else 400 (what they sent will not do)."""
    if isinstance(error, RateLimitedError):
        return 429
    if isinstance(error, forbidden):
        return 403
    return 400


def with_retry_after(response: HttpResponse, error: Exception) -> HttpResponse:
    """``response`` with a ``Retry-After`` header when ``error`` is a rate limit."""
    if isinstance(error, RateLimitedError):
        response["Retry-After"] = str(error.retry_after)
    return response


def refusal(
    error: Exception, *, forbidden: tuple[type[Exception], ...] = (), status: int | None = None
) -> HttpResponse:
    """A refused write as plain text: the error's message with its status (``status_for``
    unless given) and, when rate-limited, when to try again."""
    code = status if status is not None else status_for(error, forbidden=forbidden)
    return with_retry_after(HttpResponse(str(error), status=code, content_type=PLAIN_TEXT), error)
