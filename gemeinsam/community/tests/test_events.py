"""The typed events and their notification rules agree with what the community stores."""

from __future__ import annotations

from types import SimpleNamespace

from gemeinsam.community.models import Activity, Notification
from gemeinsam.core.events import (
    EVENT_TYPES,
    Commented,
    Followed,
    Mentioned,
    NoticeVerb,
    Replied,
    StartedThread,
)


def test_every_event_shown_in_feeds_is_an_activity_verb() -> None:
    in_feeds = {event.verb for event in EVENT_TYPES if event.in_feeds}
    assert in_feeds == set(Activity.Verb.values)
    assert len({event.verb for event in EVENT_TYPES}) == len(EVENT_TYPES)


def test_every_notice_verb_is_a_notification_verb() -> None:
    assert {verb.value for verb in NoticeVerb} == set(Notification.Verb.values)


def test_events_carry_their_own_notification_rules() -> None:
    alice, bob, carol = (SimpleNamespace(pk=pk) for pk in (1, 2, 3))
    parent = SimpleNamespace(author=bob, author_id=bob.pk)
    reply = Replied(actor=alice, target=None, comment="reply", parent=parent, mentioned=[carol])
    assert [(n.recipient, n.verb, n.about) for n in reply.notices()] == [
        (bob, NoticeVerb.REPLIED, "reply")
    ]
    assert reply.new_comment() == "reply"
    assert reply.told_ids() == {alice.pk, bob.pk, carol.pk}

    comment = Commented(actor=alice, target=None, comment="comment")
    assert comment.notices() == []
    assert comment.told_ids() == {alice.pk}

    mention = Mentioned(actor=alice, target=None, comment="comment", users=[bob, carol])
    assert [(n.recipient, n.by_mail) for n in mention.notices()] == [(bob, True), (carol, True)]
    assert not Mentioned.in_feeds

    follow = Followed(actor=alice, target=bob)
    assert [(n.recipient, n.verb, n.about) for n in follow.notices()] == [
        (bob, NoticeVerb.FOLLOWED, alice)
    ]
    assert StartedThread.actor_follows
    assert not Commented.actor_follows
