"""Feed URLs: the whole site, per tag, per story type and per author, in three formats."""

from django.urls import path

from gemeinsam.outputs import feeds

urlpatterns = [
    path("feeds/<str:fmt>/", feeds.site_feed, name="site"),
    path("feeds/tag/<str:slug>/<str:fmt>/", feeds.tag_feed, name="tag"),
    path("feeds/type/<str:slug>/<str:fmt>/", feeds.type_feed, name="type"),
    path("feeds/author/<str:slug>/<str:fmt>/", feeds.author_feed, name="author"),
]
