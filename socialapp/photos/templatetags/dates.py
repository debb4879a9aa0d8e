from datetime import datetime

from django import template
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def age(moment: datetime) -> str:
    """How long ago `moment` was, in its largest unit alone, as Instagram says it under a
    post ("3 weeks", not Django's "3 weeks, 6 days"), in the active language."""
    return timesince(moment, depth=1)
