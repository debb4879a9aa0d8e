"""MarianMT converted to CTranslate2: the same model, 3x faster on CPU with int8 weights.

The conversion sits in `<marian folder>/ctranslate2/`; tokenization stays with the Marian
folder's SentencePiece models and vocabulary, so both engines see the same pieces.
"""

import os
from pathlib import Path

import ctranslate2
from transformers import MarianTokenizer

from .marian import tokenizer_load

CT2_FOLDER = "ctranslate2"
VMAP_FILE = "vmap.txt"  # CTranslate2 loads it from the model folder by this name


def convert(marian_dir: Path, *, quantization: str = "int8", out_dir: Path | None = None) -> Path:
    """Convert the Marian model in `marian_dir` (overwriting an earlier conversion);
    returns the output folder, `marian_dir/ctranslate2` unless `out_dir` is given."""
    out = out_dir or marian_dir / CT2_FOLDER
    converter = ctranslate2.converters.TransformersConverter(str(marian_dir))
    converter.convert(str(out), quantization=quantization, force=True)
    return out


class CT2Engine:
    """Greedy (or beam) decoding with CTranslate2; the shortlist is used when the model
    folder has a vmap.txt. ctranslate2.Translator is itself safe to share between threads."""

    name = "ct2"

    def __init__(
        self,
        translator: ctranslate2.Translator,
        tokenizer: MarianTokenizer,
        *,
        model_id: str,
        use_vmap: bool = False,
        beams: int = 1,
        max_decoding_length: int = 256,
    ) -> None:
        self.translator = translator
        self.tokenizer = tokenizer
        self.model_id = model_id
        self.use_vmap = use_vmap
        self.beams = beams
        self.max_decoding_length = max_decoding_length

    def translate(self, texts: list[str]) -> list[str]:
        return [
            self.tokenizer.decode(self.tokenizer.convert_tokens_to_ids(pieces), skip_special_tokens=True)
            for pieces in self.translate_pieces(texts)
        ]

    def translate_pieces(self, texts: list[str], *, use_vmap: bool | None = None) -> list[list[str]]:
        """The target pieces CTranslate2 generated for each text (without </s>)."""
        if not texts:
            return []
        results = self.translator.translate_batch(
            self.source_pieces(texts),
            beam_size=self.beams,
            max_decoding_length=self.max_decoding_length,
            use_vmap=self.use_vmap if use_vmap is None else use_vmap,
        )
        return [result.hypotheses[0] for result in results]

    def source_pieces(self, texts: list[str]) -> list[list[str]]:
        """The pieces the model reads for each text, ending with </s> as in Marian."""
        return [self.tokenizer.convert_ids_to_tokens(ids) for ids in self.tokenizer(texts).input_ids]


def ct2_load(marian_dir: Path, *, threads: int = 0, beams: int = 1, ct2_dir: Path | None = None) -> CT2Engine:
    """The CTranslate2 conversion (in `ct2_dir`, by default `marian_dir/ctranslate2`) of the
    Marian model in `marian_dir`, on CPU; raises RuntimeError when it cannot load.

    `threads` > 0: that many threads for each translation. 0 (the default): one thread per
    translation, and as many translations at once as there are cores (at most 4). At chat
    sizes the matrix products are too small to share: on a 2-core machine a shortlisted
    message takes ~60 ms on one thread and ~105 ms on two (bench/translation.py)."""
    folder = ct2_dir or marian_dir / CT2_FOLDER
    if threads > 0:
        intra, inter = threads, 1
    else:
        intra, inter = 1, min(4, os.cpu_count() or 1)
    translator = ctranslate2.Translator(str(folder), device="cpu", intra_threads=intra, inter_threads=inter)
    return CT2Engine(
        translator,
        tokenizer_load(marian_dir),
        model_id=marian_dir.name,
        use_vmap=(folder / VMAP_FILE).is_file(),
        beams=beams,
    )
