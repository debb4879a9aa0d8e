from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialapp.photos.models import Photo

from .models import Listing
from .prices import ungroup


class PriceField(forms.DecimalField):
    """A price as the person writes it in their language (`12,50` or `1.250,00` in
    Spanish), in a text box: a number spinner would let the browser reread the comma
    by its own locale (`12,50` became 1250)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(localize=True, max_digits=10, decimal_places=2, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value: Any) -> Decimal | None:
        return super().to_python(ungroup(value) if isinstance(value, str) else value)


class ListingFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search the shop")}),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Listing.Category.choices]
    )
    min_price = PriceField(label=_("Min price"), required=False, min_value=Decimal(0))
    max_price = PriceField(label=_("Max price"), required=False, min_value=Decimal(0))
    show_sold = forms.BooleanField(label=_("Show sold"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", _("The max price must not be below the min price."))
        return data


class ListingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    price = PriceField(label=_("Price"), min_value=Decimal("0.01"))
    currency = forms.ChoiceField(label=_("Currency"), choices=Listing.Currency.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Listing.Category.choices)
    # A plain FileField: the upload pipeline decodes and judges the file itself.
    image = forms.FileField(
        label=_("New photo"),
        required=False,
        help_text=_("Leave empty to keep the current photo."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class ListingCreateForm(ListingForm):
    photo = forms.TypedChoiceField(
        label=_("Or use one of your posts"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of your own posts.")},
    )

    def __init__(self, *args: Any, photos: list[Photo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photos = photos
        self.fields["photo"].choices = [("", _("None")), *((p.pk, str(p.pk)) for p in photos)]
        self.fields["image"].label = _("Photo")
        self.fields["image"].help_text = _("Upload a photo, or choose one of your posts below.")

    def clean_photo(self) -> Photo | None:
        photo_id = self.cleaned_data.get("photo")
        return next((photo for photo in self.photos if photo.pk == photo_id), None)
