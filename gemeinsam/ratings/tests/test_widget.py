"""The rating widget tag: what it shows, and a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory

from gemeinsam.core.engagement import target_reference
from gemeinsam.ratings import services

pytestmark = pytest.mark.django_db

TEMPLATE = "{% load ratings_tags %}{% rating_widget target %}"


def render_widget(target: Any, user: Any) -> tuple[str, Any]:
    request = RequestFactory().get("/en/stories/rated-story/")
    request.user = user
    html = engines["django"].from_string(TEMPLATE).render({"target": target}, request)
    return html, request


def rate_many(story: Any, make_member: Any, values: list[int]) -> list[Any]:
    ct_id, obj_id = target_reference(story)
    members = []
    for stars in values:
        member = make_member()
        services.rate_item(user=member, content_type_id=ct_id, object_id=obj_id, stars=stars)
        members.append(member)
    return members


def test_the_widget_shows_average_count_and_distribution_as_text(story, make_member):
    rate_many(story, make_member, [10, 9, 9, 8, 8, 8, 8, 8, 8, 7, 8])
    html, _ = render_widget(story, AnonymousUser())
    assert '<strong class="rating-average">8.3</strong>/10' in html
    assert "(11 ratings)" in html
    assert "<caption>How members rated</caption>" in html
    assert '<th scope="row">8 stars</th>' in html
    assert '<td class="rating-number">7</td>' in html
    assert '<meter min="0" max="100" value="64" aria-hidden="true">' in html
    assert '<span class="rating-percent">64%</span>' in html


def test_the_widget_speaks_german_under_a_german_request(story, member):
    from django.utils import translation

    rate_many(story, lambda: member, [8])
    with translation.override("de"):
        html, _ = render_widget(story, AnonymousUser())
    assert "8,0</strong>/10" in html


def test_anonymous_rendering_takes_no_csrf_token(story, member):
    rate_many(story, lambda: member, [8])
    html, request = render_widget(story, AnonymousUser())
    assert "Sign in to rate" in html
    assert "<form" not in html
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in request.META


def test_members_get_a_form_with_a_csrf_token(story, member):
    request = RequestFactory().get("/en/stories/rated-story/")
    request.user = member
    get_token(request)
    html = engines["django"].from_string(TEMPLATE).render({"target": story}, request)
    assert "Sign in to rate" not in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("rated", [0, 3, 30])
def test_the_widget_costs_one_query_for_anyone(
    story, make_member, django_assert_num_queries, rated
):
    members = rate_many(story, make_member, [(n % 10) + 1 for n in range(rated)]) if rated else []
    viewer = members[0] if members else make_member()
    ContentType.objects.get_for_model(story)  # Django keeps content types cached
    with django_assert_num_queries(1):
        render_widget(story, AnonymousUser())
    with django_assert_num_queries(1):
        html, _ = render_widget(story, viewer)
    if rated:
        assert 'value="1" id="rating-' in html
        assert " checked" in html
