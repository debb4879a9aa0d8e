from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialapp.uploads import StoredImage


class Listing(StoredImage):
    """Something a user sells, with its own copy of the photo (a post it came from may go)."""

    class Currency(models.TextChoices):
        EUR = "EUR", _("Euro (EUR)")
        USD = "USD", _("US dollar (USD)")
        GBP = "GBP", _("Pound sterling (GBP)")
        MXN = "MXN", _("Mexican peso (MXN)")

    class Category(models.TextChoices):
        CLOTHING = "clothing", _("Clothing")
        SHOES = "shoes", _("Shoes")
        ACCESSORIES = "accessories", _("Accessories")
        ELECTRONICS = "electronics", _("Electronics")
        HOME = "home", pgettext_lazy("shop category", "Home")
        FOOD_DRINK = "food_drink", _("Food and drink")
        BEAUTY = "beauty", _("Beauty")
        TOYS = "toys", _("Toys")
        SPORTS = "sports", _("Sports")
        ART = "art", _("Art")
        VEHICLES = "vehicles", _("Vehicles")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        SOLD = "sold", _("Sold")

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.AVAILABLE)
    source_photo = models.ForeignKey(
        "photos.Photo", on_delete=models.SET_NULL, null=True, blank=True, related_name="listings"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "category"]),
            models.Index(fields=["price"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="listing_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.price} {self.currency})"

    def get_absolute_url(self) -> str:
        return reverse("listing", kwargs={"listing_id": self.pk})
