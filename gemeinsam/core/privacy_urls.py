"""Privacy URLs: download my data, delete my account (under /<lang>/members/privacy/)."""

from django.urls import path

from gemeinsam.core import privacy_views

app_name = "privacy"

urlpatterns = [
    path("", privacy_views.privacy_page, name="page"),
    path("export/", privacy_views.export, name="export"),
    path("delete/", privacy_views.delete_account, name="delete"),
    path("cancel/", privacy_views.cancel, name="cancel"),
]
