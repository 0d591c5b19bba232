"""The admin's account page links to the site's pages for password, addresses and second factor."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks


@hooks.register("register_account_menu_item")
def change_password_item(request: Any) -> dict[str, str]:
    return {
        "url": reverse("account_change_password"),
        "label": _("Password"),
        "help_text": _("On the site's account pages, where every sign-in is checked."),
    }


@hooks.register("register_account_menu_item")
def email_addresses_item(request: Any) -> dict[str, str]:
    return {
        "url": reverse("account_email"),
        "label": _("E-mail addresses"),
        "help_text": _("Add or change the address you sign in with; a new one is confirmed first."),
    }


@hooks.register("register_account_menu_item")
def second_factor_item(request: Any) -> dict[str, str]:
    return {
        "url": reverse("mfa_index"),
        "label": _("Two-factor authentication"),
        "help_text": _("Protect your account with an authenticator app."),
    }
