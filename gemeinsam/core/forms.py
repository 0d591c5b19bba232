"""The image form staff use: alt text required, metadata stripped before the file is stored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from wagtail.images.forms import BaseImageForm

from gemeinsam.core.uploads import UploadRejectedError, strip_image_metadata


class ImageForm(BaseImageForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "alt_text" in self.fields:
            self.fields["alt_text"].required = True

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            try:
                return strip_image_metadata(upload)
            except UploadRejectedError as error:
                raise forms.ValidationError(str(error)) from error
        return upload
