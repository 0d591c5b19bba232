"""Newsroom reader pages, served under a language prefix."""

from django.urls import URLPattern, URLResolver, include, path

from gemeinsam.newsroom import views

page_patterns: list[URLPattern | URLResolver] = [
    path("authors/<str:slug>/", views.author_detail, name="author"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("media-library/", views.media_library, name="media-library"),
    path("search/", views.search, name="search"),
    path("embargo/<str:token>/", views.embargo_preview, name="embargo-preview"),
    path("", include("gemeinsam.newsroom.press_urls")),
]
