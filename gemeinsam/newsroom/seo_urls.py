"""URL patterns of this part of the newsroom."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
