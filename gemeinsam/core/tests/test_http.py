"""The answers every view shares: sign in first, back after a POST, refusals by error."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from gemeinsam.core.http import (
    SeeOther,
    redirect_back,
    refusal,
    safe_url,
    sign_in_first,
    status_for,
    with_retry_after,
)
from gemeinsam.core.ratelimit import RateLimitedError


class ForbiddenError(Exception):
    pass


def _request(
    method: str = "get", path: str = "/page/?a=1", *, member: bool = False, **data: str
) -> HttpRequest:
    request = getattr(RequestFactory(), method)(path, data or None)
    request.user = SimpleNamespace(is_authenticated=True) if member else AnonymousUser()
    request.htmx = False
    return request


def test_a_member_passes_the_sign_in_check() -> None:
    assert sign_in_first(_request(member=True), message="Sign in.") is None


def test_a_guest_asking_for_a_page_is_sent_to_sign_in_and_back() -> None:
    response = sign_in_first(_request(), message="Sign in.")
    assert response is not None
    assert response.status_code == 302
    assert response["Location"].endswith("?next=/page/%3Fa%3D1")


def test_a_guest_posting_is_refused_with_the_message() -> None:
    response = sign_in_first(_request("post", "/page/"), message="Sign in to post.")
    assert isinstance(response, HttpResponse)
    assert response.status_code == 403
    assert response.content == b"Sign in to post."
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_the_caller_may_choose_the_answer_and_where_to_come_back() -> None:
    asked: list[bool] = []

    def back() -> str:
        asked.append(True)
        return "/item/#rating"

    refused = sign_in_first(_request("get"), message="No.", redirect=False, next_url=back)
    assert refused is not None
    assert refused.status_code == 403
    assert not asked
    redirected = sign_in_first(
        _request("post", "/rate/"), message="No.", redirect=True, next_url=back
    )
    assert redirected is not None
    assert redirected.status_code == 302
    assert redirected["Location"].endswith("?next=/item/%23rating")
    assert sign_in_first(_request(member=True), message="No.", next_url=back) is None
    assert asked == [True]


@pytest.mark.parametrize(
    ("url", "path_only", "expected"),
    [
        ("/stories/", False, "/stories/"),
        ("http://testserver/stories/", False, "http://testserver/stories/"),
        ("http://testserver/stories/", True, "/fallback/"),
        ("https://elsewhere.example/", False, "/fallback/"),
        ("//elsewhere.example/", False, "/fallback/"),
        ("", False, "/fallback/"),
    ],
)
def test_only_addresses_on_this_site_are_followed(url: str, path_only: bool, expected: str) -> None:
    assert safe_url(_request(), url, "/fallback/", path_only=path_only) == expected


def test_after_a_post_the_member_goes_back_to_next_or_the_fallback() -> None:
    back = redirect_back(_request("post", "/act/", next="/story/"), "/", anchor="#fans")
    assert isinstance(back, SeeOther)
    assert back.status_code == 303
    assert back["Location"] == "/story/#fans"
    away = redirect_back(_request("post", "/act/", next="https://evil.example/"), "/home/")
    assert away["Location"] == "/home/"


def test_errors_map_to_statuses() -> None:
    limited = RateLimitedError("Slow down.", retry_after=30)
    assert status_for(limited) == 429
    assert status_for(ForbiddenError("no"), forbidden=(ForbiddenError,)) == 403
    assert status_for(ValueError("bad")) == 400


def test_a_refusal_says_why_and_when_to_try_again() -> None:
    limited = refusal(RateLimitedError("Slow down.", retry_after=30))
    assert (limited.status_code, limited.content, limited["Retry-After"]) == (
        429,
        b"Slow down.",
        "30",
    )
    forbidden = refusal(ForbiddenError("No."), forbidden=(ForbiddenError,))
    assert forbidden.status_code == 403
    assert not forbidden.has_header("Retry-After")
    assert refusal(ValueError("Bad."), status=409).status_code == 409
    plain = with_retry_after(HttpResponse("x"), ValueError("not a limit"))
    assert not plain.has_header("Retry-After")
