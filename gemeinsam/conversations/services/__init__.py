"""Writes for comments, discussions and mentions; callers import them from here.

``comments`` posts, edits, deletes, imports and hides comments; ``discussions`` starts and
moderates discussions; ``mentions`` finds and announces the members a text mentions.
"""

from __future__ import annotations

from gemeinsam.conversations.services.comments import (
    DUPLICATE_SECONDS,
    MAX_BODY_LENGTH,
    CommentError,
    CommentsClosedError,
    DuplicateCommentError,
    EditWindowClosedError,
    InvalidCommentError,
    NotAllowedError,
    ParentUnavailableError,
    ReplyBlockedError,
    TargetUnavailableError,
    comment_score,
    delete_comment,
    edit_comment,
    edit_minutes,
    erase_member_comments,
    import_comment,
    post_comment,
    post_limit,
    record_count_change,
    set_comment_hidden,
)
from gemeinsam.conversations.services.discussions import (
    THREAD_BODY_MAX,
    THREAD_TITLE_MAX,
    THREAD_TITLE_MIN,
    DiscussionError,
    DiscussionNotAllowedError,
    InvalidThreadError,
    TopicClosedError,
    clean_thread_title,
    erase_member_threads,
    record_thread_count_change,
    set_thread_hidden,
    set_thread_locked,
    start_thread,
    thread_limit,
)
from gemeinsam.conversations.services.mentions import (
    mentioned_members,
)
from gemeinsam.core.ranking import wilson_lower_bound

__all__ = [
    "DUPLICATE_SECONDS",
    "MAX_BODY_LENGTH",
    "THREAD_BODY_MAX",
    "THREAD_TITLE_MAX",
    "THREAD_TITLE_MIN",
    "CommentError",
    "CommentsClosedError",
    "DiscussionError",
    "DiscussionNotAllowedError",
    "DuplicateCommentError",
    "EditWindowClosedError",
    "InvalidCommentError",
    "InvalidThreadError",
    "NotAllowedError",
    "ParentUnavailableError",
    "ReplyBlockedError",
    "TargetUnavailableError",
    "TopicClosedError",
    "clean_thread_title",
    "comment_score",
    "delete_comment",
    "edit_comment",
    "edit_minutes",
    "erase_member_comments",
    "erase_member_threads",
    "import_comment",
    "mentioned_members",
    "post_comment",
    "post_limit",
    "record_count_change",
    "record_thread_count_change",
    "set_comment_hidden",
    "set_thread_hidden",
    "set_thread_locked",
    "start_thread",
    "thread_limit",
    "wilson_lower_bound",
]
