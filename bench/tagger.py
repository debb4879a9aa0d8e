"""Tagger speed on this machine: `make bench` runs it and writes bench/results/latest.json.

- backbone raw forward at batch 1 (p50/p95 ms) and the best images/s over batch sizes,
  each timed over 96 random photos in one run, after 3 s of warm-up forward passes, in
  two layouts: one stream of forward passes on all of torch's threads, and one
  one-thread stream per core (what resuggest runs). Every batch size and layout is timed
  SWEEP_REPEATS times, interleaved, and its median kept; best_images_per_second is the
  best of those medians, best_layout its batch size and streams;
- served_vs_trained: the served network (BatchNorms folded into the convolutions,
  channels-last, one TorchScript graph) against the same weights as trained, in
  alternation: batch-1 forward p50 ms on all threads, alone and beside a thread running
  Python (what an inline server's event loop or resuggest's writes are), and images/s of
  batches of 4 in a one-thread stream per core;
- training.head_seconds_100k: the hashtag head on 100,000 synthetic cached embeddings
  (target < 60 s on 2 cores);
- chat.*: 500 WebSocket clients in pairs through two daphne processes, channels_redis
  (pub/sub) and PostgreSQL, each sending one message every 5 s for 20 s (100 msg/s in
  all): sockets, messages delivered and lost, fan-out p50/p99 (target 0 lost, p99 <= 50
  ms), CPU per message; chat_saturated: the same at one message every 2 s (250 msg/s),
  past what 2 cores serve, to show where it queues;
- chat_reconnect_storm: the same 500 sockets lose both servers (killed), miss 60 messages
  a conversation stored meanwhile, reconnect at once and resync: seconds until all are
  back and until all have every missed message, messages lost (target 0) (bench/reconnect.py);
- tagging.e2e_ms_p50/p95: API upload of a 12 MP JPEG until its suggestions are stored
  (inline mode), and its ratio to the model-only time (suggest_tags on the same file,
  timed between uploads; target <= 1.5); response_ms: until the upload's response, which
  inline also waits for the 1080 px display image; tagging_16_9: the same for a 16:9
  12 MP JPEG (4624x2600), whose grid thumbnail is 569x320;
- resuggest: images/s of `manage.py resuggest`'s service over the 96 demo photos, as
  posts an earlier version analysed (bench/resuggest.py): run through the backbone (as
  after a new one), and ratio_to_best_same_rounds (target >= 0.9): the median over
  rounds of its images/s to the best layout's raw forward passes over as many photos,
  timed right before and right after the round (their mean); beside it its ratio to
  best_images_per_second, timed minutes earlier; and kept_images_per_second, from the
  embeddings the uploads kept (a retrained head on the same backbone);
- suggest_tags end to end on a 12 MP JPEG (decode with draft, preprocess, forward, head,
  ranking) against draft decode + preprocess + raw forward measured in the same run.
  Target: end-to-end p50 / reference p50 <= 1.3.
"""

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")
# Inline tasks and a throwaway SQLite database, media and model folder for this run.
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="socialapp-bench-")

import django  # noqa: E402

django.setup()

import torch  # noqa: E402
from chat import chat_bench  # noqa: E402  (bench/chat.py)
from django.conf import settings  # noqa: E402
from PIL import Image  # noqa: E402
from reconnect import reconnect_bench  # noqa: E402  (bench/reconnect.py)
from resuggest import resuggest_bench  # noqa: E402  (bench/resuggest.py)
from timing import percentile, times_ms  # noqa: E402  (bench/timing.py)
from training import head_seconds_100k  # noqa: E402  (bench/training.py)
from upload import upload_to_suggestions_ms  # noqa: E402

from tagging.ml.backbones import Backbone, load_backbone  # noqa: E402
from tagging.ml.batch_inference import cpu_streams  # noqa: E402
from tagging.ml.inference import cold_start_tagger  # noqa: E402
from tagging.ml.preprocessing import batch  # noqa: E402
from tagging.selectors import thresholds  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
# Throughput is timed over this many photos in one run (about a second or more on 2 cores):
# on a shared VM, bursts of a few forward passes run faster than the sustained work they stand for.
THROUGHPUT_IMAGES = 96
# Each batch size and layout is timed this many times, interleaved, and its median kept: the
# best of single runs would take the luckiest burst of a VM whose speed moves by 2x.
SWEEP_REPEATS = 3


def _times_ms(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    return times_ms(fn, runs)


def _p(times: list[float], q: float) -> float:
    return percentile(times, int(q))


def _photo_12mp(folder: Path, size: tuple[int, int] = (4000, 3000)) -> Path:
    """A 12 MP JPEG: 4:3 (a phone camera's default), or 16:9 at 4624x2600."""
    source = ROOT / "socialapp" / "demo" / "data" / "photos" / "dev_004.jpg"
    path = folder / f"12mp_{size[0]}x{size[1]}.jpg"
    Image.open(source).convert("RGB").resize(size, Image.Resampling.BICUBIC).save(path, quality=92)
    return path


def _warm(backbone: Backbone, seconds: float = 3.0) -> None:
    """Forward passes for `seconds` first: a fresh process runs its first second or two of
    them at a third to a half of its later speed, which made the best raw throughput look
    half what it is."""
    crop = backbone.preprocessing.crop
    images = torch.randn(4, 3, crop, crop)
    with torch.inference_mode():
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            backbone.features(images)


def _sustained_images_per_second(backbone: Backbone, size: int, images: int, streams: int = 1) -> float:
    """The raw backbone's images/s over `images` random photos in batches of `size`, timed
    as one run: `streams` threads of forward passes at once, each on its share of torch's
    threads (1: one stream on all of them; as many as threads: what predict_stream runs)."""
    crop = backbone.preprocessing.crop
    batch_images = torch.randn(size, 3, crop, crop)
    batches = -(-images // (size * streams))

    def run() -> None:
        for _ in range(batches):
            backbone.features(batch_images)

    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads // streams))
    try:
        with torch.inference_mode(), ThreadPoolExecutor(streams) as pool:
            backbone.features(batch_images)
            start = time.perf_counter()
            for future in [pool.submit(torch.inference_mode()(run)) for _ in range(streams)]:
                future.result()
            seconds = time.perf_counter() - start
    finally:
        torch.set_num_threads(threads)
    return round(batches * size * streams / seconds, 1)


@contextmanager
def _python_running() -> Iterator[None]:
    """A thread running Python bytecode (and holding the GIL as it does) meanwhile."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(i * i for i in range(2000))

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _served_vs_trained(served: Backbone, streams: int) -> dict[str, object]:
    """The served network (BatchNorms folded, channels-last: load_backbone(inference=True))
    beside the same weights as trained, timed in alternation: a forward pass at batch 1 on
    all of torch's threads (p50 of 10, per round), and batches of 4 in a one-thread stream
    per core (images/s); the median over rounds of each."""
    trained = load_backbone(served.name)
    _warm(trained)
    crop = served.preprocessing.crop
    one = torch.randn(1, 3, crop, crop)
    batch1: dict[str, list[float]] = {"served": [], "trained": []}
    beside_python: dict[str, list[float]] = {"served": [], "trained": []}
    per_core: dict[str, list[float]] = {"served": [], "trained": []}
    for _ in range(3 * SWEEP_REPEATS):
        for name, backbone in (("served", served), ("trained", trained)):
            batch1[name].append(statistics.median(times_ms(lambda b=backbone: b.features(one), 10)))
            with _python_running():
                beside = times_ms(lambda b=backbone: b.features(one), 10)
            beside_python[name].append(statistics.median(beside))
            per_core[name].append(_sustained_images_per_second(backbone, 4, THROUGHPUT_IMAGES, streams))
    return {
        "forward_batch1_ms_p50": {name: round(statistics.median(v), 2) for name, v in batch1.items()},
        "forward_batch1_ms_p50_beside_python": {
            name: round(statistics.median(v), 2) for name, v in beside_python.items()
        },
        "images_per_second_batch4_stream_per_core": {
            name: round(statistics.median(v), 1) for name, v in per_core.items()
        },
    }


def main() -> None:
    # Cold start: the same path suggest_tags takes, without needing a database.
    tagger = cold_start_tagger(settings.TAGGING_BACKBONE, None, thresholds())
    backbone = tagger.backbone
    crop = backbone.preprocessing.crop
    results: dict[str, object] = {
        "backbone": backbone.version,
        "model_version": tagger.version,
        "torch_threads": torch.get_num_threads(),
    }
    _warm(backbone)
    streams = cpu_streams(tagger)  # what resuggest runs: one forward stream per core
    results["forward_streams"] = streams
    with torch.inference_mode():
        one = torch.randn(1, 3, crop, crop)
        forward = _times_ms(lambda: backbone.logits(backbone.features(one)))
        results["forward_batch1_ms"] = {"p50": _p(forward, 50), "p95": _p(forward, 95)}
        layouts = [(size, n) for n in (1, streams) for size in (1, 2, 4, 8, 16)]
        runs: dict[tuple[int, int], list[float]] = {layout: [] for layout in layouts}
        for _ in range(SWEEP_REPEATS):  # interleaved, so a slow minute touches every layout alike
            for size, n in layouts:
                runs[(size, n)].append(_sustained_images_per_second(backbone, size, THROUGHPUT_IMAGES, n))
        median = {layout: statistics.median(values) for layout, values in runs.items()}
        results["images_per_second_by_batch"] = {size: median[(size, 1)] for size, n in layouts if n == 1}
        results["images_per_second_by_batch_stream_per_core"] = {
            size: median[(size, n)] for size, n in layouts if n == streams
        }
        best_size, best_streams = max(layouts, key=lambda layout: median[layout])
        results["best_images_per_second"] = median[(best_size, best_streams)]
        results["best_layout"] = {"batch_size": best_size, "streams": best_streams}
        results["served_vs_trained"] = _served_vs_trained(backbone, streams)
    with tempfile.TemporaryDirectory() as folder:
        photo = _photo_12mp(Path(folder))

        def reference() -> None:
            with torch.inference_mode():
                backbone.logits(backbone.features(batch([photo], backbone.preprocessing)))

        reference_ms = _times_ms(reference)
        end_to_end_ms = _times_ms(lambda: tagger.predict([photo]))
        upload_ms = upload_to_suggestions_ms(photo, RUNS, model_only=lambda: tagger.predict([photo]))
        wide = _photo_12mp(Path(folder), (4624, 2600))
        wide_ms = upload_to_suggestions_ms(wide, RUNS, model_only=lambda: tagger.predict([wide]))
    results["reference_decode_preprocess_forward_ms"] = {
        "p50": _p(reference_ms, 50),
        "p95": _p(reference_ms, 95),
    }
    results["suggest_tags_12mp_ms"] = {"p50": _p(end_to_end_ms, 50), "p95": _p(end_to_end_ms, 95)}
    results["ratio_end_to_end_to_reference"] = round(_p(end_to_end_ms, 50) / _p(reference_ms, 50), 3)
    results["target_ratio"] = 1.3
    results["tagging"] = {
        "e2e_ms_p50": _p(upload_ms.stored_ms, 50),
        "e2e_ms_p95": _p(upload_ms.stored_ms, 95),
        "model_only_ms_p50": _p(upload_ms.model_only_ms, 50),
        "ratio_e2e_to_model": round(_p(upload_ms.stored_ms, 50) / _p(upload_ms.model_only_ms, 50), 2),
        "response_ms_p50": _p(upload_ms.response_ms, 50),
        "response_ms_p95": _p(upload_ms.response_ms, 95),
        "target_ratio": 1.5,
    }
    results["tagging_16_9"] = {
        "e2e_ms_p50": _p(wide_ms.stored_ms, 50),
        "model_only_ms_p50": _p(wide_ms.model_only_ms, 50),
        "ratio_e2e_to_model": round(_p(wide_ms.stored_ms, 50) / _p(wide_ms.model_only_ms, 50), 2),
        "target_ratio": 1.5,
    }
    resuggest = resuggest_bench(
        best_raw=lambda images: _sustained_images_per_second(backbone, best_size, images, best_streams)
    )
    results["resuggest"] = {
        **resuggest,
        "ratio_to_best_images_per_second": round(
            resuggest["images_per_second"] / results["best_images_per_second"],  # type: ignore[operator]
            3,
        ),
        "target_ratio": 0.9,
    }
    results["chat"] = chat_bench(seconds=20, interval=5)
    results["chat_saturated"] = chat_bench(seconds=10, interval=2)
    results["chat_reconnect_storm"] = reconnect_bench()
    training = head_seconds_100k()
    results["training"] = {
        "head_seconds_100k": training["seconds"],
        "hit_at_5": training["hit@5"],
        "target_seconds": training["target_seconds"],
    }

    out = ROOT / "bench" / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    _print(results, out)


def _print(results: dict[str, object], out: Path) -> None:
    forward = results["forward_batch1_ms"]
    e2e = results["suggest_tags_12mp_ms"]
    ref = results["reference_decode_preprocess_forward_ms"]
    rows = [
        ("backbone", results["backbone"]),
        ("raw forward, batch 1 (p50 / p95 ms)", f"{forward['p50']} / {forward['p95']}"),  # type: ignore[index]
        (
            "best images/s (batch: images/s)",
            f"{results['best_images_per_second']}  {results['images_per_second_by_batch']}, "
            f"a stream per core {results['images_per_second_by_batch_stream_per_core']}",
        ),
        ("served network vs as trained", json.dumps(results["served_vs_trained"])),
        ("suggest_tags, 12 MP JPEG (p50 / p95 ms)", f"{e2e['p50']} / {e2e['p95']}"),  # type: ignore[index]
        ("draft decode + preprocess + forward (p50 / p95 ms)", f"{ref['p50']} / {ref['p95']}"),  # type: ignore[index]
        ("ratio (target <= 1.3)", results["ratio_end_to_end_to_reference"]),
        (
            "API upload of 12 MP until suggestions stored (p50 / p95 ms)",
            f"{results['tagging']['e2e_ms_p50']} / {results['tagging']['e2e_ms_p95']}",  # type: ignore[index]
        ),
        ("  ratio to model-only (target <= 1.5)", results["tagging"]["ratio_e2e_to_model"]),  # type: ignore[index]
        (
            "  until the response, with the display image (p50 / p95 ms)",
            f"{results['tagging']['response_ms_p50']} / {results['tagging']['response_ms_p95']}",  # type: ignore[index]
        ),
        (
            "API upload of a 16:9 12 MP (p50 ms; ratio to model-only, target <= 1.5)",
            f"{results['tagging_16_9']['e2e_ms_p50']}; {results['tagging_16_9']['ratio_e2e_to_model']}",  # type: ignore[index]
        ),
        ("chat (500 sockets in pairs, 100 msg/s for 20 s)", json.dumps(results["chat"])),
        ("chat saturated (250 msg/s for 10 s)", json.dumps(results["chat_saturated"])),
        ("chat reconnect storm (500 sockets, servers killed)", json.dumps(results["chat_reconnect_storm"])),
        (
            "resuggest, 96 demo posts (images/s; ratio to best raw in the same rounds, target >= 0.9)",
            f"{results['resuggest']['images_per_second']}; "  # type: ignore[index]
            f"{results['resuggest']['ratio_to_best_same_rounds']}",  # type: ignore[index]
        ),
        (
            "  ratio to best_images_per_second, timed earlier",
            results["resuggest"]["ratio_to_best_images_per_second"],  # type: ignore[index]
        ),
        (
            "  from the embeddings kept at upload (images/s)",
            results["resuggest"]["kept_images_per_second"],  # type: ignore[index]
        ),
        ("head training, 100k embeddings (s, target < 60)", results["training"]["head_seconds_100k"]),  # type: ignore[index]
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
