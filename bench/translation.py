"""Translation speed on this machine: `make bench` runs it after bench/tagger.py and adds a
"translation" key to bench/results/latest.json.

Speed depends on the architecture, not the weights, so this times a randomly initialised
model with opus-mt-en-es's shape (d_model 512, 6+6 layers, 8 heads, FFN 2048, vocabulary
65,001: 78M parameters), built once under var/bench/translation/:

- batch 1, 16 source tokens, exactly 20 output tokens (EOS held off until then), 2 threads:
  transformers greedy, CTranslate2 int8, CTranslate2 int8 with a shortlist of about 2,000
  target pieces per message (p50/p95 ms; target p50 <= 100 ms); CTranslate2 on one thread too;
- messages per second through Translator (CTranslate2 int8 + shortlist) as the worker runs
  it: one message per call, then the TRANSLATION_BATCH (16) pending messages one run claims
  in one call (target speedup >= 4x).

The machine is shared: run it as `flock /tmp/bench.lock .venv/bin/python bench/translation.py`.
"""

import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ctranslate2  # noqa: E402
import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402
from timing import percentile, times_ms  # noqa: E402  (bench/timing.py)
from transformers import MarianConfig, MarianMTModel, MarianTokenizer  # noqa: E402

from translation.ml.ct2 import convert  # noqa: E402
from translation.ml.translator import Translator  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
THREADS = 2
VOCAB = 65_001
SOURCE_TOKENS = 16  # 15 words and </s>
OUTPUT_TOKENS = 20
SHORTLIST = 2_000  # target pieces a message's shortlist allows, about
BATCH = 16  # TRANSLATION_BATCH's default: the pending messages one worker run claims
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "96"))
FOLDER = ROOT / "var" / "bench" / "translation" / "opus-mt-en-es-random"
# Source words the messages draw from; only these get vmap rules, which keeps the file small.
SOURCE_WORDS = 2_000


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - benchmark inputs, not secrets


def _words() -> list[str]:
    return ["</s>", "<unk>"] + [f"▁w{i}" for i in range(VOCAB - 3)] + ["<pad>"]


def _build(folder: Path) -> None:
    """A random opus-mt-en-es-shaped Marian, its tokenizer files, int8 conversion and vmap."""
    torch.manual_seed(0)
    folder.mkdir(parents=True, exist_ok=True)
    words = _words()
    (folder / "vocab.json").write_text(json.dumps({w: i for i, w in enumerate(words)}), encoding="utf-8")
    # The tokenizer is only needed by the converter; a tiny SentencePiece model will do.
    text = [" ".join(f"w{_rng(i).randrange(50)}" for _ in range(12)) for i in range(200)]
    for side in ("source", "target"):
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(text),
            model_prefix=str(folder / side),
            vocab_size=60,
            hard_vocab_limit=False,
            minloglevel=2,
        )
        (folder / f"{side}.model").rename(folder / f"{side}.spm")
        (folder / f"{side}.vocab").unlink()
    config = MarianConfig(
        vocab_size=VOCAB,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        encoder_attention_heads=8,
        decoder_attention_heads=8,
        encoder_ffn_dim=2048,
        decoder_ffn_dim=2048,
        max_position_embeddings=512,
        activation_function="swish",
        pad_token_id=VOCAB - 1,
        decoder_start_token_id=VOCAB - 1,
        eos_token_id=0,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    model = MarianMTModel(config)
    with torch.no_grad():
        model.get_input_embeddings().weight[VOCAB - 1].zero_()
    model.save_pretrained(folder)
    MarianTokenizer(
        str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json")
    ).save_pretrained(folder)
    convert(folder, quantization="int8")
    _vmap(folder / "ctranslate2" / "vmap.txt", words)


def _vmap(path: Path, words: list[str]) -> None:
    # Realistic size, random content: 200 always-candidates, and 120 per source word, so a
    # 15-word message allows about 2,000 target pieces.
    rng = _rng(1)
    targets = words[2:-1]
    lines = ["\t" + " ".join(rng.sample(targets, 200))]
    for word in words[2 : 2 + SOURCE_WORDS]:
        lines.append(f"{word}\t{' '.join(rng.sample(targets, 120))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _message(rng: random.Random) -> list[str]:
    return [f"▁w{rng.randrange(SOURCE_WORDS)}" for _ in range(SOURCE_TOKENS - 1)] + ["</s>"]


def _times_ms(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    return times_ms(fn, runs)


def _p(times: list[float], q: int) -> float:
    return percentile(times, q, digits=1)


def _summary(times: list[float]) -> dict[str, float]:
    return {"p50": _p(times, 50), "p95": _p(times, 95)}


class ForcedLengthEngine:
    """CTranslate2 over pre-tokenised text ("▁w1 ▁w2 ... </s>"), exactly OUTPUT_TOKENS out."""

    name = "ct2"
    model_id = "opus-mt-en-es-random"

    def __init__(self, translator: ctranslate2.Translator, *, use_vmap: bool) -> None:
        self.translator = translator
        self.use_vmap = use_vmap
        self.lengths: list[int] = []

    def translate(self, texts: list[str]) -> list[str]:
        results = self.translator.translate_batch(
            [text.split() for text in texts],
            beam_size=1,
            min_decoding_length=OUTPUT_TOKENS,
            max_decoding_length=OUTPUT_TOKENS,
            use_vmap=self.use_vmap,
        )
        self.lengths += [len(r.hypotheses[0]) for r in results]
        return [" ".join(r.hypotheses[0]) for r in results]


def _transformers_ms(folder: Path, source: list[str]) -> tuple[list[float], int]:
    torch.set_num_threads(THREADS)
    model = MarianMTModel.from_pretrained(str(folder), local_files_only=True).eval()
    words = {w: i for i, w in enumerate(_words())}
    ids = torch.tensor([[words[t] for t in source]])
    lengths = []

    def run() -> None:
        with torch.inference_mode():
            out = model.generate(
                input_ids=ids,
                num_beams=1,
                do_sample=False,
                min_new_tokens=OUTPUT_TOKENS,
                max_new_tokens=OUTPUT_TOKENS,
            )
        lengths.append(out.shape[1] - 1)  # without the decoder start token

    times = _times_ms(run, runs=max(5, RUNS // 2))
    assert set(lengths) == {OUTPUT_TOKENS}, lengths
    return times, OUTPUT_TOKENS


def _throughput(engine: ForcedLengthEngine, batch: int) -> dict[str, float]:
    """What `translation.services.translations_run` does with the messages one run claims:
    one `Translator.translate` call per batch of `batch` texts."""
    rng = _rng(batch)
    messages = [" ".join(_message(rng)) for _ in range(MESSAGES)]
    translator = Translator(engine, cache_size=0)
    translator.translate([" ".join(_message(_rng(99)))])  # warm up
    start = time.perf_counter()
    for i in range(0, len(messages), batch):
        translated = translator.translate(messages[i : i + batch])
        assert len(translated) == len(messages[i : i + batch])
    seconds = time.perf_counter() - start
    return {"messages_per_second": round(MESSAGES / seconds, 2), "batch": batch}


def _shortlist_size(path: Path, source: list[str]) -> int:
    """The target pieces CTranslate2 may generate for these source pieces: the map's
    always-line plus each source piece's rule (it adds </s> and <unk> itself)."""
    rules = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, targets = line.partition("\t")
        rules[key] = targets.split()
    return len(set(rules.get("", [])).union(*(rules.get(piece, []) for piece in source)))


def main() -> None:
    if not (FOLDER / "ctranslate2" / "vmap.txt").is_file():
        print(f"building the random model in {FOLDER.relative_to(ROOT)} (once)")
        _build(FOLDER)
    source = _message(_rng(0))
    text = " ".join(source)
    ct2: dict[int, dict[str, list[float]]] = {}
    for threads in (THREADS, 1):
        # One thread per decode is also measured: at batch 1 the GEMVs are too small for two
        # threads to pay off on this shared machine (the second thread can serve a second batch).
        translator = ctranslate2.Translator(
            str(FOLDER / "ctranslate2"), device="cpu", intra_threads=threads, inter_threads=1
        )
        plain = ForcedLengthEngine(translator, use_vmap=False)
        shortlisted = ForcedLengthEngine(translator, use_vmap=True)
        ct2[threads] = {
            "int8": _times_ms(lambda plain=plain: plain.translate([text])),
            "int8_shortlist": _times_ms(lambda shortlisted=shortlisted: shortlisted.translate([text])),
        }
        assert set(plain.lengths) == set(shortlisted.lengths) == {OUTPUT_TOKENS}
    transformers_ms, _ = _transformers_ms(FOLDER, source)
    # The engine's own setting (translation.ml.ct2.ct2_load with threads=0): one thread per
    # translation, a translation per core at once.
    translator = ctranslate2.Translator(
        str(FOLDER / "ctranslate2"), device="cpu", intra_threads=1, inter_threads=THREADS
    )
    shortlisted = ForcedLengthEngine(translator, use_vmap=True)
    sequential = _throughput(shortlisted, 1)
    batched = _throughput(shortlisted, BATCH)
    results = {
        "model": "random opus-mt-en-es architecture (78M parameters, vocabulary 65,001)",
        "threads": THREADS,
        "source_tokens": SOURCE_TOKENS,
        "output_tokens": OUTPUT_TOKENS,
        "transformers_greedy_ms": _summary(transformers_ms),
        "ct2_int8_ms": _summary(ct2[THREADS]["int8"]),
        "ct2_int8_shortlist_ms": _summary(ct2[THREADS]["int8_shortlist"]),
        "one_thread": {
            "ct2_int8_ms": _summary(ct2[1]["int8"]),
            "ct2_int8_shortlist_ms": _summary(ct2[1]["int8_shortlist"]),
        },
        # What the app runs (ct2_load's default): the 2 threads as 2 translations of one
        # thread each, so a single message's latency is the one-thread figure.
        "engine_default": {
            "intra_threads": 1,
            "inter_threads": THREADS,
            "ct2_int8_shortlist_ms": _summary(ct2[1]["int8_shortlist"]),
        },
        "shortlist_target_pieces": _shortlist_size(FOLDER / "ctranslate2" / "vmap.txt", source),
        "target_p50_ms": 100,
        "messages_per_second": {
            "engine": "ct2 int8 + shortlist (engine default threads) through Translator, "
            "as translations_run calls it",
            "messages": MESSAGES,
            "one_at_a_time": sequential,
            f"claimed_{BATCH}_at_once": batched,
            "speedup": round(batched["messages_per_second"] / sequential["messages_per_second"], 2),
            "target_speedup": 4,
        },
    }
    out = ROOT / "bench" / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    everything = json.loads(out.read_text()) if out.is_file() else {}
    everything["translation"] = results
    out.write_text(json.dumps(everything, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)} under 'translation'")


if __name__ == "__main__":
    main()
