"""Press material URLs: contact cards and press-kit archives."""

from django.urls import path

from gemeinsam.newsroom import press

urlpatterns = [
    path("contacts/<int:pk>/vcard/", press.contact_vcard, name="contact-vcard"),
    path("press-kits/<int:pk>/download/", press.press_kit_zip, name="press-kit-zip"),
]
