"""Forms for writing and editing a comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gemeinsam.conversations.services import MAX_BODY_LENGTH


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_BODY_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Markdown works: *italic*, **bold**, `code`, [links](https://example.org), lists "
            "and > quotes. Mention someone with @Display_Name (underscores for spaces)."
        ),
        error_messages={"required": _("Write something before you post.")},
    )
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
