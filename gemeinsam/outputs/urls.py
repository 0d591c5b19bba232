"""Machine endpoints without a language prefix: sitemaps, robots.txt, oEmbed and embeds."""

from __future__ import annotations

from django.urls import URLPattern, path

from gemeinsam.outputs import oembed, seo

urlpatterns: list[URLPattern] = [
    path("sitemap.xml", seo.sitemap, name="sitemap"),
    path("news-sitemap.xml", seo.news_sitemap, name="news-sitemap"),
    path("robots.txt", seo.robots_txt, name="robots"),
    path("oembed/", oembed.oembed, name="oembed"),
    path("embed/<str:kind>/<int:pk>/", oembed.embed, name="embed"),
]
