"""The password of a private page or document collection cannot be guessed quickly."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from gemeinsam.accounts.sign_in import CONTENT_PASSWORD_TRIES
from gemeinsam.newsroom.models import ArticlePage

pytestmark = pytest.mark.django_db


def test_guessing_a_private_page_password_is_stopped_and_the_right_one_still_works_later(
    newsroom: Any,
) -> None:
    story = newsroom.add_story(ArticlePage, title="Members only")
    restriction = PageViewRestriction.objects.create(
        page=story, restriction_type=PageViewRestriction.PASSWORD, password="open-sesame-42"
    )
    url = f"/en/_util/authenticate_with_password/{restriction.pk}/{story.pk}/"
    guesser = Client()

    answers = [
        guesser.post(url, {"password": f"guess-{n}", "return_url": story.url}).status_code
        for n in range(CONTENT_PASSWORD_TRIES)
    ]
    refused = guesser.post(url, {"password": "open-sesame-42", "return_url": story.url})

    assert set(answers) == {200}  # the form again, with "incorrect password"
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many tries of this password" in refused.content.decode()
    # The refused try did not count as passed: the story still asks for the password.
    assert 'name="password"' in guesser.get(story.url).content.decode()
    # A reader elsewhere who knows the password is not locked out by the guesser.
    reader = Client(REMOTE_ADDR="198.51.100.20")
    opened = reader.post(url, {"password": "open-sesame-42", "return_url": story.url})
    assert opened.status_code == 302


def test_guessing_a_document_collection_password_is_stopped(db: Any) -> None:
    collection = Collection.get_first_root_node().add_child(name="Board papers")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="open-sesame-42",
    )
    url = f"/documents/authenticate_with_password/{restriction.pk}/"
    guesser = Client()

    for n in range(CONTENT_PASSWORD_TRIES):
        guesser.post(url, {"password": f"guess-{n}", "return_url": "/"})
    refused = guesser.post(url, {"password": "open-sesame-42", "return_url": "/"})

    assert refused.status_code == 429
