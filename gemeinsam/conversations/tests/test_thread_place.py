"""The one rule for where a comment stands in its thread."""

from __future__ import annotations

from gemeinsam.conversations.models import (
    ThreadPlace,
    ancestors_in_path,
    path_segment,
    place_in_thread,
)


def test_a_top_level_comment_starts_its_own_thread() -> None:
    place = place_in_thread(12, None)
    assert place == ThreadPlace(12, path_segment(12), 0, None)
    assert ancestors_in_path(place.path) == []


def test_a_reply_extends_the_path_and_keeps_the_root() -> None:
    top = place_in_thread(12, None)
    reply = place_in_thread(45, top)
    assert reply == ThreadPlace(45, "0000000012/0000000045/", 1, 12)
    deeper = place_in_thread(46, reply)
    assert deeper == ThreadPlace(46, "0000000012/0000000045/0000000046/", 2, 12)
    assert ancestors_in_path(deeper.path) == [12, 45]
