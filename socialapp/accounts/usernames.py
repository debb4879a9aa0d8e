"""What makes a username acceptable: not a look-alike of someone else's.

A name's *skeleton* is what it looks like: NFKC (fullwidth and styled letters become plain
ones), casefolded, and every character with a Latin/ASCII look-alike in Unicode's
confusables data (shipped by confusable_homoglyphs) replaced by it, so "аlice" with a
Cyrillic а, "ALICE" and "ａｌｉｃｅ" all read "alice". Each account stores its skeleton
in a unique column, so two look-alikes can never both exist, even when sign-ups race.
(Pure functions: models.py imports this module; the checks against stored accounts are
in services.username_validate.)
"""

import unicodedata
from functools import cache

from confusable_homoglyphs.categories import unique_aliases
from confusable_homoglyphs.confusables import confusables_data, is_confusable

SKELETON_MAX_LENGTH = 255


@cache
def _look_alikes() -> dict[str, str]:
    """One character -> its ASCII look-alike. The data lists each confusable pair both
    ways, so a non-ASCII character takes its first ASCII partner, and an ASCII character
    is folded only where the data gives it a single partner ("0" -> "O", "1" -> "l",
    "I" -> "l"): ASCII characters with many partners are the prototypes themselves."""
    table = {}
    for char, partners in confusables_data.items():
        if len(char) != 1:
            continue
        ascii_partners = [
            glyph for glyph in (p["c"].strip("\u200e") for p in partners) if glyph.isascii() and glyph
        ]
        if not ascii_partners or (char.isascii() and len(partners) != 1):
            continue
        table[char] = ascii_partners[0]
    return table


def username_skeleton(username: str) -> str:
    """What `username` looks like, for comparing names (see the module docstring)."""
    table = _look_alikes()
    skeleton = unicodedata.normalize("NFKC", username).casefold()
    for _round in range(3):  # a folded letter may fold again ("0" -> "O" -> "o")
        folded = unicodedata.normalize("NFKC", "".join(table.get(c, c) for c in skeleton)).casefold()
        if folded == skeleton:
            break
        skeleton = folded
    return skeleton


def username_mixes_look_alike_scripts(username: str) -> bool:
    """Latin mixed with letters of another alphabet that look Latin ("pаypal")."""
    scripts = unique_aliases(username) - {"COMMON"}
    return (
        "LATIN" in scripts
        and len(scripts) > 1
        and bool(is_confusable(username, preferred_aliases=["latin", "common"]))
    )
