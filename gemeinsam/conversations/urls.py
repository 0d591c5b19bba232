"""Comment and discussion URLs, mounted under /<language>/comments/."""

from __future__ import annotations

from django.urls import path

from gemeinsam.conversations import views

app_name = "conversations"

urlpatterns = [
    path("<int:content_type_id>/<int:object_id>/", views.comments, name="comments"),
    path("thread/<int:comment_id>/", views.thread, name="thread"),
    path("<int:comment_id>/reply/", views.reply, name="reply"),
    path("<int:comment_id>/edit/", views.edit, name="edit"),
    path("<int:comment_id>/delete/", views.delete, name="delete"),
    path("discussions/", views.discussions, name="discussions"),
    path("discussions/<slug:slug>/", views.topic, name="topic"),
    path("discussions/<slug:slug>/<int:thread_id>/", views.discussion, name="discussion"),
]
