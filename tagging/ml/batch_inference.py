"""Many photos through the tagger at the backbone's batch speed.

Three stages overlap: a thread pool decodes and preprocesses photos (Pillow releases the
GIL), forward passes run batch by batch in threads of their own (torch releases it),
and the caller handles the chunk before (stores its rows). Done one after the other,
decoding a 320 px thumbnail (~2 ms) and storing its rows (a few ms) would cost a fifth
of the throughput of a forward pass on 2 cores (~20 ms a photo); overlapped they use
what the forward passes leave idle.

On a CPU the forward passes run as one stream per core, each on one thread: a small
network's operators split over two threads spend much of their time waiting for each
other (on this project's 2-core machine, two one-thread streams of batches of 4 run
1.4-2x the photos a second of one two-thread stream). On a GPU one stream feeds it.

With an embedding cache, a photo whose embedding was kept (by its upload, under the
tagger's embedding version) is not decoded nor run through the backbone at all: a new
head on the same backbone re-scores it from its embedding, and from whether the photo is
black and white, kept with it (a blob kept without that has its photo read at a small scale
to tell, once: the caller keeps it again with the flag). One that was not is run and its
embedding kept for the next time."""

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

import numpy as np
import torch

from .embeddings import EmbeddingCache, Key
from .inference import Prediction, Tagger
from .preprocessing import ImageSource, load_image, monochrome, monochrome_source, to_batch

K = TypeVar("K")
logger = logging.getLogger(__name__)
DECODERS = 2


class Loaded(NamedTuple):
    """What a decoding thread hands over for a photo."""

    data: np.ndarray | torch.Tensor  # its input pixels, or its kept embedding
    monochrome: bool | None  # whether it is black and white (None: not told)
    # whether the caller is to keep its embedding, with `monochrome`: one computed from
    # the pixels, or one kept without the flag, which this run read from the photo
    keep: bool


class Embedded(NamedTuple):
    """A photo through the backbone: Loaded, its embedding computed where it was pixels."""

    embedding: torch.Tensor
    computed: bool  # by this run (else it was kept)
    monochrome: bool | None
    keep: bool


@dataclass(frozen=True)
class Job(Generic[K]):
    key: K  # the caller's, e.g. a photo id
    source: Callable[[], ImageSource]  # called in a decoding thread (it may read storage)
    language: str
    exclude: frozenset[str]  # concepts never suggested for this photo
    embedding: Key | None = None  # its key in predict_stream's embedding cache
    photo_id: int | None = None  # the stored photo it is, if any: never its own neighbour


@dataclass(frozen=True)
class Outcome(Generic[K]):
    job: Job[K]
    prediction: Prediction | None  # None when the photo could not be read
    error: OSError | None = None
    computed: torch.Tensor | None = None  # its embedding, when this run computed it
    monochrome: bool | None = None  # whether it is black and white (None: not told)
    # For the caller to keep, with `monochrome`: the embedding this run computed, or a kept
    # one whose blob lacked the black-and-white flag, which this run read from the photo.
    keep: torch.Tensor | None = None


# Photos per forward pass where the caller names no number: one-thread streams on a CPU
# run small batches fastest (their activations stay in cache; on 2 cores two streams ran
# 145 photos/s at batch 2, 131 at 1, 105 at 4 and 92 at 8, make bench's sweep on
# 2026-12-06); one stream feeding a GPU wants many (64 is a common choice, not measured
# here: no GPU was at hand).
CPU_BATCH = 2
GPU_BATCH = 64


def batch_size_best(tagger: Tagger) -> int:
    """The batch size `tagger`'s device runs fastest: CPU_BATCH or GPU_BATCH."""
    return CPU_BATCH if tagger.backbone.device.type == "cpu" else GPU_BATCH


def cpu_streams(tagger: Tagger) -> int:
    """How many forward streams `tagger` runs best with: one per torch thread on a CPU,
    one on a GPU."""
    return torch.get_num_threads() if tagger.backbone.device.type == "cpu" else 1


def predict_stream(
    tagger: Tagger,
    chunks: Iterable[list[Job[K]]],
    *,
    batch_size: int,
    decoders: int = DECODERS,
    cache: EmbeddingCache | None = None,
    streams: int | None = None,
) -> Iterator[list[Outcome[K]]]:
    """Each chunk's outcomes, in order, `batch_size` photos a forward pass, `streams`
    forward passes at a time (cpu_streams when None), each on its share of torch's
    threads. While a chunk is yielded, the next one has been drawn from `chunks` (on the
    caller's thread) and is being decoded and run: a chunk may be larger than a batch (the
    batch that runs fastest is small on a CPU) so that the caller's work on it (its
    writes) is shared by more photos. A photo that cannot be read (OSError) has an
    outcome with its error; the rest of its chunk goes on. With `cache` (for the tagger's
    embedding version), a job's `embedding` key is looked up first; the embeddings
    computed come back in their outcomes (`computed`), and with those kept without the
    black-and-white flag, whose photo was read for it, for the caller to keep (`keep`)."""
    chunks = iter(chunks)
    preprocessing = tagger.backbone.preprocessing
    streams = streams or cpu_streams(tagger)

    def load(job: Job[K]) -> Loaded:
        """The photo's input pixels, or its kept embedding, and whether it is black and
        white (None: its kept embedding stands, but its photo could not be read to tell)."""
        if cache is not None and job.embedding is not None:
            kept = cache.get_kept(job.embedding)
            if kept is not None and kept.monochrome is not None:
                return Loaded(kept.embedding, kept.monochrome, keep=False)  # the photo is never read
            if kept is not None:  # kept without the flag (before blobs held it): read, to keep
                try:
                    return Loaded(kept.embedding, monochrome_source(job.source(), preprocessing), keep=True)
                except OSError as error:
                    logger.warning("Could not read photo %s for black and white: %s", job.key, error)
                    return Loaded(kept.embedding, None, keep=False)
        pixels = np.asarray(load_image(job.source(), preprocessing))
        return Loaded(pixels, monochrome(pixels), keep=True)

    def forward(loaded: list[Future[Loaded]]) -> list[Embedded | OSError]:
        """One batch: each photo Embedded, or its error."""
        items: list[Loaded | OSError] = []
        for future in loaded:
            try:
                items.append(future.result())
            except OSError as error:
                items.append(error)
        pixels = [i.data for i in items if not isinstance(i, OSError) and isinstance(i.data, np.ndarray)]
        computed: Iterator[torch.Tensor] = iter(
            tagger.embed_pixels(to_batch(pixels, preprocessing)) if pixels else []
        )
        return [
            item
            if isinstance(item, OSError)
            else Embedded(next(computed), True, item.monochrome, item.keep)
            if isinstance(item.data, np.ndarray)
            else Embedded(item.data, False, item.monochrome, item.keep)
            for item in items
        ]

    def finish(jobs: list[Job[K]], batches: list[Future[list[Embedded | OSError]]]) -> list[Outcome[K]]:
        results = [result for batch in batches for result in batch.result()]
        embedded = [
            (job, result)
            for job, result in zip(jobs, results, strict=True)
            if not isinstance(result, OSError)
        ]
        predictions = iter(
            tagger.predictions(
                torch.stack([result.embedding for _, result in embedded]),
                languages=[job.language for job, _ in embedded],
                excludes=[job.exclude for job, _ in embedded],
                monochrome=[result.monochrome for _, result in embedded],
                photo_ids=[job.photo_id for job, _ in embedded],
            )
            if embedded
            else []
        )
        return [
            Outcome(job, None, result)
            if isinstance(result, OSError)
            else Outcome(
                job,
                next(predictions),
                computed=result.embedding if result.computed else None,
                monochrome=result.monochrome,
                keep=result.embedding if result.keep else None,
            )
            for job, result in zip(jobs, results, strict=True)
        ]

    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads // streams))
    try:
        with ThreadPoolExecutor(decoders) as decoding, ThreadPoolExecutor(streams) as forwarding:

            def start(
                jobs: list[Job[K]],
            ) -> tuple[list[Job[K]], list[Future[list[Embedded | OSError]]]]:
                loaded = [decoding.submit(load, job) for job in jobs]
                return jobs, [
                    forwarding.submit(forward, loaded[at : at + batch_size])
                    for at in range(0, len(jobs), batch_size)
                ]

            running: deque[tuple[list[Job[K]], list[Future[list[Embedded | OSError]]]]] = deque()
            for jobs in chunks:
                running.append(start(jobs))
                if len(running) > 1:
                    yield finish(*running.popleft())
            while running:
                yield finish(*running.popleft())
    finally:
        torch.set_num_threads(threads)
