"""The rating form: stars on the site's scale, or a request to remove the rating."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _


class RatingForm(forms.Form):
    """``stars`` (1..scale) to rate, or the ``remove`` button to take the rating back."""

    stars = forms.TypedChoiceField(coerce=int, required=False, widget=forms.RadioSelect)
    remove = forms.BooleanField(required=False)

    def __init__(self, *args: Any, scale: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale
        stars_field = cast(forms.TypedChoiceField, self.fields["stars"])
        stars_field.choices = [(str(stars), str(stars)) for stars in range(1, scale + 1)]
        stars_field.error_messages["invalid_choice"] = _("Choose from 1 to %(scale)d stars.") % {
            "scale": scale
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("remove") and cleaned.get("stars") in (None, "") and not self.errors:
            raise forms.ValidationError(
                _("Choose from 1 to %(scale)d stars.") % {"scale": self.scale},
                code="required",
            )
        return cleaned

    @property
    def wants_removal(self) -> bool:
        return bool(self.cleaned_data.get("remove"))

    def first_error(self) -> str:
        """The first error message, to show above the form or in a 400 response."""
        for errors in self.errors.values():
            return str(errors[0])
        return str(_("Choose from 1 to %(scale)d stars.") % {"scale": self.scale})
