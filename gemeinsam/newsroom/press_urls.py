"""Press material URLs: contact cards and press-kit archives."""

from django.urls import path

from gemeinsam.newsroom import press_views

urlpatterns = [
    path("contacts/<int:pk>/vcard/", press_views.contact_vcard, name="contact-vcard"),
    path("press-kits/<int:pk>/download/", press_views.press_kit_zip, name="press-kit-zip"),
]
