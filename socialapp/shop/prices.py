"""Prices as people read and write them in their language: `12,50 €` in Spanish,
`€12.50` in English. The shop's forms read prices through Django's localized
DecimalField after `ungroup` takes out thousands separators."""

import re
from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language

# Currency signs per language; a currency missing here is written by its code.
_SYMBOLS = {
    "en": {"EUR": "€", "USD": "$", "GBP": "£", "MXN": "MX$"},
    "es": {"EUR": "€", "USD": "US$", "GBP": "£", "MXN": "MXN"},
}
# Languages that write the sign after the number, separated by a no-break space.
_SIGN_AFTER = frozenset({"es"})


def price_format(amount: Decimal, currency: str, language: str | None = None) -> str:
    """`amount` in `currency` as `language` (default: the active one) writes it."""
    language = (language or get_language() or "en").split("-")[0]
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    symbol = _SYMBOLS.get(language, _SYMBOLS["en"]).get(currency, currency)
    if language in _SIGN_AFTER:
        return f"{number}\xa0{symbol}"
    return f"{symbol}{number}"


def ungroup(text: str) -> str:
    """`text` without thousands separators when it is grouped in threes (`1.250,00` or
    `1 250,00` in Spanish, `1,250.00` in English); anything else unchanged, so `12,50`
    typed in English stays invalid instead of becoming 1250. Besides the language's own
    separator (a no-break space in Spanish) people type a space, or the dot or comma
    that is not their decimal separator."""
    decimal = formats.get_format("DECIMAL_SEPARATOR")
    separators = {formats.get_format("THOUSAND_SEPARATOR"), "\xa0", " ", "." if decimal == "," else ","}
    grouping = "[" + "".join(re.escape(s) for s in separators - {decimal}) + "]"
    text = text.strip()
    if re.fullmatch(rf"\d{{1,3}}(?:{grouping}\d{{3}})+(?:{re.escape(decimal)}\d*)?", text):
        return re.sub(grouping, "", text)
    return text
