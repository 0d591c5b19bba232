"""Public moderation URLs (under the language prefix)."""

from django.urls import path

from gemeinsam.moderation import views

app_name = "moderation"

urlpatterns = [
    path("<int:content_type_id>/<int:object_id>/", views.report, name="report"),
]
