"""The rating endpoint and widget over HTTP: no-JS and htmx, the authorisation matrix, CSRF,
bad input, the rate limit, and no cookies for anonymous readers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from gemeinsam.core.engagement import target_reference
from gemeinsam.ratings import services
from gemeinsam.ratings.models import Rating, RatingAggregate

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def rate_url(target: Any) -> str:
    return reverse("ratings:rate", args=target_reference(target))


def widget_url(target: Any) -> str:
    ct_id, obj_id = target_reference(target)
    return f"/en/ratings-widget/{ct_id}/{obj_id}/"


def csrf_token_for(client: Client, target: Any) -> str:
    page = client.get(widget_url(target))
    assert page.status_code == 200
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert match, "the member's widget carries a CSRF token"
    return match.group(1)


def member_client(user: Any, target: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client, csrf_token_for(client, target)


def test_anonymous_readers_see_the_summary_and_a_sign_in_link_but_no_form(story, member):
    services.rate_item(
        user=member, content_type_id=target_reference(story)[0], object_id=story.pk, stars=8
    )
    response = Client().get(widget_url(story))
    html = response.content.decode()
    assert response.status_code == 200
    assert "8.0</strong>/10" in html
    assert "(1 rating)" in html
    assert "Sign in to rate" in html
    assert "/en/accounts/login/?next=" in html
    assert "<form" not in html.split('id="rating"')[1]
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies, "anonymous readers get no cookie"


def test_members_see_the_form_with_their_rating_checked(story, member):
    services.rate_item(
        user=member, content_type_id=target_reference(story)[0], object_id=story.pk, stars=6
    )
    client, _ = member_client(member, story)
    html = client.get(widget_url(story)).content.decode()
    assert "<fieldset>" in html
    assert "<legend>" in html
    assert len(re.findall(r'type="radio" name="stars"', html)) == 10
    assert re.search(r'value="6" id="[^"]+" checked', html)
    assert 'hx-post="' + rate_url(story) in html
    assert "Remove my rating" in html


def test_a_member_rates_without_javascript_and_returns_to_the_story(story, member):
    client, token = member_client(member, story)
    response = client.post(rate_url(story), {"stars": "7", "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert response["Location"] == story.url + "#rating"
    assert Rating.objects.get(user=member).value == 7
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your rating was saved."]


def test_a_member_changes_and_removes_a_rating_with_htmx(story, member):
    client, token = member_client(member, story)
    response = client.post(rate_url(story), {"stars": "9", "csrfmiddlewaretoken": token}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<section")
    assert 'id="rating"' in html
    assert "9.0</strong>/10" in html
    assert "Your rating was saved." in html

    response = client.post(rate_url(story), {"stars": "4", "csrfmiddlewaretoken": token}, **HTMX)
    assert "4.0</strong>/10" in response.content.decode()
    assert Rating.objects.get(user=member).value == 4

    response = client.post(rate_url(story), {"remove": "1", "csrfmiddlewaretoken": token}, **HTMX)
    assert response.status_code == 200
    assert "No ratings yet." in response.content.decode()
    assert not Rating.objects.exists()
    assert RatingAggregate.objects.get().count == 0


def test_a_member_removes_a_rating_without_javascript(story, member):
    client, token = member_client(member, story)
    client.post(rate_url(story), {"stars": "3", "csrfmiddlewaretoken": token})
    response = client.post(rate_url(story), {"remove": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert response["Location"] == story.url + "#rating"
    assert not Rating.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in_or_refused(story):
    response = Client().post(rate_url(story), {"stars": "5"})
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")
    assert "%23rating" in response["Location"]

    response = Client().get(rate_url(story))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")

    response = Client().post(rate_url(story), {"stars": "5"}, **HTMX)
    assert response.status_code == 403
    assert response.content.decode() == "Sign in to rate."
    assert not Rating.objects.exists()


def test_a_member_following_a_sign_in_redirect_lands_on_the_story(story, member):
    client = Client()
    client.force_login(member)
    response = client.get(rate_url(story))
    assert response.status_code == 303
    assert response["Location"] == story.url + "#rating"


def test_items_that_are_not_public_cannot_be_rated(newsroom, story, member):
    draft = newsroom.add_story(title="Draft", publish=False)
    client, token = member_client(member, story)
    for url in (rate_url(draft), reverse("ratings:rate", args=[999_999, 1])):
        for extra in ({}, HTMX):
            response = client.post(url, {"stars": "5", "csrfmiddlewaretoken": token}, **extra)
            assert response.status_code == 404
    assert Client().post(rate_url(draft), {"stars": "5"}).status_code == 404
    assert not Rating.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(story, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(rate_url(story), {"stars": "5"})
    assert response.status_code == 403
    response = client.post(rate_url(story), {"stars": "5"}, **HTMX)
    assert response.status_code == 403
    assert not Rating.objects.exists()


@pytest.mark.parametrize("data", [{"stars": "11"}, {"stars": "0"}, {"stars": "ten"}, {}])
def test_invalid_stars_get_a_message_not_an_error_page(story, member, data):
    client, token = member_client(member, story)
    response = client.post(rate_url(story), {**data, "csrfmiddlewaretoken": token}, **HTMX)
    assert response.status_code == 400
    assert "Choose from 1 to 10 stars." in response.content.decode()

    response = client.post(rate_url(story), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert response["Location"] == story.url + "#rating"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Choose from 1 to 10 stars."]
    assert not Rating.objects.exists()


def test_the_five_star_scale_refuses_six_and_stores_doubled_stars(story, member, settings):
    settings.GEMEINSAM_RATING_SCALE = 5
    client, token = member_client(member, story)
    html = client.get(widget_url(story)).content.decode()
    assert len(re.findall(r'type="radio" name="stars"', html)) == 5
    response = client.post(rate_url(story), {"stars": "6", "csrfmiddlewaretoken": token}, **HTMX)
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.content.decode()
    response = client.post(rate_url(story), {"stars": "4", "csrfmiddlewaretoken": token}, **HTMX)
    assert "4.0</strong>/5" in response.content.decode()
    assert Rating.objects.get().value == 8


def test_a_member_over_the_rate_limit_gets_429_or_a_message(story, member):
    client, token = member_client(member, story)
    for index in range(services.RATE_LIMIT):
        response = client.post(
            rate_url(story), {"stars": str(index % 10 + 1), "csrfmiddlewaretoken": token}, **HTMX
        )
        assert response.status_code == 200
    response = client.post(rate_url(story), {"stars": "2", "csrfmiddlewaretoken": token}, **HTMX)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Please wait a minute" in response.content.decode()

    response = client.post(rate_url(story), {"stars": "2", "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert "Please wait a minute" in str(next(iter(get_messages(response.wsgi_request))))
    assert Rating.objects.get().value == (services.RATE_LIMIT - 1) % 10 + 1
