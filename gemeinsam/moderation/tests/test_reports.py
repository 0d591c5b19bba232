"""Anyone reports content; community managers hide it everywhere or dismiss the report."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.test import Client

from gemeinsam.accounts.models import User
from gemeinsam.accounts.roles import COMMUNITY_MANAGER
from gemeinsam.core import engagement
from gemeinsam.moderation.models import Report
from gemeinsam.newsroom.models import Author

pytestmark = pytest.mark.django_db


@pytest.fixture
def hideable(monkeypatch: pytest.MonkeyPatch) -> tuple[Author, set[int]]:
    """A registered kind of content that can be hidden (authors stand in for any)."""
    hidden: set[int] = set()

    class AuthorKind(engagement.TargetKind[Author]):
        model = Author
        label = "author"
        hideable = True

        def get_url(self, obj: Author) -> str:
            return f"/en/authors/{obj.slug}/"

        def get_title(self, obj: Author) -> str:
            return obj.name

        def is_public(self, obj: Author) -> bool:
            return obj.pk not in hidden

        def public_queryset(self) -> QuerySet[Author]:
            return Author.objects.exclude(pk__in=hidden)

        def set_hidden(self, obj: Author, value: bool) -> None:
            (hidden.add if value else hidden.discard)(obj.pk)

        def is_hidden(self, obj: Author) -> bool:
            return obj.pk in hidden

    kinds = dict(engagement._kinds)
    kinds[Author] = AuthorKind()
    monkeypatch.setattr(engagement, "_kinds", kinds)
    return Author.objects.create(name="Loud Writer", slug="loud"), hidden


@pytest.fixture
def manager(db) -> User:
    user = User.objects.create_user(email="cm@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=COMMUNITY_MANAGER))
    return user


def report_url(obj: Author) -> str:
    return f"/en/report/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


def test_anyone_can_report_with_a_reason(hideable) -> None:
    author, _hidden = hideable
    client = Client(enforce_csrf_checks=True)
    form = client.get(report_url(author))
    token = client.cookies["csrftoken"].value

    missing = client.post(report_url(author), {"csrfmiddlewaretoken": token})
    sent = client.post(
        report_url(author), {"reason": "spam", "details": "Buy now", "csrfmiddlewaretoken": token}
    )

    assert form.status_code == 200
    assert missing.status_code == 400
    assert sent.status_code == 200
    report = Report.objects.get()
    assert (report.reason, report.details, report.reporter) == ("spam", "Buy now", None)


def test_manager_hides_and_restores(hideable, manager) -> None:
    author, hidden = hideable
    Client().post(report_url(author), {"reason": "harassment"})
    report = Report.objects.get()
    client = Client()
    client.force_login(manager)

    queue = client.get("/admin/reports/")
    client.post(f"/admin/reports/{report.pk}/decide/", {"hide": "1"})

    assert "Loud Writer" in queue.content.decode()
    assert author.pk in hidden
    report.refresh_from_db()
    assert report.status == "hidden"
    assert report.handled_by == manager
    assert Client().get(report_url(author)).status_code == 404  # hidden: nothing to report

    client.post(f"/admin/reports/{report.pk}/decide/", {"hide": "0"})

    assert author.pk not in hidden
    report.refresh_from_db()
    assert report.status == "dismissed"


def test_members_cannot_decide(hideable, member) -> None:
    author, hidden = hideable
    Client().post(report_url(author), {"reason": "spam"})
    client = Client()
    client.force_login(member)

    response = client.post(f"/admin/reports/{Report.objects.get().pk}/decide/", {"hide": "1"})

    assert response.status_code in (302, 403)
    assert not hidden


def test_content_that_cannot_be_hidden_cannot_be_reported(newsroom, client) -> None:
    from gemeinsam.newsroom.models import ArticlePage

    story = newsroom.add_story(ArticlePage, title="Host story")
    url = f"/en/report/{ContentType.objects.get_for_model(story).pk}/{story.pk}/"

    assert client.get(url).status_code == 404


def test_a_hidden_comment_disappears_from_the_story(
    newsroom, member, manager, django_capture_on_commit_callbacks
) -> None:
    from gemeinsam.conversations.services import post_comment
    from gemeinsam.newsroom.models import ArticlePage

    story = newsroom.add_story(ArticlePage, title="Commented story")
    comment = post_comment(author=member, target=story, body="Rude words here")
    assert "Rude words here" in Client().get(story.url).content.decode()
    url = f"/en/report/{ContentType.objects.get_for_model(comment).pk}/{comment.pk}/"
    assert Client().post(url, {"reason": "harassment"}).status_code == 200
    client = Client()
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/reports/{Report.objects.get().pk}/decide/", {"hide": "1"})

    comment.refresh_from_db()
    assert comment.is_hidden
    assert "Rude words here" not in Client().get(story.url).content.decode()


@pytest.mark.parametrize("hide", ["1", "0"])
def test_reports_about_deleted_content_are_closed_cleanly(hideable, manager, hide) -> None:
    author, _hidden = hideable
    Client().post(report_url(author), {"reason": "spam"})
    Client().post(report_url(author), {"reason": "harassment"})
    first = Report.objects.order_by("pk").first()
    url = report_url(author)
    author.delete()
    client = Client()
    client.force_login(manager)

    queue = client.get("/admin/reports/")
    decided = client.post(f"/admin/reports/{first.pk}/decide/", {"hide": hide})
    after = client.get("/admin/reports/?status=open")

    assert queue.status_code == 200
    assert "(deleted)" in queue.content.decode()
    assert decided.status_code == 303
    assert decided["Location"] == "/admin/reports/"
    expected = "hidden" if hide == "1" else "dismissed"
    assert set(Report.objects.values_list("status", flat=True)) == {expected}
    assert set(Report.objects.values_list("handled_by", flat=True)) == {manager.pk}
    assert "No reports here." in after.content.decode()
    assert "The content was deleted after it was reported" in after.content.decode()
    assert Client().get(url).status_code == 404  # nothing left to report
