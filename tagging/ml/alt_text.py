"""One-sentence alt text from the top visual concepts, in English or Spanish."""

_TEMPLATES = {
    "en": ("Photo that may show {items}.", " and ", "Photo."),
    "es": ("Foto en la que puede aparecer {items}.", " y ", "Foto."),
}


def alt_text(words: list[str], language: str) -> str:
    """`["dog", "beach"]` -> "Photo that may show dog and beach." (es: "... perro y playa.")."""
    template, conjunction, empty = _TEMPLATES.get(language, _TEMPLATES["en"])
    if not words:
        return empty
    items = words[0] if len(words) == 1 else ", ".join(words[:-1]) + conjunction + words[-1]
    return template.format(items=items)
