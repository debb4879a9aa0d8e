"""Hashtags as people type them -> canonical names and folded matching keys.

Plain Python (no Django), shared by posts, search and the tagger's vocabulary.

- parse: `#café`, `#niño`, `#Dogs`, `#PerrosFelices`; a tag needs a letter, so `#1` is
  not one, and `email#x` is not one either (a tag starts after a space or punctuation).
- canonical name: lowercase, no `#`, accents kept for display, plural -> singular.
- key: the canonical name with accents folded away (`café` and `cafe` match).

Singularising is deliberately conservative (English and Spanish): when a rule could break
a word or a name we leave the word alone and let the concept alias table connect forms.
"""

import re
import unicodedata

MAX_PER_POST = 30

# A hashtag: after start, space or punctuation (not inside a word or a URL fragment),
# made of letters, digits, underscores and combining marks, with at least one letter.
HASHTAG_PATTERN = re.compile(r"(?<![\w&/#])#(\w*[^\W\d_]\w*)")

# Words whose final s is not a plural (or whose plural rule would break them).
_INVARIANT = frozenset(
    """
    news lens bus gas plus yes series species christmas texas vegas paris athens wales
    brussels dallas kansas arkansas mars venus jesus carlos marcos lucas nicolas andres
    tomas jonas thomas charles james los angeles buenos aires honduras caracas lunes martes
    miercoles jueves viernes cumpleanos paraguas crisis analisis tesis dosis tenis tennis
    physics mathematics politics gymnastics aerobics diabetes herpes always perhaps lens
    jeans pants shorts trousers glasses scissors pliers tweezers goggles headphones
    earphones clothes thanks congrats kudos chaos canvas atlas iris oasis bonus virus cactus
    campus focus status chorus octopus hippopotamus platypus mas menos tres seis dos pies
    fries
    """.split()  # noqa: SIM905 - a word list reads best as text
)

# Plurals the suffix rules would get wrong, mostly Spanish consonant-final singulars.
_IRREGULAR = {
    "children": "child",
    "people": "person",
    "men": "man",
    "women": "woman",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "leaves": "leaf",
    "knives": "knife",
    "wolves": "wolf",
    "shelves": "shelf",
    "loaves": "loaf",
    "puppies": "puppy",
    "kitties": "kitty",
    "babies": "baby",
    "cities": "city",
    "berries": "berry",
    "strawberries": "strawberry",
    "butterflies": "butterfly",
    "bunnies": "bunny",
    "ladies": "lady",
    "parties": "party",
    "daisies": "daisy",
    "countries": "country",
    "beaches": "beach",
    "churches": "church",
    "benches": "bench",
    "peaches": "peach",
    "sandwiches": "sandwich",
    "lunches": "lunch",
    "branches": "branch",
    "torches": "torch",
    "peces": "pez",
    "luces": "luz",
    "lapices": "lapiz",
    "cruces": "cruz",
    "nueces": "nuez",
    "voces": "voz",
    "raices": "raiz",
    "veces": "vez",
    "narices": "nariz",
    "lombrices": "lombriz",
    "flores": "flor",
    "colores": "color",
    "sabores": "sabor",
    "amores": "amor",
    "arboles": "arbol",
    "animales": "animal",
    "papeles": "papel",
    "hoteles": "hotel",
    "mares": "mar",
    "trenes": "tren",
    "ciudades": "ciudad",
    "relojes": "reloj",
    "paredes": "pared",
    "redes": "red",
    "mujeres": "mujer",
    "jugadores": "jugador",
    "ordenadores": "ordenador",
    "televisores": "televisor",
    "motores": "motor",
    "postres": "postre",
    "panes": "pan",
    "jardines": "jardin",
    "volcanes": "volcan",
    "canales": "canal",
    "corales": "coral",
    "minaretes": "minarete",
}
# Folded irregular -> the accented singular people write.
_ACCENTED = {"lapiz": "lápiz", "raiz": "raíz", "arbol": "árbol", "jardin": "jardín", "volcan": "volcán"}


def fold(text: str) -> str:
    """Lowercase with accents removed: the key used to match hashtags (`Café` -> `cafe`)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def parse(caption: str) -> list[str]:
    """Hashtags in a caption as typed (without `#`), first occurrence of each key kept."""
    seen: set[str] = set()
    tags = []
    for typed in HASHTAG_PATTERN.findall(unicodedata.normalize("NFC", caption)):
        key = key_for(typed)
        if key not in seen:
            seen.add(key)
            tags.append(typed)
    return tags


def canonical_name(typed: str) -> str:
    """`#Dogs` -> `dog`, `#Perros` -> `perro`, `#Café` -> `café`, `#paris` -> `paris`."""
    name = unicodedata.normalize("NFC", typed.lstrip("#")).lower()
    if _is_compound(typed):
        return name  # #PerrosFelices: a phrase, not one plural noun
    return singular(name)


def key_for(typed: str) -> str:
    """The folded matching key of a typed hashtag."""
    return fold(canonical_name(typed))


def singular(word: str) -> str:
    """Conservative English/Spanish singular of a lowercase word; unchanged when unsure."""
    folded = fold(word)
    if folded in _IRREGULAR:
        singular_folded = _IRREGULAR[folded]
        return _ACCENTED.get(singular_folded, singular_folded) if folded != word else singular_folded
    if len(folded) < 4 or folded in _INVARIANT or not folded.endswith("s"):
        return word
    if folded.endswith(("sses", "shes", "tches", "xes")):
        return word[:-2]  # dresses, dishes, watches, boxes
    if folded.endswith(("ss", "us", "is", "ies", "ches", "ces")):
        return word  # glass, bus, paris; puppies/peces/beaches only via the irregular table
    if folded.endswith("iones"):
        return word[:-5] + "ión"  # aviones -> avión, canciones -> canción
    return word[:-1]  # dogs, perros, casas, photos, tables


def _is_compound(typed: str) -> bool:
    body = typed.lstrip("#")
    return sum(1 for c in body[1:] if c.isupper()) > 0 and not body.isupper()
