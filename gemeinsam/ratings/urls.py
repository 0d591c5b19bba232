"""URLs of the ratings app, included under the language prefix as ``ratings/``."""

from __future__ import annotations

from django.urls import path

from gemeinsam.ratings import views

app_name = "ratings"

urlpatterns = [
    path("<int:content_type_id>/<int:object_id>/", views.rate, name="rate"),
]
