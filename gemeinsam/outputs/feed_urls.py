"""Feed URLs: the whole site and each channel the feed sources name, in three formats."""

from django.urls import path

from gemeinsam.outputs import feeds

urlpatterns = [
    path("feeds/<str:fmt>/", feeds.site_feed, name="site"),
    path("feeds/<str:kind>/<str:slug>/<str:fmt>/", feeds.channel_feed, name="channel"),
]
