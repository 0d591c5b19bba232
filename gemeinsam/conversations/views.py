"""Comment endpoints: list and post on a target, reply, edit, delete, read a whole thread;
and the discussion pages: topics, a topic's discussions, one discussion with its replies.

Every form works without JavaScript (POST, then 303 back to the page at the comment) and
with htmx (the same form answers with just the changed fragment).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from gemeinsam.conversations import selectors, services
from gemeinsam.conversations.forms import CommentForm, ThreadForm
from gemeinsam.conversations.fragments import comment_list
from gemeinsam.conversations.models import Comment
from gemeinsam.core.engagement import Capability, TargetError, kind_of, resolve_public_target
from gemeinsam.core.http import PLAIN_TEXT, SeeOther, refusal, sign_in_first, status_for
from gemeinsam.core.ratelimit import RateLimitedError


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


def _target_or_404(content_type_id: int, object_id: int) -> Any:
    try:
        return resolve_public_target(content_type_id, object_id, capability=Capability.COMMENT)
    except TargetError:
        raise Http404(_("There is nothing to comment on here.")) from None


def _comment_or_404(comment_id: int) -> tuple[Comment, Any]:
    comment = selectors.visible_comment(comment_id)
    if comment is None:
        raise Http404(_("This comment does not exist."))
    return comment, _target_or_404(comment.content_type_id, comment.object_id)


def _target_url(target: Any) -> str:
    return kind_of(target).get_url(target) or "/"


def _list_url(content_type_id: int, object_id: int) -> str:
    return reverse("conversations:comments", args=[content_type_id, object_id])


def _back_to(target: Any, comment: Comment) -> HttpResponse:
    return SeeOther(f"{_target_url(target)}#comment-{comment.pk}")


# Comment errors that mean the member may not do this (403); the others are about what
# they sent (400).
_FORBIDDEN: tuple[type[Exception], ...] = (
    services.NotAllowedError,
    services.ReplyBlockedError,
    services.EditWindowClosedError,
    services.CommentsClosedError,
)


def _closed_reason(target: Any) -> str:
    """Why ``target`` takes no new comments now (a locked discussion), or ""."""
    return kind_of(target).closed_reason(target)


def _target_context(target: Any, content_type_id: int, object_id: int) -> dict[str, Any]:
    return {
        "closed": _closed_reason(target),
        "target": target,
        "target_title": kind_of(target).get_title(target),
        "target_url": _target_url(target),
        "list_url": _list_url(content_type_id, object_id),
        "content_type_id": content_type_id,
        "object_id": object_id,
    }


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def comments(request: HtmxRequest, content_type_id: int, object_id: int) -> HttpResponse:
    """GET: a page of comments (the list fragment for htmx, a whole page otherwise).
    POST: a new comment, or a reply when ``parent_id`` is given."""
    target = _target_or_404(content_type_id, object_id)
    if request.method == "POST":
        return _post(request, target, content_type_id, object_id)
    return _list_page(request, target, content_type_id, object_id)


def _list_page(
    request: HtmxRequest,
    target: Any,
    content_type_id: int,
    object_id: int,
    *,
    form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    target_context = _target_context(target, content_type_id, object_id)
    closed = _closed_reason(target)
    comments = comment_list(
        request,
        target,
        target_context["list_url"],
        sort=request.GET.get("sort"),
        cursor=request.GET.get("cursor"),
        replies_open=not closed,
    )
    if request.htmx and status == 200:
        return HttpResponse(comments.html)
    context = {
        "comment_list_html": comments.html,
        "comment_total": comments.total,
        "closed": closed,
        "form": form or (CommentForm() if request.user.is_authenticated and not closed else None),
        **target_context,
    }
    return render(request, "conversations/comment_list.html", context, status=status)


def _post(request: HtmxRequest, target: Any, content_type_id: int, object_id: int) -> HttpResponse:
    refused = sign_in_first(request, message=_("Sign in to comment."))
    if refused:
        return refused
    form = CommentForm(request.POST)
    parent: Comment | None = None
    status = 400
    retry_after: int | None = None
    if form.is_valid():
        parent_id = form.cleaned_data.get("parent_id")
        if parent_id:
            parent = selectors.visible_comment(parent_id)
        if parent_id and parent is None:
            form.add_error(None, _("That comment is no longer available for replies."))
        else:
            try:
                comment = services.post_comment(
                    author=request.user,
                    target=target,
                    body=form.cleaned_data["body"],
                    parent=parent,
                )
            except (services.CommentError, RateLimitedError) as error:
                form.add_error(None, str(error))
                status = status_for(error, forbidden=_FORBIDDEN)
                retry_after = getattr(error, "retry_after", None)
            else:
                return _posted(request, target, comment, content_type_id, object_id)
    context = {
        "form": form,
        "parent": parent,
        **_target_context(target, content_type_id, object_id),
    }
    if request.htmx:
        # htmx swaps only successful responses: answer 200 with the form and its error.
        response = render(request, "conversations/_comment_form.html", context)
        form_id = (
            f"reply-form-{parent.pk}" if parent else f"comment-form-{content_type_id}-{object_id}"
        )
        response = reswap(retarget(response, f"#{form_id}"), "outerHTML")
    elif parent is not None:
        response = render(request, "conversations/comment_reply.html", context, status=status)
    else:
        response = _list_page(request, target, content_type_id, object_id, form=form, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _posted(
    request: HtmxRequest, target: Any, comment: Comment, content_type_id: int, object_id: int
) -> HttpResponse:
    if not request.htmx:
        messages.success(request, _("Your comment was posted."))
        return _back_to(target, comment)
    context = {
        "item": selectors.single_view(comment, request.user),
        "form": CommentForm(),
        "parent": comment.parent,
        **_target_context(target, content_type_id, object_id),
    }
    return render(request, "conversations/_comment_created.html", context)


def thread(request: HtmxRequest, comment_id: int) -> HttpResponse:
    """A whole thread, a hundred replies a page (``?after=`` the last path shown)."""
    comment, target = _comment_or_404(comment_id)
    if comment.root is not None and comment.root.is_hidden:
        raise Http404(_("This comment does not exist."))
    thread_page = selectors.comment_thread(
        comment=comment,
        user=request.user,
        after=request.GET.get("after"),
        replies_open=not _closed_reason(target),
    )
    context = {
        "thread_page": thread_page,
        **_target_context(target, comment.content_type_id, comment.object_id),
    }
    return render(request, "conversations/comment_thread.html", context)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def reply(request: HtmxRequest, comment_id: int) -> HttpResponse:
    """The reply form for one comment: a fragment for htmx, a page otherwise."""
    refused = sign_in_first(request, message=_("Sign in to comment."))
    if refused:
        return refused
    comment, target = _comment_or_404(comment_id)
    if comment.is_deleted:
        raise Http404(_("That comment is no longer available for replies."))
    closed = _closed_reason(target)
    if closed:
        return HttpResponse(closed, status=403, content_type=PLAIN_TEXT)
    context = {
        "form": CommentForm(initial={"parent_id": comment.pk}),
        "parent": comment,
        "item": selectors.single_view(comment, request.user),
        **_target_context(target, comment.content_type_id, comment.object_id),
    }
    template = "_comment_form.html" if request.htmx else "comment_reply.html"
    return render(request, f"conversations/{template}", context)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HtmxRequest, comment_id: int) -> HttpResponse:
    """GET: the edit form; POST: save the new text (within the edit window)."""
    refused = sign_in_first(request, message=_("Sign in to edit comments."))
    if refused:
        return refused
    comment, target = _comment_or_404(comment_id)
    status = 200
    if request.method == "POST":
        form = CommentForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.edit_comment(
                    user=request.user,
                    comment=comment,
                    body=form.cleaned_data["body"],
                    target=target,
                )
            except services.CommentError as error:
                form.add_error(None, str(error))
                status = status_for(error, forbidden=_FORBIDDEN)
            else:
                if not request.htmx:
                    messages.success(request, _("Your comment was saved."))
                    return _back_to(target, comment)
                item = selectors.single_view(comment, request.user)
                return render(request, "conversations/_comment.html", {"item": item})
    else:
        if not comment.is_editable_by(request.user):
            message = _(
                "Comments can be edited by their author for %(minutes)d minutes after posting."
            ) % {"minutes": services.edit_minutes()}
            return HttpResponse(message, status=403, content_type=PLAIN_TEXT)
        form = CommentForm(initial={"body": comment.body})
    context = {
        "form": form,
        "comment": comment,
        **_target_context(target, comment.content_type_id, comment.object_id),
    }
    if request.htmx:
        return render(request, "conversations/_comment_edit_form.html", context)
    return render(request, "conversations/comment_edit.html", context, status=status)


@require_POST
def delete(request: HtmxRequest, comment_id: int) -> HttpResponse:
    """Soft-delete a comment (its author, or staff allowed to)."""
    refused = sign_in_first(request, message=_("Sign in to delete comments."))
    if refused:
        return refused
    comment, target = _comment_or_404(comment_id)
    try:
        services.delete_comment(user=request.user, comment=comment)
    except services.CommentError as error:
        return refusal(error, forbidden=_FORBIDDEN)
    if request.htmx:
        item = selectors.single_view(comment, request.user)
        return render(request, "conversations/_comment.html", {"item": item})
    messages.success(request, _("The comment was deleted."))
    return _back_to(target, comment)


# ---------------------------------------------------------------------------- discussions


@require_http_methods(["GET", "HEAD"])
def discussions(request: HtmxRequest) -> HttpResponse:
    """The open topics with how many discussions each has."""
    return render(
        request, "conversations/discussions/topic_list.html", {"topics": selectors.open_topics()}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def topic(request: HtmxRequest, slug: str) -> HttpResponse:
    """GET: a topic's discussions, latest activity first (``?cursor=`` for later pages).
    POST: start a discussion (members), then 303 to it."""
    found = selectors.open_topic(slug)
    if found is None:
        raise Http404(_("This topic does not exist or is closed."))
    form: ThreadForm | None = None
    status = 200
    retry_after: int | None = None
    if request.method == "POST":
        refused = sign_in_first(request, message=_("Sign in to start a discussion."))
        if refused:
            return refused
        form = ThreadForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                thread = services.start_thread(
                    author=request.user,
                    topic=found,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except (services.DiscussionError, RateLimitedError) as error:
                form.add_error(None, str(error))
                status = status_for(error, forbidden=(services.DiscussionNotAllowedError,))
                retry_after = getattr(error, "retry_after", None)
            else:
                messages.success(request, _("Your discussion was started."))
                thread.topic = found
                return SeeOther(thread.get_absolute_url())
    elif request.user.is_authenticated:
        form = ThreadForm()
    page = selectors.discussion_page(
        topic=found, cursor=request.GET.get("cursor"), user=request.user
    )
    context = {"topic": found, "discussion_page": page, "form": form}
    response = render(request, "conversations/discussions/topic.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "HEAD"])
def discussion(request: HtmxRequest, slug: str, thread_id: int) -> HttpResponse:
    """One discussion: its text, faves and share links, a report link, and the replies."""
    thread = selectors.public_discussion(slug, thread_id, user=request.user)
    if thread is None:
        raise Http404(_("This discussion does not exist."))
    return render(request, "conversations/discussions/thread.html", {"thread": thread})
