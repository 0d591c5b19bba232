"""The counting pixel, outside the language prefix (it has no text)."""

from django.urls import path

from gemeinsam.analytics import views

app_name = "analytics"

urlpatterns = [
    path("count/<int:content_type_id>/<int:object_id>.gif", views.pixel, name="pixel"),
]
