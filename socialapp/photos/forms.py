from django import forms
from django.utils.translation import gettext_lazy as _


class PhotoForm(forms.Form):
    # A plain FileField: the upload pipeline decodes and judges the file itself.
    image = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        strip=False,
        max_length=2200,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _("Write a caption… #hashtags welcome"),
                "data-hashtag-autocomplete": "caption",
                # how the suggestions say how many posts carry a hashtag ({n}: the number)
                "data-posts-one": _("{n} post"),
                "data-posts-other": _("{n} posts"),
            }
        ),
    )


class CaptionForm(forms.Form):
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        strip=False,
        max_length=2200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    alt_text = forms.CharField(
        label=_("Alt text (describes the photo for people who cannot see it)"), required=False, max_length=300
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=2200,
        widget=forms.TextInput(attrs={"placeholder": _("Add a comment…")}),
    )
