"""Accounts: members and staff share one user model and one login."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gemeinsam.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
