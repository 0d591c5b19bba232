"""Accounts: members and staff share one user model and one login."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_roles(sender: Any, **kwargs: Any) -> None:
    """After a migrate run, once every app's permissions exist: the last app's signal."""
    from django.apps import apps

    from gemeinsam.accounts.roles import ensure_staff_roles

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender is with_models[-1]:
        ensure_staff_roles()


class AccountsConfig(AppConfig):
    name = "gemeinsam.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        post_migrate.connect(_create_roles, dispatch_uid="gemeinsam-staff-roles")
