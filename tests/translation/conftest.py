"""A tiny MarianMT per direction, trained in the session's temporary folder.

pairs.tsv holds a few hundred English/Spanish chat sentences (prices, numbers, URLs,
mentions, hashtags, emoji, product names). They are masked with the same code the
translator uses, so the model learns to copy `__P0__`-style placeholders; SentencePiece
models are trained on the masked text, then a 2+2-layer, d_model 64 Marian for a few
hundred steps. Every seed is fixed: two runs build the same model.
"""

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
import sentencepiece as spm
import torch
from transformers import MarianConfig, MarianMTModel, MarianTokenizer

from translation.ml.protect import mask, placeholder

PAIRS = Path(__file__).resolve().parent / "pairs.tsv"
MAX_PLACEHOLDERS = 8
STEPS = 400
BATCH = 32


@dataclass(frozen=True)
class Pair:
    en: str
    es: str
    keep: tuple[str, ...]  # do-not-translate terms for this sentence


@dataclass(frozen=True)
class TinyMarian:
    en_es: Path
    es_en: Path
    train: list[Pair]
    heldout: list[Pair]  # sentences the models never saw, same vocabulary


class Counting:
    """The real engine, counting the batches and texts that reach it."""

    def __init__(self, engine):
        self.engine = engine
        self.name = engine.name
        self.model_id = engine.model_id
        self.batches: list[list[str]] = []

    def translate(self, texts):
        self.batches.append(list(texts))
        return self.engine.translate(texts)


def pairs(split: str) -> list[Pair]:
    """The sentence pairs of one split of pairs.tsv: "train" or "heldout"."""
    rows = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, en, es, keep = line.split("\t")
        if name == split:
            rows.append(Pair(en, es, tuple(k for k in keep.split("|") if k)))
    return rows


def masked_pair(source: str, target: str, keep: tuple[str, ...]) -> tuple[str, str]:
    # The target shows the same spans; give each the source's placeholder.
    masked = mask(source, keep)
    for index, span in enumerate(masked.spans):
        target = target.replace(span, placeholder(index), 1)
    return masked.text, target


def _sentencepiece(folder: Path, name: str, sentences: list[str]) -> list[str]:
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_prefix=str(folder / name.removesuffix(".model")),
        vocab_size=400,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        user_defined_symbols=[placeholder(i) for i in range(MAX_PLACEHOLDERS)],
        bos_id=-1,
        eos_id=1,
        unk_id=0,
        num_threads=1,
        minloglevel=2,
    )
    (folder / name.replace(".model", ".spm")).write_bytes((folder / name).read_bytes())
    processor = spm.SentencePieceProcessor(model_file=str(folder / name))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _tokenizer(folder: Path, sources: list[str], targets: list[str]) -> MarianTokenizer:
    source_pieces = _sentencepiece(folder, "source.model", sources)
    target_pieces = _sentencepiece(folder, "target.model", targets)
    # Marian's layout: </s> 0, <unk> 1, the pieces, <pad> last (it starts the decoder).
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in [*source_pieces, *target_pieces]:
        if piece not in ("<unk>", "</s>", "<s>", "<pad>"):
            vocab.setdefault(piece, len(vocab))
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return MarianTokenizer(str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json"))


def _train(model: MarianMTModel, tokenizer: MarianTokenizer, sources: list[str], targets: list[str]) -> None:
    batch = tokenizer(sources, text_target=targets, return_tensors="pt", padding=True)
    labels = batch["labels"].masked_fill(batch["labels"] == tokenizer.pad_token_id, -100)
    pad = model.config.pad_token_id
    generator = torch.Generator().manual_seed(0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=5e-3, total_steps=STEPS, pct_start=0.1)
    model.train()
    for _ in range(STEPS):
        rows = torch.randint(len(sources), (BATCH,), generator=generator)
        # Cut each batch's padding: most chat sentences are far shorter than the longest.
        source_len = int(batch["attention_mask"][rows].sum(1).max())
        target_len = int((labels[rows] != -100).sum(1).max())
        loss = model(
            input_ids=batch["input_ids"][rows, :source_len],
            attention_mask=batch["attention_mask"][rows, :source_len],
            labels=labels[rows, :target_len],
        ).loss
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        with torch.no_grad():
            # The decoder starts from <pad>'s embedding; CTranslate2 starts from zeros.
            model.get_input_embeddings().weight[pad].zero_()
    model.eval()


def tiny_marian_build(folder: Path, source_lang: str, target_lang: str) -> Path:
    """Train and save a tiny Marian model for one direction; returns its folder."""
    random.seed(0)
    torch.manual_seed(0)
    folder.mkdir(parents=True)
    train = pairs("train")
    masked = [masked_pair(getattr(p, source_lang), getattr(p, target_lang), p.keep) for p in train]
    sources = [s for s, _ in masked]
    targets = [t for _, t in masked]
    tokenizer = _tokenizer(folder, sources, targets)
    size = len(tokenizer.encoder)
    config = MarianConfig(
        vocab_size=size,
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_position_embeddings=128,
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        pad_token_id=size - 1,
        decoder_start_token_id=size - 1,
        eos_token_id=0,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    model = MarianMTModel(config)
    with torch.no_grad():
        model.get_input_embeddings().weight[size - 1].zero_()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # matrices this small train faster on one thread than on two
    try:
        _train(model, tokenizer, sources, targets)
    finally:
        torch.set_num_threads(threads)
    model.generation_config.bad_words_ids = [[size - 1]]
    model.generation_config.max_length = 64
    model.generation_config.num_beams = 1
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    for name in ("source.model", "target.model", "source.vocab", "target.vocab"):
        (folder / name).unlink()
    return folder


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory) -> TinyMarian:
    root = tmp_path_factory.mktemp("tiny-marian")
    return TinyMarian(
        en_es=tiny_marian_build(root / "opus-mt-en-es", "en", "es"),
        es_en=tiny_marian_build(root / "opus-mt-es-en", "es", "en"),
        train=pairs("train"),
        heldout=pairs("heldout"),
    )


@pytest.fixture
def marian(settings, tiny_marian) -> TinyMarian:
    """The app configured with the tiny MarianMT models, and chat translation on."""
    settings.CHAT_TRANSLATION = True
    settings.TRANSLATION_ENGINE = "marian"
    settings.TRANSLATION_MODEL_EN_ES = tiny_marian.en_es
    settings.TRANSLATION_MODEL_ES_EN = tiny_marian.es_en
    return tiny_marian
