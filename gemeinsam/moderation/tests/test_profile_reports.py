"""Anyone reports a member's profile; community managers hide it everywhere or restore it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gemeinsam.accounts import services as accounts
from gemeinsam.accounts.models import User
from gemeinsam.accounts.roles import COMMUNITY_MANAGER
from gemeinsam.community import selectors as community_selectors
from gemeinsam.community import services as community
from gemeinsam.conversations.services import post_comment
from gemeinsam.moderation.models import Report
from gemeinsam.newsroom.models import ArticlePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db: Any) -> User:
    user = User.objects.create_user(email="cm@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=COMMUNITY_MANAGER))
    return user


@pytest.fixture
def loud(db: Any, django_capture_on_commit_callbacks: Any) -> User:
    """A member with a full profile: name, text about them, a link and an avatar (processed
    by its task, which runs once the save commits)."""
    user = User.objects.create_user(email="loud@example.org", password="correct-horse-9")
    picture = io.BytesIO()
    Image.new("RGB", (60, 60), (10, 120, 200)).save(picture, format="PNG")
    with django_capture_on_commit_callbacks(execute=True):
        accounts.update_profile(
            actor=user,
            user=user,
            display_name="Loud Larry",
            bio="Buy my miracle pills",
            links=["https://pills.example.org/"],
            avatar=SimpleUploadedFile("me.png", picture.getvalue(), content_type="image/png"),
        )
    user.refresh_from_db()  # the profile the task finished, not the one the save returned
    return user


def profile_url(user: User) -> str:
    return f"/en/members/{user.pk}/"


def report_url(user: User) -> str:
    return f"/en/report/{ContentType.objects.get_for_model(user).pk}/{user.pk}/"


def _csrf_client(user: User | None = None, page: str = "/en/accounts/login/") -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(page)
    return client


def test_anyone_reports_a_profile_from_its_page(loud: User, member: User) -> None:
    page = Client().get(profile_url(loud)).content.decode()
    own = _csrf_client(loud)
    assert f'href="{report_url(loud)}"' in page
    assert "Report this profile" in page
    assert report_url(loud) not in own.get(profile_url(loud)).content.decode()

    anonymous = _csrf_client(page=report_url(loud))
    form = anonymous.get(report_url(loud))
    sent = anonymous.post(
        report_url(loud),
        {
            "reason": "spam",
            "details": "Sells pills",
            "csrfmiddlewaretoken": anonymous.cookies["csrftoken"].value,
        },
    )
    signed_in = _csrf_client(member, page=report_url(loud))
    signed_in.post(
        report_url(loud),
        {"reason": "harassment", "csrfmiddlewaretoken": signed_in.cookies["csrftoken"].value},
    )

    assert form.status_code == 200
    assert "Loud Larry" in form.content.decode()
    assert sent.status_code == 200
    reports = list(Report.objects.order_by("pk"))
    assert [(r.reason, r.reporter, r.url) for r in reports] == [
        ("spam", None, profile_url(loud)),
        ("harassment", member, profile_url(loud)),
    ]


def test_manager_hides_a_profile_everywhere_and_restores_it(
    newsroom: Any,
    loud: User,
    member: User,
    manager: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    story = newsroom.add_story(ArticlePage, title="Pill story")
    post_comment(author=loud, target=story, body="My pills cure everything")
    avatar_url = loud.profile.avatar.url
    assert Client().get(avatar_url).status_code == 200
    Client().post(report_url(loud), {"reason": "spam"})
    client = Client()
    client.force_login(manager)
    queue = client.get("/admin/reports/").content.decode()
    assert "Loud Larry" in queue

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/reports/{Report.objects.get().pk}/decide/", {"hide": "1"})

    loud.refresh_from_db()
    assert loud.profile_hidden
    assert Report.objects.get().status == "hidden"
    for viewer in (None, member):
        reader = Client()
        if viewer is not None:
            reader.force_login(viewer)
        hidden = reader.get(profile_url(loud))
        html = hidden.content.decode()
        assert hidden.status_code == 404
        assert "This profile is hidden" in html
        for private in ("Loud Larry", "miracle pills", "pills.example.org", avatar_url):
            assert private not in html
        assert reader.get(avatar_url).status_code == 404
        story_html = reader.get(story.url).content.decode()
        assert "Loud Larry" not in story_html
        assert "hidden member" in story_html
        assert "My pills cure everything" in story_html  # the comment itself is not hidden
    assert Client().get(report_url(loud)).status_code == 404  # nothing left to report
    # The member still sees their own profile, with a word on why others do not.
    own = Client()
    own.force_login(loud)
    own_page = own.get(profile_url(loud)).content.decode()
    assert "Loud Larry" in own_page
    assert "The community managers hid your profile" in own_page
    assert own.get(avatar_url).status_code == 200
    # The community managers see it too, to judge whether to restore it.
    assert client.get(profile_url(loud)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/reports/{Report.objects.get().pk}/decide/", {"hide": "0"})

    loud.refresh_from_db()
    assert not loud.profile_hidden
    restored = Client().get(profile_url(loud))
    assert restored.status_code == 200
    assert "Buy my miracle pills" in restored.content.decode()
    assert "Loud Larry" in Client().get(story.url).content.decode()
    assert Client().get(avatar_url).status_code == 200


def test_a_hidden_followers_notification_leaves_the_list(
    loud: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        community.follow_member(user=loud, member=member)
    notes = community_selectors.notifications(user=member)
    assert [(n.verb, n.url) for n in notes] == [("followed", profile_url(loud))]
    reader = Client()
    reader.force_login(member)
    assert f'<a href="{profile_url(loud)}">Loud Larry</a> followed you' in (
        reader.get("/en/community/notifications/").content.decode()
    )

    accounts.set_profile_hidden(loud, True)

    assert community_selectors.notifications(user=member) == []


def test_profiles_cannot_be_faved_shared_rated_or_commented(loud: User, member: User) -> None:
    content_type = ContentType.objects.get_for_model(loud).pk
    client = _csrf_client(member, page=profile_url(loud))
    token = client.cookies["csrftoken"].value

    for url in (
        f"/en/community/fave/{content_type}/{loud.pk}/",
        f"/en/community/share/{content_type}/{loud.pk}/",
        f"/en/ratings/{content_type}/{loud.pk}/",
        f"/en/comments/{content_type}/{loud.pk}/",
    ):
        data = {"on": "1", "stars": "8", "body": "Hi", "csrfmiddlewaretoken": token}
        assert client.post(url, data).status_code == 404, url
    with pytest.raises(community.CommunityError):
        community.set_fave(user=member, target=loud, faved=True)
