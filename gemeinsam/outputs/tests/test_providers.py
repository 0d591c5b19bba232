"""The provider registry: every feature app's public content has all four outputs, and an app
plugs its own feed, channel, oEmbed and embed page in without touching the outputs."""

from __future__ import annotations

import json
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.http import Http404, HttpResponse
from django.test import Client
from django.utils import timezone

from gemeinsam.core import outputs
from gemeinsam.core.engagement import registered_models
from gemeinsam.core.outputs import (
    OUTPUTS,
    EmbedFrame,
    FeedChannel,
    FeedEntry,
    FeedQuery,
    FeedSource,
    OEmbedAnswer,
    OEmbedResolver,
    outputs_of,
)
from gemeinsam.newsroom.models import ArticlePage

pytestmark = pytest.mark.django_db

PYPROJECT = Path(settings.BASE_DIR) / "pyproject.toml"


def _feature_apps() -> set[str]:
    """The apps of the feature layer of the import contract (the one holding the newsroom)."""
    config = tomllib.loads(PYPROJECT.read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    [contract] = [contract for contract in contracts if contract["type"] == "layers"]
    [layer] = [layer for layer in contract["layers"] if "gemeinsam.newsroom" in layer]
    names = [part.strip().strip("()") for part in layer.split("|")]
    return {name.removeprefix("gemeinsam.") for name in names}


def test_every_feature_content_kind_has_a_feed_oembed_sitemap_and_json_ld() -> None:
    feature_apps = _feature_apps()
    assert "newsroom" in feature_apps
    content = [model for model in registered_models() if model._meta.app_label in feature_apps]
    assert content, "the feature apps register the content members engage with"
    missing = [
        f"{model._meta.label}: {output}"
        for model in content
        for output in OUTPUTS
        if output not in outputs_of(model)
    ]
    assert not missing, f"register these providers in the app's ready(): {missing}"


def test_every_page_type_is_in_a_sitemap_section() -> None:
    from wagtail.models import Page

    pages = [
        model
        for model in apps.get_models()
        if issubclass(model, Page) and model.__module__.startswith("gemeinsam.")
    ]
    assert pages
    assert [model for model in pages if "sitemap" not in outputs_of(model)] == []


# ------------------------------------------------------------- an app of its own plugs in


class Contest:
    """Stands for a model of another feature app."""

    def __init__(self, pk: int, title: str) -> None:
        self.pk = pk
        self.title = title


CONTEST = Contest(7, "Brightest roof")


def _contest_entries(query: FeedQuery) -> list[FeedEntry]:
    if query.channel is not None and query.channel.kind != "contest":
        return []
    published = timezone.now() - timedelta(minutes=5)
    return [
        FeedEntry(
            title=CONTEST.title,
            url=f"{settings.SITE_URL}/{query.language}/contests/brightest-roof/",
            unique_id="tag:example.org,2026-01-01:contest-7",
            summary="Show us your roof.",
            language=query.language,
            published=published,
            updated=published,
            authors=[],
            tags=[],
            image=None,
        )
    ]


def _contest_channel(slug: str) -> FeedChannel:
    if slug != "brightest-roof":
        raise Http404("No such contest.")
    return FeedChannel("contest", "Brightest roof", "Entries.", settings.SITE_URL, CONTEST)


def _contest_frame(request: Any, pk: int) -> EmbedFrame | None:
    if pk != CONTEST.pk:
        return None
    return EmbedFrame(HttpResponse(f"<p>{CONTEST.title}</p>"), "en")


def _contest_answer(item: Any, request: Any, maxwidth: Any, maxheight: Any) -> OEmbedAnswer:
    return OEmbedAnswer("rich", item.title, "Jury", settings.SITE_URL, {"html": "<p>…</p>"})


@pytest.fixture
def contests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        outputs._feed_sources,
        "contests",
        FeedSource(
            label="contests",
            models=(),
            entries=_contest_entries,
            channels={"contest": _contest_channel},
        ),
    )
    monkeypatch.setitem(
        outputs._oembed_resolvers,
        "contest",
        OEmbedResolver(
            label="contest",
            models=(),
            item=lambda pk: CONTEST if pk == CONTEST.pk else None,
            find=lambda match, request: None,
            answer=_contest_answer,
            frame=_contest_frame,
        ),
    )


def test_another_apps_items_join_the_site_feed_newest_first(
    newsroom: Any, contests: None, client: Client
) -> None:
    newsroom.add_story(ArticlePage, title="Older story")
    ArticlePage.objects.update(first_published_at=timezone.now() - timedelta(days=1))

    items = json.loads(client.get("/en/feeds/json/").content)["items"]

    assert [item["title"] for item in items] == ["Brightest roof", "Older story"]


def test_another_apps_channel_has_its_own_feed(
    newsroom: Any, contests: None, client: Client
) -> None:
    newsroom.add_story(ArticlePage, title="A story")

    feed = json.loads(client.get("/en/feeds/contest/brightest-roof/json/").content)

    assert feed["title"] == "Brightest roof"
    assert [item["title"] for item in feed["items"]] == ["Brightest roof"]
    assert client.get("/en/feeds/contest/no-such-contest/json/").status_code == 404
    assert client.get("/en/feeds/unknown/brightest-roof/json/").status_code == 404


def test_another_apps_items_get_embed_pages_and_oembed(contests: None, client: Client) -> None:
    page = client.get("/embed/contest/7/")
    assert page.status_code == 200
    assert page["Content-Language"] == "en"
    assert client.get("/embed/contest/8/").status_code == 404

    url = f"{settings.SITE_URL}/embed/contest/7/"
    answer = client.get("/oembed/?" + urlencode({"url": url})).json()
    assert answer["title"] == "Brightest roof"
    assert answer["provider_name"] == settings.SITE_NAME
    assert answer["html"] == "<p>…</p>"
