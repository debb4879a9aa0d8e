"""Protected text: spans that must come out of translation exactly as they went in.

Numbers and prices, URLs, e-mail addresses, @mentions, #hashtags, emoji and the
conversation's "do not translate" terms are replaced by numbered placeholders
(`__P0__`, `__P1__`, ...) before the engine sees the text, and put back afterwards.
A placeholder is plain ASCII that MarianMT's SentencePiece vocabulary and Apertium's
analyser both pass through as one unknown-but-copyable word.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDER = "__P{}__"
# Decoders sometimes split a placeholder with spaces ("__ P0 __"); still recognise it.
# The space before one is captured so that dropping a duplicate leaves no double space.
PLACEHOLDER_IN_OUTPUT = re.compile(r"( ?)_ ?_ ?P ?(\d+) ?_ ?_")

_NUMBER = r"\d+(?:[.,]\d+)*"
_SYMBOL = r"[$€£¥₹₩]"
_CODE = r"(?:USD|EUR|GBP|MXN|ARS|COP|CLP)"
_PRICE_OR_NUMBER = (
    rf"(?<!\w)(?:(?:{_CODE}\s?|{_SYMBOL}\s?){_NUMBER}(?!\w)"
    rf"|{_NUMBER}(?:\s?{_SYMBOL}|\s?{_CODE}(?!\w)|\s?%|(?!\w)))"
)
_URL = r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,!?;:)\]'¿¡]"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_MENTION = r"(?<![\w@])@\w+"
_HASHTAG = r"(?<![\w#&])#\w+"
_EMOJI_BASE = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]"
_EMOJI_MODIFIERS = r"[\uFE0E\uFE0F\U0001F3FB-\U0001F3FF\u20E3]*"
_EMOJI = (
    rf"(?:[\U0001F1E6-\U0001F1FF]{{2}}|{_EMOJI_BASE}{_EMOJI_MODIFIERS}"
    rf"(?:\u200D{_EMOJI_BASE}{_EMOJI_MODIFIERS})*)+"
)
# What may open a sentence before its first word without being part of it: an emoji or a
# @mention (translation.ml.apertium puts a Spanish ¿ or ¡ after them).
EMOJI_OR_MENTION = rf"{_EMOJI}|{_MENTION}"
_PLACEHOLDER_LOOKALIKE = r"__P\d+__"  # user text that happens to look like ours
_BUILT_IN = [_PLACEHOLDER_LOOKALIKE, _URL, _EMAIL, _MENTION, _HASHTAG, _PRICE_OR_NUMBER, _EMOJI]


@dataclass(frozen=True)
class Masked:
    text: str  # the input with each protected span replaced by its placeholder
    spans: tuple[str, ...]  # placeholder i stands for spans[i]
    pieces: tuple[str, ...]  # the text around the spans: pieces[0] spans[0] pieces[1] ...


def placeholder(index: int) -> str:
    return PLACEHOLDER.format(index)


@lru_cache(maxsize=256)
def _pattern(keep: tuple[str, ...]) -> re.Pattern[str]:
    # Keep terms first and longest first, so "Model 3000" wins over the number inside it.
    terms = []
    for term in sorted({t.strip() for t in keep if t.strip()}, key=len, reverse=True):
        before = r"(?<!\w)" if term[0].isalnum() else ""
        after = r"(?!\w)" if term[-1].isalnum() else ""
        terms.append(f"{before}(?i:{re.escape(term)}){after}")
    return re.compile("|".join([*terms, *_BUILT_IN]))


def mask(text: str, keep: Sequence[str] = ()) -> Masked:
    """Replace protected spans with placeholders; `keep` adds do-not-translate terms
    (matched case-insensitively on word boundaries, kept in the form the text has)."""
    spans: list[str] = []
    pieces: list[str] = []
    out: list[str] = []
    last = 0
    for match in _pattern(tuple(keep)).finditer(text):
        pieces.append(text[last : match.start()])
        out.append(text[last : match.start()])
        out.append(placeholder(len(spans)))
        spans.append(match.group())
        last = match.end()
    pieces.append(text[last:])
    out.append(text[last:])
    return Masked(text="".join(out), spans=tuple(spans), pieces=tuple(pieces))


def needs_translation(text: str) -> bool:
    """Whether anything but placeholders, digits, punctuation and space is left."""
    return any(ch.isalpha() for ch in PLACEHOLDER_IN_OUTPUT.sub("", text))


def unmask(masked: Masked, output: str) -> str | None:
    """Put the spans back into the engine's output.

    A duplicated placeholder keeps its first occurrence, one the input did not have is
    dropped; returns None when a placeholder is missing, so the caller can translate
    around the spans instead (see `split_join`)."""
    seen: set[int] = set()

    def restore(match: re.Match[str]) -> str:
        index = int(match.group(2))
        if index >= len(masked.spans) or index in seen:
            return ""
        seen.add(index)
        return match.group(1) + masked.spans[index]

    text = PLACEHOLDER_IN_OUTPUT.sub(restore, output)
    return text if len(seen) == len(masked.spans) else None


def split_join(masked: Masked, translated_pieces: Sequence[str]) -> str:
    """The text rebuilt from separately translated pieces and the untouched spans.

    `translated_pieces[i]` is the translation of `masked.pieces[i].strip()`; the
    piece's own leading and trailing whitespace is kept."""
    out: list[str] = []
    for index, (piece, translated) in enumerate(zip(masked.pieces, translated_pieces, strict=True)):
        stripped = piece.strip()
        if stripped:
            start = piece[: len(piece) - len(piece.lstrip())]
            end = piece[len(piece.rstrip()) :]
            out.append(f"{start}{translated}{end}")
        else:
            out.append(piece)
        if index < len(masked.spans):
            out.append(masked.spans[index])
    return "".join(out)
