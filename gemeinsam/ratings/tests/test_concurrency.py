"""Many members rating one story at once over real HTTP leave exact rows and aggregates."""

from __future__ import annotations

import os
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from gemeinsam.core.engagement import target_reference
from gemeinsam.ratings import services
from gemeinsam.ratings.models import Rating, RatingAggregate

PARALLEL = 50

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _needs_postgres(db: Any) -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true" and os.environ.get("GEMEINSAM_DATABASE_URL"):
            pytest.fail("CI needs this: the ratings concurrency test runs on PostgreSQL")
        pytest.skip("needs PostgreSQL (set GEMEINSAM_DATABASE_URL)")


class Session:
    """A member's browser: their session cookie and the CSRF token of the widget's form."""

    def __init__(self, live_server: Any, user: Any, widget_path: str) -> None:
        client = Client()
        client.force_login(user)
        self.base = live_server.url
        self.cookies = {"sessionid": client.cookies["sessionid"].value}
        request = urllib.request.Request(self.base + widget_path, headers=self._headers())
        with urllib.request.urlopen(request, timeout=60) as response:
            html = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "the member's widget carries a CSRF token"
        self.token = match.group(1)

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def post(self, path: str, stars: int, start: Start) -> int:
        """Connect, wait for the others, then send the rating as htmx; the status."""
        body = f"stars={stars}&csrfmiddlewaretoken={self.token}"
        headers = {
            **self._headers(),
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
        }
        address = urllib.parse.urlsplit(self.base)
        http = HTTPConnection(address.hostname or "localhost", address.port, timeout=120)
        try:
            with start.connecting:
                http.connect()
            start.barrier.wait()
            http.request("POST", path, body=body, headers=headers)
            return int(http.getresponse().status)
        finally:
            http.close()


class Start:
    """Connections open one at a time (the test server's listen queue is short); the
    requests then leave together."""

    def __init__(self, parties: int) -> None:
        self.connecting = threading.Lock()
        self.barrier = threading.Barrier(parties, timeout=120)


def fire(calls: list[Callable[[Start], int]]) -> list[int]:
    """Run the calls in parallel threads, their requests released together."""
    start = Start(len(calls))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(start), calls))


def paths(story: Any) -> tuple[str, str]:
    ct_id, obj_id = target_reference(story)
    return f"/en/ratings/{ct_id}/{obj_id}/", f"/en/ratings-widget/{ct_id}/{obj_id}/"


def test_fifty_members_rating_one_story_at_once_leave_an_exact_aggregate(
    live_server, story, make_member
):
    rate_path, widget_path = paths(story)
    members = [make_member() for _ in range(PARALLEL)]
    sessions = [Session(live_server, member, widget_path) for member in members]
    values = [index % 10 + 1 for index in range(PARALLEL)]

    statuses = fire(
        [
            lambda start, s=session, v=value: s.post(rate_path, v, start)
            for session, value in zip(sessions, values, strict=True)
        ]
    )

    assert statuses == [200] * PARALLEL
    assert Rating.objects.count() == PARALLEL
    aggregate = RatingAggregate.objects.get()
    assert aggregate.count == PARALLEL
    assert aggregate.total == sum(values)
    assert aggregate.stored_distribution() == [PARALLEL // 10] * 10


def test_one_member_sending_fifty_ratings_at_once_leaves_one_row(
    live_server, story, member, monkeypatch
):
    monkeypatch.setattr(services, "RATE_LIMIT", 10 * PARALLEL)
    rate_path, widget_path = paths(story)
    session = Session(live_server, member, widget_path)

    statuses = fire([lambda start: session.post(rate_path, 7, start)] * PARALLEL)

    assert statuses == [200] * PARALLEL
    assert Rating.objects.get().value == 7
    aggregate = RatingAggregate.objects.get()
    assert (aggregate.count, aggregate.total) == (1, 7)
    assert aggregate.stored_distribution() == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0]


def test_one_member_changing_a_rating_fifty_times_at_once_keeps_the_aggregate_exact(
    live_server, story, member, make_member, monkeypatch
):
    """Each change reads the old value to subtract it: only the lock keeps that exact."""
    monkeypatch.setattr(services, "RATE_LIMIT", 10 * PARALLEL)
    rate_path, widget_path = paths(story)
    ct_id, obj_id = target_reference(story)
    services.rate_item(user=member, content_type_id=ct_id, object_id=obj_id, stars=5)
    services.rate_item(user=make_member(), content_type_id=ct_id, object_id=obj_id, stars=2)
    session = Session(live_server, member, widget_path)

    statuses = fire(
        [
            lambda start, v=index % 10 + 1: session.post(rate_path, v, start)
            for index in range(PARALLEL)
        ]
    )

    assert statuses == [200] * PARALLEL
    final = Rating.objects.get(user=member).value
    aggregate = RatingAggregate.objects.get()
    assert (aggregate.count, aggregate.total) == (2, final + 2)
    expected = [0] * 10
    expected[1] += 1
    expected[final - 1] += 1
    assert aggregate.stored_distribution() == expected


def test_one_member_over_the_limit_in_parallel_is_refused_politely(live_server, story, member):
    rate_path, widget_path = paths(story)
    session = Session(live_server, member, widget_path)

    statuses = fire([lambda start: session.post(rate_path, 3, start)] * PARALLEL)

    assert set(statuses) <= {200, 429}
    # Exactly the limit passes, unless the burst straddles the edge of a rate window.
    assert statuses.count(200) >= services.RATE_LIMIT
    assert Rating.objects.get().value == 3
    assert RatingAggregate.objects.get().count == 1
