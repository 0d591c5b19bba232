"""Members follow, fan, fave and share; followers see it in their feed; owners are notified."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from gemeinsam.accounts.models import Block, Mute, User
from gemeinsam.community import selectors, services
from gemeinsam.community.models import (
    Activity,
    EngagementCount,
    Fan,
    Fave,
    Follow,
    Notification,
    TagFollow,
)
from gemeinsam.newsroom.models import ArticlePage, PressReleasePage
from gemeinsam.newsroom.tests.factories import publish_committed

pytestmark = pytest.mark.django_db


def make_member(email: str) -> User:
    return User.objects.create_user(email=email, password="pw-123456789", display_name=email[:5])


def csrf_client(user: User) -> tuple[Client, str]:
    """A signed-in client with CSRF checks on, and the token from a page with a form."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/en/")  # the fan button's form sets the token
    return client, client.cookies["csrftoken"].value


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (events, purges) that the test transaction would hold."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def story(newsroom):
    return newsroom.add_story(ArticlePage, title="Community roof")


def target_url(kind: str, story) -> str:
    content_type = ContentType.objects.get_for_model(story)
    return f"/en/community/{kind}/{content_type.pk}/{story.pk}/"


def test_member_faves_a_story_without_javascript(story, member) -> None:
    client, token = csrf_client(member)

    response = client.post(
        target_url("fave", story), {"on": "1", "csrfmiddlewaretoken": token, "next": story.url}
    )

    assert response.status_code == 303
    assert response["Location"] == story.url + "#engagement"
    assert Fave.objects.filter(user=member).count() == 1
    assert EngagementCount.objects.get().faves == 1
    assert "1 fave" in client.get(story.url).content.decode()


def test_fave_with_htmx_returns_the_updated_bar(story, member) -> None:
    client, token = csrf_client(member)

    response = client.post(
        target_url("fave", story), {"on": "1", "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div class="engagement"')
    assert 'aria-pressed="true"' in html


def test_faving_twice_counts_once_and_unfave_subtracts(story, member) -> None:
    services.set_fave(user=member, target=story, faved=True)
    services.set_fave(user=member, target=story, faved=True)
    assert EngagementCount.objects.get().faves == 1

    services.set_fave(user=member, target=story, faved=False)
    assert EngagementCount.objects.get().faves == 0
    assert not Fave.objects.exists()


def test_write_endpoints_refuse_anonymous_and_need_csrf(story, member) -> None:
    anonymous = Client(enforce_csrf_checks=True)
    anonymous.get("/en/accounts/login/")
    token = anonymous.cookies["csrftoken"].value
    for url in (
        target_url("fave", story),
        target_url("share", story),
        f"/en/community/follow/{member.pk}/",
        "/en/community/fan/",
    ):
        response = anonymous.post(url, {"on": "1", "csrfmiddlewaretoken": token})
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(target_url("fave", story), {"on": "1"}).status_code == 403
    assert not Fave.objects.exists()


def test_unknown_or_unpublished_targets_are_404(newsroom, member) -> None:
    draft = newsroom.add_story(ArticlePage, title="Draft", publish=False)
    client = Client()
    client.force_login(member)

    assert client.post(target_url("fave", draft), {"on": "1"}).status_code == 404
    assert client.post("/en/community/fave/999999/1/", {"on": "1"}).status_code == 404


def test_share_appears_in_a_followers_home_feed(story, member, run_on_commit) -> None:
    follower = make_member("follower@example.org")
    services.follow_member(user=follower, member=member)

    with run_on_commit(execute=True):
        services.set_share(user=member, target=story, shared=True)
    client = Client()
    client.force_login(follower)
    with_share = client.get("/en/community/feed/").content.decode()

    assert "shared" in with_share
    assert "Community roof" in with_share
    assert Activity.objects.filter(actor=member, verb="shared").exists()


def test_new_follower_and_faves_of_own_content_notify(member, run_on_commit) -> None:
    fan = make_member("fan@example.org")

    with run_on_commit(execute=True):
        services.follow_member(user=fan, member=member)

    note = Notification.objects.get(recipient=member)
    assert note.verb == "followed"
    assert selectors.unread_notification_count(member) == 1
    services.mark_notifications_read(user=member)
    assert selectors.unread_notification_count(member) == 0


def test_blocked_members_cannot_follow_and_muted_ones_do_not_notify(member) -> None:
    other = make_member("other@example.org")
    Block.objects.create(blocker=member, blocked=other)
    with pytest.raises(services.FollowBlockedError):
        services.follow_member(user=other, member=member)

    third = make_member("third@example.org")
    Mute.objects.create(muter=member, muted=third)
    services.follow_member(user=third, member=member)
    assert not Notification.objects.filter(recipient=member).exists()
    assert Follow.objects.filter(follower=third).exists()


def test_muted_members_leave_the_home_feed(story, member, run_on_commit) -> None:
    loud = make_member("loud@example.org")
    services.follow_member(user=member, member=loud)
    with run_on_commit(execute=True):
        services.set_fave(user=loud, target=story, faved=True)
    assert any(e.activity for e in selectors.FeedService().home(user=member))

    Mute.objects.create(muter=member, muted=loud)

    assert not any(e.activity for e in selectors.FeedService().home(user=member))


def test_fans_are_counted_on_the_home_page(newsroom, member, run_on_commit) -> None:
    client, token = csrf_client(member)
    with run_on_commit(execute=True):
        client.post("/en/community/fan/", {"on": "1", "csrfmiddlewaretoken": token})

    assert Fan.objects.count() == 1
    html = Client().get("/en/").content.decode()
    assert "<strong>1</strong> fan" in html
    assert "Sign in to become a fan" in html


def test_following_a_tag_marks_its_stories_in_the_feed(newsroom, member) -> None:
    story = newsroom.add_story(ArticlePage, title="Tagged", publish=False)
    story.tags.add("solar")
    story.save_revision().publish()
    services.follow_tag(user=member, tag=Tag.objects.get(slug="solar"))

    entries = selectors.FeedService().home(user=member)

    assert [entry.tags for entry in entries if entry.title == "Tagged"] == [["solar"]]


def test_a_tag_only_an_embargoed_release_carries_cannot_be_followed(newsroom, member) -> None:
    """Following it would confirm the tag's name before the lift: it is as unknown as a tag
    that does not exist. After the lift it can be followed."""
    release = newsroom.add_story(PressReleasePage, publish=False, title="Merger")
    release.tags.add("acme-merger")
    release.go_live_at = timezone.now() + timedelta(hours=1)
    release.save_revision().publish()  # scheduled: live only at the lift
    client = Client()
    client.force_login(member)
    url = "/en/community/tags/acme-merger/follow/"

    hidden = client.post(url, {"on": "1"}, HTTP_HX_REQUEST="true")
    unknown = client.post(
        "/en/community/tags/no-such-tag/follow/", {"on": "1"}, HTTP_HX_REQUEST="true"
    )

    assert hidden.status_code == unknown.status_code == 404
    # The same answer as for a made-up tag, but for the address the visitor typed.
    assert hidden.content.decode().replace("acme-merger", "no-such-tag") == unknown.content.decode()
    assert not TagFollow.objects.exists()

    news = newsroom.add_story(ArticlePage, publish=False, title="Merger news")
    news.tags.add("acme-merger")
    publish_committed(news)
    assert client.post(url, {"on": "1"}).status_code == 303
    assert TagFollow.objects.filter(user=member).count() == 1


def test_mastodon_share_asks_before_leaving_for_the_members_server(client) -> None:
    ok = client.get(
        "/en/community/share-on-mastodon/",
        {"instance": "@me@social.example", "text": "Look https://x.example/", "back": "/en/x/"},
    )
    html = ok.content.decode()

    assert ok.status_code == 200  # a page to confirm on, not a redirect
    assert "Location" not in ok
    assert "You are leaving Gemeinsam for <strong>social.example</strong>" in html
    assert 'href="https://social.example/share?text=Look%20https%3A//x.example/"' in html
    assert 'href="/en/x/">Stay here</a>' in html
    assert ok["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("instance", ["javascript:alert(1)", "evil.example/<b>", ""])
def test_mastodon_share_explains_a_bad_server_name(client, instance) -> None:
    bad = client.get(
        "/en/community/share-on-mastodon/",
        {"instance": instance, "back": "https://evil.example/"},
    )
    html = bad.content.decode()

    assert bad.status_code == 400
    assert "Please give the address of your Mastodon server, like mastodon.social." in html
    assert "evil.example/<b>" not in html  # shown escaped, if at all
    assert 'name="instance"' in html  # the form again, to correct the name
    assert 'name="back" value="/"' in html  # only a path on this site to go back to


def test_mastodon_share_page_speaks_german(client) -> None:
    response = client.get("/de/community/share-on-mastodon/", {"instance": "social.example"})

    assert (
        "Sie verlassen Gemeinsam für <strong>social.example</strong>" in response.content.decode()
    )


def test_anonymous_story_page_has_no_forms_and_sets_no_cookie(story, client) -> None:
    response = client.get(story.url)

    assert "Sign in to fave and share" in response.content.decode()
    assert not response.cookies


def test_home_feed_query_count_is_fixed(
    newsroom, member, django_assert_num_queries, run_on_commit
) -> None:
    for number in range(5):
        other = make_member(f"m{number}@example.org")
        services.follow_member(user=member, member=other)
        story = newsroom.add_story(ArticlePage, title=f"S{number}")
        with run_on_commit(execute=True):
            services.set_fave(user=other, target=story, faved=True)
            services.set_share(user=other, target=story, shared=True)
    client = Client()
    client.force_login(member)
    client.get("/en/community/feed/")

    # The host's stories (and their tags) come from the cache after the first view.
    with django_assert_num_queries(12):
        response = client.get("/en/community/feed/")

    assert response.content.decode().count("feed-entry") >= 10


def test_profile_shows_public_activity_and_a_follow_button(story, member, run_on_commit) -> None:
    with run_on_commit(execute=True):
        services.set_fave(user=member, target=story, faved=True)
    viewer = make_member("viewer@example.org")
    client = Client()
    client.force_login(viewer)

    html = client.get(f"/en/members/{member.pk}/").content.decode()

    assert "Faved" in html
    assert "Community roof" in html
    assert "Follow " in html
    assert "0 followers" in html
    assert Client().get("/en/members/999999/").status_code == 404


def test_profile_page_query_count_is_fixed(
    newsroom, member, run_on_commit, settings, django_assert_num_queries
) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    for number in range(6):
        story = newsroom.add_story(ArticlePage, title=f"Story {number}")
        with run_on_commit(execute=True):
            services.set_fave(user=member, target=story, faved=True)
            services.set_share(user=member, target=story, shared=True)
    client = Client()
    client.get(f"/en/members/{member.pk}/")
    client.get("/en/members/999999/")

    # Profile, activity, follower count, the stories (one query per content type) and the
    # site's root for their addresses.
    with django_assert_num_queries(5):
        response = client.get(f"/en/members/{member.pk}/")

    assert response.content.decode().count("feed-entry") == 12


@pytest.mark.slow
def test_home_feed_of_a_member_following_500_costs_the_same_queries(
    newsroom, member, settings, django_assert_num_queries
) -> None:
    """500 followed members, each with activity: the feed still costs a fixed number."""
    story = newsroom.add_story(ArticlePage, title="Popular")
    content_type = ContentType.objects.get_for_model(story)
    others = User.objects.bulk_create(
        [User(email=f"f{number}@example.org", display_name=f"F{number}") for number in range(500)]
    )
    Follow.objects.bulk_create([Follow(follower=member, followed=other) for other in others])
    Activity.objects.bulk_create(
        [
            Activity(actor=other, verb="faved", content_type=content_type, object_id=story.pk)
            for other in others
        ]
    )
    client = Client()
    client.force_login(member)
    client.get("/en/community/feed/")

    # The host's stories (and their tags) come from the cache after the first view.
    with django_assert_num_queries(12):
        response = client.get("/en/community/feed/")

    assert response.content.decode().count("feed-entry") == 30


def test_notifications_page_costs_a_fixed_number_of_queries(
    member, run_on_commit, django_assert_num_queries
) -> None:
    for number in range(40):
        fan = make_member(f"n{number}@example.org")
        with run_on_commit(execute=True):
            services.follow_member(user=fan, member=member)
    client = Client()
    client.force_login(member)
    client.get("/en/community/notifications/")

    # Session, member, then twice (the list, the unread badge): the kinds of content the
    # notifications are about, and one query that leaves out muted members and hidden
    # content in SQL; and the member's permissions for the page header.
    with django_assert_num_queries(8):
        response = client.get("/en/community/notifications/")

    assert response.content.decode().count("feed-entry") == 30


def test_notifications_about_hidden_comments_disappear(story, member, run_on_commit) -> None:
    from gemeinsam.conversations.models import Comment
    from gemeinsam.conversations.services import post_comment, set_comment_hidden

    writer = make_member("writer@example.org")
    with run_on_commit(execute=True):
        post_comment(author=writer, target=story, body=f"Hey @member-{member.pk}, rude words")
    assert [n.verb for n in selectors.notifications(user=member)] == ["mentioned"]

    set_comment_hidden(Comment.objects.get(author=writer), True)

    assert selectors.notifications(user=member) == []


def test_unfaving_takes_the_fave_out_of_followers_feeds(story, member, run_on_commit) -> None:
    follower = make_member("watcher@example.org")
    services.follow_member(user=follower, member=member)
    with run_on_commit(execute=True):
        services.set_fave(user=member, target=story, faved=True)
    assert any(entry.activity for entry in selectors.FeedService().home(user=follower))

    services.set_fave(user=member, target=story, faved=False)

    assert not any(entry.activity for entry in selectors.FeedService().home(user=follower))


def test_unread_count_leaves_out_hidden_content_and_muted_members(
    story, member, run_on_commit, django_assert_num_queries
) -> None:
    from gemeinsam.accounts.services import set_profile_hidden
    from gemeinsam.conversations.models import Comment, DiscussionTopic
    from gemeinsam.conversations.services import (
        post_comment,
        set_comment_hidden,
        set_thread_hidden,
        start_thread,
    )

    writer = make_member("writer@example.org")
    fan = make_member("fan@example.org")
    loud = make_member("loud@example.org")
    topic = DiscussionTopic.objects.create(name="Energy", slug="energy")
    thread = start_thread(author=member, topic=topic, title="My question", body="")
    with run_on_commit(execute=True):
        post_comment(author=writer, target=story, body=f"Hey @member-{member.pk}")
        services.set_fave(user=writer, target=thread, faved=True)
        services.follow_member(user=fan, member=member)
        services.follow_member(user=loud, member=member)
    client = Client()
    client.force_login(member)

    def badge() -> str:
        html = client.get("/en/community/feed/").content.decode()
        found = re.search(r'<span class="badge">(\d+)<span class="visually-hidden"> unread', html)
        return found.group(1) if found else "none"

    assert selectors.unread_notification_count(member) == 4
    assert badge() == "4"
    Mute.objects.create(muter=member, muted=loud)
    set_comment_hidden(Comment.objects.get(author=writer), True)
    assert selectors.unread_notification_count(member) == 2
    set_thread_hidden(thread, True)
    set_profile_hidden(fan, True)

    assert selectors.unread_notification_count(member) == 0
    assert selectors.notifications(user=member) == []
    assert badge() == "none"
    set_thread_hidden(thread, False)
    set_profile_hidden(fan, False)
    with django_assert_num_queries(2):  # the kinds of content, then the count
        assert selectors.unread_notification_count(member) == 2
    assert badge() == "2"
    assert selectors.unread_notification_count(member) == len(selectors.notifications(user=member))
    Notification.objects.create(recipient=member, verb="followed")  # from no one, about nothing
    assert selectors.unread_notification_count(member) == 3
    services.mark_notifications_read(user=member)
    with django_assert_num_queries(1):
        assert selectors.unread_notification_count(member) == 0
