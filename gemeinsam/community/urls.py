"""Community URLs (under the language prefix)."""

from django.urls import path

from gemeinsam.community import views

app_name = "community"

urlpatterns = [
    path("fave/<int:content_type_id>/<int:object_id>/", views.toggle_fave, name="fave"),
    path("share/<int:content_type_id>/<int:object_id>/", views.toggle_share, name="share"),
    path("follow/<int:user_id>/", views.toggle_follow, name="follow"),
    path("tags/<str:slug>/follow/", views.toggle_tag_follow, name="tag-follow"),
    path(
        "follow-item/<int:content_type_id>/<int:object_id>/",
        views.toggle_item_follow,
        name="item-follow",
    ),
    path("fan/", views.toggle_fan, name="fan"),
    path("share-on-mastodon/", views.mastodon_share, name="mastodon-share"),
    path("feed/", views.home_feed, name="feed"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.mark_read, name="notifications-read"),
]
