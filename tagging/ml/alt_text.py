"""One short sentence naming what a photo shows, in English or Spanish, the way a person
would write it: "Photo of pliers." / "Foto de alicates.", "Photo of a bee and an aster."

Spanish names come without an article: the concept table has no grammatical gender."""

_TEMPLATES = {"en": ("Photo of {items}.", " and ", "Photo."), "es": ("Foto de {items}.", " y ", "Foto.")}
_VOWEL_SOUND = tuple("aeiou")


def _with_article(name: str) -> str:
    """ "castle" -> "a castle", "insect" -> "an insect"; a plural ("pliers") takes none."""
    if name.endswith("s") and not name.endswith("ss"):
        return name
    return f"{'an' if name.startswith(_VOWEL_SOUND) else 'a'} {name}"


def alt_text(names: list[str], language: str) -> str:
    """`["castle", "moat"]` -> "Photo of a castle and a moat." (es, `["castillo", "foso"]`:
    "Foto de castillo y foso."); no names -> "Photo." / "Foto."."""
    template, conjunction, empty = _TEMPLATES.get(language, _TEMPLATES["en"])
    if not names:
        return empty
    words = [_with_article(n) for n in names] if language != "es" else names
    items = words[0] if len(words) == 1 else ", ".join(words[:-1]) + conjunction + words[-1]
    return template.format(items=items)
