"""Translate chat messages: protected text masked, a cache in front, one engine batch
for the misses. `translator_for` is the per-process accessor the Django side calls."""

import logging
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .protect import Masked, mask, needs_translation, split_join, unmask

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "es")
ENGINES = ("auto", "ct2", "marian", "apertium")
FETCH_COMMAND = "python manage.py fetch_translation_models"


class Engine(Protocol):
    name: str  # "marian" | "ct2" | "apertium"
    model_id: str  # the model folder's name, e.g. "opus-mt-en-es", or "apertium-eng-spa"

    def translate(self, texts: list[str]) -> list[str]: ...


class EngineUnavailable(Exception):
    """The requested engine cannot run here: its model or program is missing."""


@dataclass(frozen=True)
class Translation:
    text: str
    engine: str
    model_id: str


_Key = tuple[str, tuple[str, ...], str, str]


class Translator:
    """An engine behind protected-text masking and an LRU cache; safe to share between threads."""

    def __init__(self, engine: Engine, *, cache_size: int = 4096) -> None:
        self.engine = engine
        self.cache_size = cache_size
        self._cache: OrderedDict[_Key, Translation] = OrderedDict()
        self._lock = threading.Lock()

    def translate(self, texts: Sequence[str], *, keep: Sequence[str] = ()) -> list[Translation]:
        """One Translation per text, in order. Cached texts skip the engine; the others go
        to it in one batch (plus one more for any whose placeholders did not survive)."""
        terms = tuple(sorted({t for t in keep if t.strip()}))
        keys = [(text, terms, self.engine.name, self.engine.model_id) for text in texts]
        results: dict[_Key, Translation] = {}
        with self._lock:
            for key in keys:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    results[key] = self._cache[key]
        misses = list(dict.fromkeys(key for key in keys if key not in results))
        for key, text in zip(misses, self._translate([key[0] for key in misses], terms), strict=True):
            results[key] = Translation(text, self.engine.name, self.engine.model_id)
        with self._lock:
            for key in misses:
                self._cache[key] = results[key]
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return [results[key] for key in keys]

    def _translate(self, texts: list[str], keep: tuple[str, ...]) -> list[str]:
        masked = [mask(text, keep) for text in texts]
        todo = [i for i, m in enumerate(masked) if needs_translation(m.text)]
        out = list(texts)  # nothing to translate (emoji, a price): the text as it is
        broken = []
        outputs = self.engine.translate([masked[i].text for i in todo]) if todo else []
        for i, output in zip(todo, outputs, strict=True):
            restored = unmask(masked[i], output)
            if restored is None:
                broken.append(i)
            else:
                out[i] = restored
        if broken:
            for i, text in zip(broken, self._split_translate([masked[i] for i in broken]), strict=True):
                out[i] = text
        # An engine may have a last step on the restored text (apertium: Spanish ¿ and ¡).
        finish, translated = getattr(self.engine, "finish", None), set(todo)
        return [finish(text) if finish and i in translated else text for i, text in enumerate(out)]

    def _split_translate(self, masked: list[Masked]) -> list[str]:
        # A placeholder was dropped: translate the text between the spans on its own.
        pieces = [p.strip() for m in masked for p in m.pieces if needs_translation(p)]
        unique = list(dict.fromkeys(pieces))
        translated = dict(zip(unique, self.engine.translate(unique) if unique else [], strict=True))
        return [split_join(m, [translated.get(p.strip(), p.strip()) for p in m.pieces]) for m in masked]


def _apertium_pair(source: str, target: str) -> str:
    return {"en": "eng", "es": "spa"}[source] + "-" + {"en": "eng", "es": "spa"}[target]


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        logger.warning(message)


def engine_load(
    source: str, target: str, *, model_dir: Path | None, engine: str = "auto", threads: int = 0
) -> Engine | None:
    """The engine for one direction. "auto" takes the CTranslate2 conversion in
    `model_dir/ctranslate2/` when there is one, else the Marian model in `model_dir`, else
    Apertium when installed, else None. A named engine is that one or EngineUnavailable."""
    if source not in LANGUAGES or target not in LANGUAGES or source == target:
        raise ValueError(f"unsupported direction {source}->{target}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    from .marian import is_marian_dir

    ct2_dir = model_dir / "ctranslate2" if model_dir else None
    has_ct2 = ct2_dir is not None and (ct2_dir / "model.bin").is_file()
    has_marian = model_dir is not None and is_marian_dir(model_dir)
    missing = f"no translation model at {model_dir}; run `{FETCH_COMMAND}`"
    if engine in ("auto", "ct2") and has_ct2 and model_dir is not None:
        from .ct2 import ct2_load

        return ct2_load(model_dir, threads=threads)
    if engine == "ct2":
        raise EngineUnavailable(
            f"no CTranslate2 model at {ct2_dir}; run `python manage.py convert_translation_models`"
        )
    if engine in ("auto", "marian") and has_marian and model_dir is not None:
        from .marian import marian_load

        return marian_load(model_dir, threads=threads)
    if engine == "marian":
        raise EngineUnavailable(missing)
    pair = _apertium_pair(source, target)
    from .apertium import ApertiumEngine, apertium_installed

    if apertium_installed(pair):
        if engine == "auto":
            _warn_once(f"{missing}; falling back to Apertium {pair}")
        return ApertiumEngine(pair)
    if engine == "apertium":
        raise EngineUnavailable(
            f"Apertium {pair} is not installed (apertium on PATH: {bool(shutil.which('apertium'))})"
        )
    _warn_once(f"{missing}; Apertium {pair} is not installed either, so chat is not translated")
    return None


Key = tuple[str, str, Path | None, str, int]
_translators: dict[Key, Translator | None] = {}
_next_look: dict[Key, float] = {}  # when "auto" settled for a fallback: when to look again
RECHECK_SECONDS = 60.0


def translator_for(
    source: str, target: str, *, model_dir: Path | None, engine: str = "auto", threads: int = 0
) -> Translator | None:
    """The process's one Translator for this direction and engine (None when no engine can
    run). When "auto" had to settle for Apertium or nothing, the model folder is looked at
    again every RECHECK_SECONDS, so models fetched while a server or worker runs are taken
    up without a restart."""
    key = (source, target, model_dir, engine, threads)
    if key in _translators and not _model_arrived(key, model_dir):
        return _translators[key]
    loaded = engine_load(source, target, model_dir=model_dir, engine=engine, threads=threads)
    _translators[key] = Translator(loaded) if loaded is not None else None
    if engine == "auto" and (loaded is None or loaded.name == "apertium"):
        _next_look[key] = time.monotonic() + RECHECK_SECONDS
    else:
        _next_look.pop(key, None)
    return _translators[key]


def _model_arrived(key: Key, model_dir: Path | None) -> bool:
    """Whether a fallback is due another look and a model is there now (two stat calls)."""
    if key not in _next_look or time.monotonic() < _next_look[key]:
        return False
    _next_look[key] = time.monotonic() + RECHECK_SECONDS
    from .marian import is_marian_dir

    return model_dir is not None and (
        (model_dir / "ctranslate2" / "model.bin").is_file() or is_marian_dir(model_dir)
    )
