"""Forms for writing and editing a comment, and for starting a discussion."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gemeinsam.conversations import services
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


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=services.THREAD_TITLE_MAX,
        strip=True,
        error_messages={
            "required": _("Give the discussion a title."),
            "max_length": _("A title can be at most %(limit_value)d characters long."),
        },
    )
    body = forms.CharField(
        label=_("What would you like to talk about?"),
        required=False,
        max_length=services.THREAD_BODY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Markdown works: *italic*, **bold**, `code`, [links](https://example.org), lists "
            "and > quotes."
        ),
    )

    def clean_title(self) -> str:
        try:
            return services.clean_thread_title(self.cleaned_data.get("title", ""))
        except services.InvalidThreadError as error:
            raise forms.ValidationError(str(error)) from error
