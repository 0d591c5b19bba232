"""The counting pixel, outside the language prefix (it has no text)."""

from django.urls import path

from gemeinsam.analytics import views

app_name = "analytics"

urlpatterns = [
    path(
        "count/<int:content_type_id>/<int:object_id>/<slug:signature>.gif",
        views.pixel,
        name="pixel",
    ),
    # Unsigned addresses (pages cached before signing) are answered but not counted.
    path("count/<int:content_type_id>/<int:object_id>.gif", views.pixel, name="unsigned-pixel"),
]
