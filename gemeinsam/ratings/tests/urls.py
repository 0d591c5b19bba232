"""The site's URLs plus the ratings endpoint and a page that shows the rating widget."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse

from config import urls as project_urls
from gemeinsam.core.engagement import Capability, TargetError, resolve_public_target

WIDGET_PAGE = """{% extends "base.html" %}{% load ratings_tags %}
{% block title %}{{ target.title }}{% endblock %}
{% block content %}<div class="wrap">{% rating_widget target %}</div>{% endblock %}"""


def widget_page(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    try:
        target = resolve_public_target(content_type_id, object_id, capability=Capability.RATE)
    except TargetError:
        raise Http404 from None
    page = engines["django"].from_string(WIDGET_PAGE)
    return HttpResponse(page.render({"target": target}, request))


def _ratings_included() -> bool:
    try:
        reverse("ratings:rate", args=[1, 1], urlconf=project_urls)
    except NoReverseMatch:
        return False
    return True


urlpatterns: list[URLPattern | URLResolver] = i18n_patterns(
    path("ratings-widget/<int:content_type_id>/<int:object_id>/", widget_page),
    *([] if _ratings_included() else [path("ratings/", include("gemeinsam.ratings.urls"))]),
    prefix_default_language=True,
)
urlpatterns += project_urls.urlpatterns
