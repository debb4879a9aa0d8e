from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# A caption box with hashtag suggestions while typing (static/js/hashtag_autocomplete.js).
CAPTION_AUTOCOMPLETE = {
    "data-hashtag-autocomplete": "caption",
    # how the suggestions say how many posts carry a hashtag ({n}: the number)
    "data-posts-one": _("{n} post"),
    "data-posts-other": _("{n} posts"),
}


class PhotoForm(forms.Form):
    # A plain FileField: the upload pipeline decodes and judges the file itself.
    image = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        strip=False,
        max_length=2200,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Write a caption… #hashtags welcome"), **CAPTION_AUTOCOMPLETE}
        ),
    )


class CaptionForm(forms.Form):
    """A post's caption and alt text, as its owner edits them. With `photo_id`, the
    caption's suggestions blend what the tagger saw in the photo with what is typed."""

    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        strip=False,
        max_length=2200,
        widget=forms.Textarea(attrs={"rows": 3, **CAPTION_AUTOCOMPLETE}),
    )
    alt_text = forms.CharField(
        label=_("Alt text (describes the photo for people who cannot see it)"), required=False, max_length=300
    )

    def __init__(self, *args: Any, photo_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if photo_id is not None:
            self.fields["caption"].widget.attrs["data-photo-id"] = str(photo_id)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=2200,
        widget=forms.TextInput(attrs={"placeholder": _("Add a comment…")}),
    )
