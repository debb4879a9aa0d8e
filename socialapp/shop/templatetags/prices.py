from django import template

from socialapp.shop.models import Listing
from socialapp.shop.prices import price_format

register = template.Library()


@register.filter
def price(listing: Listing) -> str:
    """`{{ listing|price }}`: its price and currency in the active language."""
    return price_format(listing.price, listing.currency)
