"""MarianMT through transformers: one model per direction, loaded once, batched decoding
under torch.inference_mode()."""

import threading
from pathlib import Path

import torch
from transformers import MarianMTModel, MarianTokenizer

# What MarianMTModel.save_pretrained + MarianTokenizer.save_pretrained leave in a folder.
MARIAN_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")


def is_marian_dir(path: Path) -> bool:
    return all((path / name).is_file() for name in MARIAN_FILES)


def tokenizer_load(model_dir: Path) -> MarianTokenizer:
    return MarianTokenizer.from_pretrained(str(model_dir), local_files_only=True)


class MarianEngine:
    """Greedy (or beam) MarianMT decoding of one batch at a time; calls are serialised,
    since one model already uses every thread torch was given."""

    name = "marian"

    def __init__(self, model: MarianMTModel, tokenizer: MarianTokenizer, *, model_id: str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.model_id = model_id
        self._lock = threading.Lock()

    def translate(self, texts: list[str]) -> list[str]:
        return [self.tokenizer.decode(ids, skip_special_tokens=True) for ids in self._generate(texts)]

    def translate_pieces(self, texts: list[str]) -> list[list[str]]:
        """The SentencePiece pieces the model generated for each text, without </s> or <pad>."""
        special = set(self.tokenizer.all_special_ids)
        return [
            self.tokenizer.convert_ids_to_tokens([i for i in ids if i not in special])
            for ids in self._generate(texts)
        ]

    def source_pieces(self, texts: list[str]) -> list[list[str]]:
        """The pieces the model reads for each text, ending with </s>."""
        return [self.tokenizer.convert_ids_to_tokens(ids) for ids in self.tokenizer(texts).input_ids]

    def _generate(self, texts: list[str]) -> list[list[int]]:
        if not texts:
            return []
        batch = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True)
        with self._lock, torch.inference_mode():
            output = self.model.generate(**batch)
        return output.tolist()


def marian_load(
    model_dir: Path, *, threads: int = 0, beams: int = 1, max_new_tokens: int = 256
) -> MarianEngine:
    """The Marian model saved in `model_dir`, ready for inference; raises OSError when
    the folder does not hold one."""
    if threads > 0:
        torch.set_num_threads(threads)
    tokenizer = tokenizer_load(model_dir)
    model = MarianMTModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    config = model.generation_config
    config.num_beams = beams
    config.do_sample = False
    config.max_new_tokens = max_new_tokens
    config.max_length = None
    # <pad> only starts the decoder; CTranslate2 drops it from the vocabulary, so never emit it.
    config.bad_words_ids = [[model.config.pad_token_id]]
    return MarianEngine(model, tokenizer, model_id=model_dir.name)
