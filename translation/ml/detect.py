"""Which of English and Spanish a chat message is written in (lingua), or the sender's
preferred language when the text is too short or the detector unsure."""

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = {Language.ENGLISH: "en", Language.SPANISH: "es"}
MIN_LETTERS = 4  # "ok", "hi", "si": either language
MIN_CONFIDENCE = 0.8

# Text that says nothing about the language: links, addresses, handles, tags, numbers.
_NEUTRAL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+|\d+", re.UNICODE)


@cache
def detector() -> LanguageDetector:
    """Built once per process, with both language models loaded up front (~0.5 s) so no
    message waits for them."""
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_preloaded_language_models().build()


def language_detect(text: str, *, fallback: str) -> str:
    """ "en" or "es": what `text` is written in, or `fallback` when it is short or unsure."""
    words = _NEUTRAL.sub(" ", text)
    if sum(ch.isalpha() for ch in words) < MIN_LETTERS:
        return fallback
    best = detector().compute_language_confidence_values(words)[0]
    if best.value < MIN_CONFIDENCE:
        return fallback
    return LANGUAGES[best.language]
