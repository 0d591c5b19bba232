"""Outside channels: feeds are pulled safely, stored once, and every failure is a status."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gemeinsam.newsroom.channels import MAX_ITEMS, parse_feed, pull_all_channels, pull_channel
from gemeinsam.newsroom.models import ChannelItem, OutsideChannel
from gemeinsam.newsroom.tasks import pull_all_channels_task, pull_channel_task

pytestmark = pytest.mark.django_db

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Our blog</title><link>https://blog.example.org/</link><description>Posts</description>
  <item>
    <title>Solar roof &amp; battery</title>
    <link>https://blog.example.org/solar</link>
    <guid>https://blog.example.org/?p=1</guid>
    <pubDate>Mon, 06 Jan 2025 09:30:00 +0000</pubDate>
    <description>&lt;p&gt;The roof is &lt;b&gt;done&lt;/b&gt;.&lt;/p&gt;
      &lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Next: storage.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Open day</title>
    <link>https://blog.example.org/open-day</link>
    <pubDate>Tue, 07 Jan 2025 10:00:00 +0000</pubDate>
    <description>Come and see.</description>
  </item>
  <item>
    <title>Sneaky</title>
    <link>javascript:alert(1)</link>
    <description>Not a web address.</description>
  </item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Video channel</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2025-02-01T12:00:00Z</updated>
  <entry>
    <title>Behind the scenes</title>
    <id>urn:video:1</id>
    <link rel="alternate" href="https://video.example.org/watch/1"/>
    <updated>2025-02-01T12:00:00Z</updated>
    <summary type="html">&lt;em&gt;Five&lt;/em&gt; minutes</summary>
  </entry>
  <entry>
    <title>Relative link</title>
    <id>urn:video:2</id>
    <link rel="alternate" href="/watch/2"/>
    <published>2025-01-15T08:00:00+01:00</published>
  </entry>
</feed>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol4;</title>
<item><title>&lol4;</title><link>https://evil.example.org/</link></item>
</channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title>
<item><title>&xxe;</title><link>https://evil.example.org/</link></item>
</channel></rss>"""

MALFORMED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
<item><title>Unclosed</item></channel></rss>"""


class FeedServer:
    """An HTTP server on 127.0.0.1 serving canned responses by path, honouring ETags."""

    def __init__(self) -> None:
        self.responses: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                if server.delay:
                    time.sleep(server.delay)
                status, body, headers = server.responses.get(self.path, (404, b"nope", {}))
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> str:
        headers.setdefault("Content-Type", "application/xml")
        self.responses[path] = (status, body, {k.replace("_", "-"): v for k, v in headers.items()})
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = True


def channel_for(url: str, **fields: Any) -> OutsideChannel:
    return OutsideChannel.objects.create(name=fields.pop("name", "Blog"), feed_url=url, **fields)


def items_of(channel: OutsideChannel) -> list[ChannelItem]:
    return list(channel.items.order_by("-published_at"))


# ------------------------------------------------------------------------------ good feeds


def test_pulls_an_rss_feed(feeds: FeedServer, loopback: None) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS, ETag='"abc"', Last_Modified="x"))

    assert pull_channel(channel_id=channel.pk) == "ok"

    channel.refresh_from_db()
    assert channel.status == OutsideChannel.Status.OK
    assert channel.status_message == "Fetched 2 items (1 without a web address skipped)"
    assert channel.last_fetched_at is not None
    assert channel.etag == '"abc"'
    assert channel.modified == "x"
    open_day, solar = items_of(channel)
    assert open_day.title == "Open day"
    assert open_day.guid == "https://blog.example.org/open-day"  # no guid: the link
    assert solar.title == "Solar roof & battery"
    assert solar.guid == "https://blog.example.org/?p=1"
    assert solar.link == "https://blog.example.org/solar"
    assert solar.summary == "The roof is done. Next: storage."
    assert solar.published_at == datetime(2025, 1, 6, 9, 30, tzinfo=UTC)


def test_pulls_an_atom_feed(feeds: FeedServer, loopback: None) -> None:
    channel = channel_for(feeds.serve("/atom.xml", ATOM, Content_Type="application/atom+xml"))

    pull_channel(channel_id=channel.pk)

    channel.refresh_from_db()
    assert channel.status_message == "Fetched 2 items"
    newest, older = items_of(channel)
    assert newest.guid == "urn:video:1"
    assert newest.link == "https://video.example.org/watch/1"
    assert newest.summary == "Five minutes"
    assert older.published_at == datetime(2025, 1, 15, 7, 0, tzinfo=UTC)
    # A relative link is resolved against the feed's own address.
    assert older.link == feeds.url("/watch/2")


def test_pulling_again_creates_no_duplicates(feeds: FeedServer, loopback: None) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS))

    pull_channel(channel_id=channel.pk)
    pull_channel(channel_id=channel.pk)

    assert channel.items.count() == 2


def test_a_changed_entry_is_updated_in_place(feeds: FeedServer, loopback: None) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS))
    pull_channel(channel_id=channel.pk)
    feeds.serve("/rss.xml", RSS.replace(b"Open day", b"Open day (moved)"))

    pull_channel(channel_id=channel.pk)

    assert sorted(channel.items.values_list("title", flat=True)) == [
        "Open day (moved)",
        "Solar roof & battery",
    ]


def test_sends_the_stored_etag_and_accepts_not_modified(feeds: FeedServer, loopback: None) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS, ETag='"v1"'))
    pull_channel(channel_id=channel.pk)

    pull_channel(channel_id=channel.pk)

    channel.refresh_from_db()
    assert feeds.requests[-1][1]["If-None-Match"] == '"v1"'
    assert channel.status == OutsideChannel.Status.OK
    assert channel.status_message == "Not modified"
    assert channel.items.count() == 2


def test_keeps_only_the_newest_items(feeds: FeedServer, loopback: None) -> None:
    entries = b"".join(
        b"<item><title>Post %d</title><link>https://blog.example.org/%d</link>"
        b"<pubDate>%s</pubDate></item>"
        % (
            n,
            n,
            format_datetime(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=n)).encode(),
        )
        for n in range(MAX_ITEMS + 20)
    )
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>%s</channel></rss>'
    channel = channel_for(feeds.serve("/many.xml", body % entries))

    pull_channel(channel_id=channel.pk)

    assert channel.items.count() == MAX_ITEMS
    assert not channel.items.filter(title="Post 0").exists()
    assert channel.items.filter(title=f"Post {MAX_ITEMS + 19}").exists()


def test_a_future_date_is_not_trusted() -> None:
    body = RSS.replace(b"Tue, 07 Jan 2025", b"Tue, 07 Jan 2099")
    now = timezone.now()

    feed = parse_feed(body, base_url="https://blog.example.org/feed", now=now)

    assert max(item.published_at for item in feed.items) == now


# ------------------------------------------------------------------------------- bad feeds


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (BILLION_LAUGHS, "refused for safety"),
        (EXTERNAL_ENTITY, "refused for safety"),
        (MALFORMED, "The feed is not valid XML: mismatched tag"),
        (b"<html><body>Not a feed</body></html>", "not an RSS or Atom feed"),
        (b"", "The feed is not valid XML"),
    ],
)
def test_a_dangerous_or_broken_feed_fails_and_stores_nothing(
    feeds: FeedServer, loopback: None, body: bytes, message: str
) -> None:
    channel = channel_for(feeds.serve("/bad.xml", body))

    assert pull_channel(channel_id=channel.pk) == "failed"

    channel.refresh_from_db()
    assert channel.status == OutsideChannel.Status.FAILED
    assert message in channel.status_message
    assert channel.last_fetched_at is not None
    assert channel.items.count() == 0


def test_a_missing_feed_fails_with_the_http_status(feeds: FeedServer, loopback: None) -> None:
    channel = channel_for(feeds.url("/gone.xml"))

    pull_channel(channel_id=channel.pk)

    channel.refresh_from_db()
    assert channel.status == OutsideChannel.Status.FAILED
    assert channel.status_message == "HTTP 404 Not Found"


def test_a_failed_pull_keeps_the_items_already_stored(feeds: FeedServer, loopback: None) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS))
    pull_channel(channel_id=channel.pk)
    feeds.serve("/rss.xml", b"", status=500)

    pull_channel(channel_id=channel.pk)

    channel.refresh_from_db()
    assert channel.status_message == "HTTP 500 Internal Server Error"
    assert channel.items.count() == 2


def test_default_settings_refuse_loopback_with_a_message(feeds: FeedServer) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS))

    assert pull_channel(channel_id=channel.pk) == "failed"

    channel.refresh_from_db()
    assert channel.status_message == (
        "The address points to a private network: 127.0.0.1 is not a public address on the "
        "internet."
    )
    assert feeds.requests == []


def test_a_slow_feed_times_out_with_a_message(
    feeds: FeedServer, loopback: None, settings: Any
) -> None:
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    feeds.delay = 2
    channel = channel_for(feeds.serve("/rss.xml", RSS))

    pull_channel(channel_id=channel.pk)

    channel.refresh_from_db()
    assert channel.status_message == "Timed out after 0.5 s"


def test_an_unexpected_error_is_recorded_not_raised(
    feeds: FeedServer, loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS))

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("gemeinsam.newsroom.channels.store_items", explode)

    assert pull_channel(channel_id=channel.pk) == "failed"
    channel.refresh_from_db()
    assert "internal error" in channel.status_message


def test_an_unknown_channel_is_ignored() -> None:
    assert pull_channel(channel_id=999_999) == ""


# ----------------------------------------------------------------------------------- tasks


def test_pull_all_pulls_active_channels_only(feeds: FeedServer, loopback: None) -> None:
    active = channel_for(feeds.serve("/rss.xml", RSS))
    paused = channel_for(feeds.serve("/atom.xml", ATOM), name="Paused", is_active=False)

    assert pull_all_channels() == 1

    active.refresh_from_db()
    paused.refresh_from_db()
    assert active.status == OutsideChannel.Status.OK
    assert paused.status == OutsideChannel.Status.NEW


def test_tasks_run_the_pulls(feeds: FeedServer, loopback: None) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS))

    assert pull_channel_task.enqueue(channel.pk).return_value == "ok"
    assert pull_all_channels_task.enqueue().return_value == 1
    assert channel.items.count() == 2


# ----------------------------------------------------------------------------------- admin


def test_admin_lists_channels_with_their_status(
    client: Client, staff_user: Any, feeds: FeedServer
) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS), name="Company blog")
    pull_channel(channel_id=channel.pk)  # refused: loopback is not allowed by default
    client.force_login(staff_user)

    response = client.get("/admin/snippets/newsroom/outsidechannel/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Company blog" in html
    assert "Failed" in html
    assert "private network" in html
    assert f"/admin/outside-channels/{channel.pk}/fetch/" in html


def test_admin_fetch_now_pulls_the_channel(
    client: Client,
    staff_user: Any,
    feeds: FeedServer,
    loopback: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS))
    client.force_login(staff_user)
    url = f"/admin/outside-channels/{channel.pk}/fetch/"

    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == "/admin/snippets/newsroom/outsidechannel/"
    assert channel.items.count() == 2


def test_admin_fetch_now_needs_permission_and_csrf(
    member: Any, staff_user: Any, feeds: FeedServer
) -> None:
    channel = channel_for(feeds.serve("/rss.xml", RSS))
    url = f"/admin/outside-channels/{channel.pk}/fetch/"

    anonymous = Client()
    assert anonymous.post(url).status_code == 302  # to the login page
    member_client = Client()
    member_client.force_login(member)
    assert member_client.post(url).status_code in (302, 403)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff_user)
    assert csrf_client.post(url).status_code == 403
    assert Client().get("/admin/outside-channels/999999/fetch/").status_code == 302
    channel.refresh_from_db()
    assert channel.status == OutsideChannel.Status.NEW
