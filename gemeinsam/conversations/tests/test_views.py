"""Comment endpoints without JavaScript and with htmx: authorisation, CSRF, limits, queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from gemeinsam.accounts.models import User
from gemeinsam.conversations import services
from gemeinsam.conversations.models import Comment
from gemeinsam.conversations.tests.factories import make_comment
from gemeinsam.core.caching import invalidate, target_scope
from gemeinsam.core.engagement import target_reference

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _list_url(story: Any) -> str:
    return reverse("conversations:comments", args=target_reference(story))


def _client(user: User | None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def _csrf(client: Client, url: str) -> str:
    """A CSRF token the way a browser gets one: from the form on the page."""
    client.get(url)
    return str(client.cookies["csrftoken"].value)


def _post(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    token = _csrf(client, url if "delete" not in url else url.replace("delete", "edit"))
    return client.post(url, {**data, "csrfmiddlewaretoken": token}, **extra)


def test_posting_without_javascript_redirects_to_the_comment(story: Any, member: User) -> None:
    client = _client(member)
    response = _post(client, _list_url(story), {"body": "Hello **all**"})
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{story.url}#comment-{comment.pk}"
    assert comment.author == member
    assert comment.body_html == "<p>Hello <strong>all</strong></p>"


def test_posting_with_htmx_returns_the_comment_and_a_fresh_form(story: Any, member: User) -> None:
    client = _client(member)
    response = _post(client, _list_url(story), {"body": "Hello"}, **HTMX)
    comment = Comment.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="comment-{comment.pk}"' in html
    assert 'hx-swap-oob="true"' in html
    assert "<html" not in html


def test_replying_with_htmx_and_without(story: Any, member: User, other_member: User) -> None:
    top = services.post_comment(author=member, target=story, body="Top")
    client = _client(other_member)
    form = client.get(reverse("conversations:reply", args=[top.pk]), **HTMX)
    assert f'id="reply-form-{top.pk}"' in form.content.decode()
    page = client.get(reverse("conversations:reply", args=[top.pk]))
    assert "<html" in page.content.decode()
    assert 'name="parent_id"' in page.content.decode()
    response = _post(client, _list_url(story), {"body": "Reply", "parent_id": top.pk}, **HTMX)
    assert response.status_code == 200
    reply = Comment.objects.get(parent=top)
    assert f'id="comment-{reply.pk}"' in response.content.decode()
    response = _post(client, _list_url(story), {"body": "Again", "parent_id": top.pk})
    assert response.status_code == 303


def test_csrf_is_enforced_on_every_write(story: Any, member: User) -> None:
    comment = services.post_comment(author=member, target=story, body="Mine")
    client = _client(member)
    for url, data in [
        (_list_url(story), {"body": "No token"}),
        (reverse("conversations:edit", args=[comment.pk]), {"body": "No token"}),
        (reverse("conversations:delete", args=[comment.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 403
    comment.refresh_from_db()
    assert Comment.objects.count() == 1
    assert comment.body == "Mine"
    assert not comment.is_deleted


@pytest.mark.parametrize(
    ("who", "edit_status", "delete_status"),
    [
        ("anonymous", 403, 403),
        ("other", 403, 403),
        ("author", 303, 303),
        ("staff", 403, 303),
    ],
)
def test_authorisation_matrix(
    story: Any,
    member: User,
    other_member: User,
    staff_user: User,
    who: str,
    edit_status: int,
    delete_status: int,
) -> None:
    comment = services.post_comment(author=member, target=story, body="Original")
    user = {"anonymous": None, "other": other_member, "author": member, "staff": staff_user}[who]
    client = _client(user)
    edit_url = reverse("conversations:edit", args=[comment.pk])
    # Anonymous visitors get no form here; the sign-in page gives them a token.
    token = _csrf(client, _list_url(story) if user else reverse("account_login"))
    response = client.post(edit_url, {"body": "Changed", "csrfmiddlewaretoken": token})
    assert response.status_code == edit_status
    comment.refresh_from_db()
    assert (comment.body == "Changed") is (edit_status == 303)
    response = client.post(
        reverse("conversations:delete", args=[comment.pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == delete_status
    comment.refresh_from_db()
    assert comment.is_deleted is (delete_status == 303)
    post = client.post(_list_url(story), {"body": "New", "csrfmiddlewaretoken": token})
    assert post.status_code == (403 if who == "anonymous" else 303)


def test_edit_and_delete_with_htmx_return_the_comment(story: Any, member: User) -> None:
    comment = services.post_comment(author=member, target=story, body="Typo")
    client = _client(member)
    form = client.get(reverse("conversations:edit", args=[comment.pk]), **HTMX)
    assert 'name="body"' in form.content.decode()
    assert "Typo" in form.content.decode()
    response = _post(
        client, reverse("conversations:edit", args=[comment.pk]), {"body": "Fixed"}, **HTMX
    )
    html = response.content.decode()
    assert "Fixed" in html
    assert "edited" in html
    response = _post(client, reverse("conversations:delete", args=[comment.pk]), {}, **HTMX)
    assert "[deleted]" in response.content.decode()


def test_bad_input_gets_a_form_error_not_a_crash(story: Any, member: User) -> None:
    client = _client(member)
    response = _post(client, _list_url(story), {"body": "   "})
    assert response.status_code == 400
    assert "Write something before you post." in response.content.decode()
    response = _post(client, _list_url(story), {"body": "Hi", "parent_id": 999999})
    assert response.status_code == 400
    response = _post(client, _list_url(story), {"body": "Hi"}, **HTMX)
    assert Comment.objects.count() == 1
    response = _post(client, _list_url(story), {"body": ""}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"].startswith("#comment-form-")
    assert client.get(reverse("conversations:comments", args=[999, 1])).status_code == 404


def test_rate_limit_answers_429_with_retry_after(story: Any, member: User, settings: Any) -> None:
    settings.GEMEINSAM_COMMENT_RATE_PER_MINUTE = 1
    client = _client(member)
    assert _post(client, _list_url(story), {"body": "One"}).status_code == 303
    response = _post(client, _list_url(story), {"body": "Two"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "commenting very quickly" in response.content.decode()


def test_blocked_reply_is_refused_with_a_message(
    story: Any, member: User, other_member: User
) -> None:
    from gemeinsam.accounts.models import Block

    top = services.post_comment(author=member, target=story, body="Top")
    Block.objects.create(blocker=member, blocked=other_member)
    client = _client(other_member)
    response = _post(client, _list_url(story), {"body": "Hey", "parent_id": top.pk})
    assert response.status_code == 403
    assert "cannot reply" in response.content.decode()


def test_anonymous_readers_get_no_form_and_no_cookie(story: Any, member: User) -> None:
    services.post_comment(author=member, target=story, body="Visible")
    response = Client().get(_list_url(story))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Visible" in html
    assert "Sign in to comment" in html
    assert "<form" not in html.split('id="main"')[1]
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies


def test_the_list_answers_htmx_with_the_list_fragment(story: Any, member: User) -> None:
    for number in range(25):
        make_comment(target=story, author=member, body=f"Number {number}")
    response = Client().get(_list_url(story) + "?sort=newest", **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert "Number 24" in html
    assert "Number 4" not in html
    assert "Older comments" in html


def test_thread_page_shows_the_whole_thread(story: Any, member: User) -> None:
    top = make_comment(target=story, author=member, body="Top")
    reply = make_comment(target=story, author=member, body="Deep reply", parent=top)
    response = Client().get(reverse("conversations:thread", args=[reply.pk]))
    assert response.status_code == 200
    assert "Deep reply" in response.content.decode()


def _render_section(story: Any, user: Any) -> str:
    request = RequestFactory().get(story.url)
    request.user = user
    template = Template("{% load conversations_tags %}{% comment_section story %}")
    return template.render(RequestContext(request, {"story": story}))


def test_section_shows_official_edited_and_deleted_marks(
    story: Any, member: User, staff_user: User
) -> None:
    top = services.post_comment(author=member, target=story, body="Question?")
    services.post_comment(author=staff_user, target=story, body="Answer.", parent=top)
    services.edit_comment(user=member, comment=top, body="Question, edited?")
    gone = services.post_comment(author=member, target=story, body="Regret")
    services.delete_comment(user=member, comment=gone)
    html = _render_section(story, AnonymousUser())
    assert "Official" in html
    assert "edited" in html
    assert "[deleted]" in html
    assert "Regret" not in html
    assert "2 comments" in html


def test_section_form_only_for_members(story: Any, member: User) -> None:
    assert "<textarea" not in _render_section(story, AnonymousUser())
    html = _render_section(story, member)
    assert "<textarea" in html
    assert "<label" in html
    assert "Markdown" in html


@pytest.mark.parametrize(("signed_in", "queries"), [(False, 3), (True, 4)])
def test_section_costs_a_fixed_number_of_queries(
    story: Any,
    member: User,
    other_member: User,
    django_assert_num_queries: Any,
    signed_in: bool,
    queries: int,
) -> None:
    user = member if signed_in else AnonymousUser()
    _render_section(story, user)  # content types are cached after the first look-up
    for number in range(3):
        top = make_comment(target=story, author=other_member, body=f"Top {number}")
        make_comment(target=story, author=member, parent=top)
    invalidate(target_scope(story))  # as the services do after commit: counts and lists are cached
    with django_assert_num_queries(queries):
        _render_section(story, user)
    for number in range(30):
        top = make_comment(target=story, author=other_member, body=f"More {number}")
        parent = make_comment(target=story, author=member, parent=top)
        make_comment(target=story, author=other_member, parent=parent)
    invalidate(target_scope(story))
    with django_assert_num_queries(queries):
        _render_section(story, user)


def test_edit_form_is_only_for_the_author_within_the_window(
    story: Any, member: User, other_member: User, settings: Any
) -> None:
    comment = services.post_comment(author=member, target=story, body="Mine")
    url = reverse("conversations:edit", args=[comment.pk])
    assert _client(other_member).get(url).status_code == 403
    assert _client(member).get(url).status_code == 200
    settings.GEMEINSAM_COMMENT_EDIT_MINUTES = 0
    response = _client(member).get(url)
    assert response.status_code == 403
    assert "0 minutes" in response.content.decode()


def test_deleted_comments_offer_no_reply_form(story: Any, member: User) -> None:
    comment = services.post_comment(author=member, target=story, body="Gone soon")
    services.delete_comment(user=member, comment=comment)
    response = _client(member).get(reverse("conversations:reply", args=[comment.pk]))
    assert response.status_code == 404


def test_thread_pages_follow_the_path_cursor(
    story: Any, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gemeinsam.conversations import selectors

    monkeypatch.setattr(selectors, "THREAD_PAGE_SIZE", 2)
    top = make_comment(target=story, author=member, body="Top")
    first = make_comment(target=story, author=member, body="Reply one", parent=top)
    make_comment(target=story, author=member, body="Reply one-one", parent=first)
    make_comment(target=story, author=member, body="Reply two", parent=top)
    url = reverse("conversations:thread", args=[top.pk])
    html = Client().get(url).content.decode()
    assert "Reply one-one" in html
    assert "Reply two" not in html
    after = selectors.comment_thread(comment=top, user=None).next_cursor
    assert after is not None
    html = Client().get(url, {"after": after}).content.decode()
    assert "Reply two" in html
    assert "Reply one-one" not in html


def _rendered_delete_form(html: str, comment: Comment) -> tuple[str, dict[str, str]]:
    """The Delete form of ``comment`` as the page renders it: its action and its fields."""
    import re

    action = reverse("conversations:delete", args=[comment.pk])
    match = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html)
    assert match is not None, "the page shows no Delete form for the comment"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', match[1]))
    return action, fields


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_the_delete_form_as_rendered_on_the_story_page_deletes_the_comment(
    story: Any, member: User, staff_user: User, who: str
) -> None:
    comment = services.post_comment(author=member, target=story, body="Regret this")
    services.post_comment(author=staff_user, target=story, body="Another")
    client = _client(member if who == "author" else staff_user)
    for url in (story.url, _list_url(story)):  # the page, then the list as htmx loads it
        html = client.get(url).content.decode()
        action, fields = _rendered_delete_form(html, comment)
        assert fields.get("csrfmiddlewaretoken"), "the Delete form carries no CSRF token"
    response = client.post(action, fields)
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.is_deleted


def test_the_shared_comment_list_keeps_no_viewer_s_csrf_token(
    story: Any, member: User, other_member: User
) -> None:
    services.post_comment(author=member, target=story, body="Mine")
    services.post_comment(author=other_member, target=story, body="Theirs")
    invalidate(target_scope(story))
    first = _client(member).get(_list_url(story), **HTMX).content.decode()
    second = _client(other_member).get(_list_url(story), **HTMX).content.decode()
    assert first.count("csrfmiddlewaretoken") == 1  # only the viewer's own Delete form
    assert second.count("csrfmiddlewaretoken") == 1
