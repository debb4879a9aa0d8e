"""Many photos through the tagger at the backbone's batch speed.

Three stages overlap: while one batch runs its forward pass (in a thread of its own;
torch releases the GIL), a thread pool decodes and preprocesses the next one (Pillow
releases it too), and the caller handles the batch before (stores its rows). Done one
after the other, decoding a 320 px thumbnail (~3 ms) and storing its rows (a few ms)
would cost a fifth of the throughput of a forward pass on 2 cores (~30 ms a photo);
overlapped they use what the forward pass leaves idle.

With an embedding cache, a photo whose embedding was kept (by its upload, under the
tagger's embedding version) is not decoded nor run through the backbone at all: a new
head on the same backbone re-scores it from its embedding. One that was not is run and
its embedding kept for the next time."""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import torch

from .embeddings import EmbeddingCache, Key
from .inference import Prediction, Tagger
from .preprocessing import ImageSource, load_image, to_batch

K = TypeVar("K")
DECODERS = 2


@dataclass(frozen=True)
class Job(Generic[K]):
    key: K  # the caller's, e.g. a photo id
    source: Callable[[], ImageSource]  # called in a decoding thread (it may read storage)
    language: str
    exclude: frozenset[str]  # concepts never suggested for this photo
    embedding: Key | None = None  # its key in predict_stream's embedding cache


@dataclass(frozen=True)
class Outcome(Generic[K]):
    job: Job[K]
    prediction: Prediction | None  # None when the photo could not be read
    error: OSError | None = None
    computed: torch.Tensor | None = None  # its embedding, when this run computed it


def predict_stream(
    tagger: Tagger,
    chunks: Iterable[list[Job[K]]],
    *,
    batch_size: int,
    decoders: int = DECODERS,
    cache: EmbeddingCache | None = None,
) -> Iterator[list[Outcome[K]]]:
    """Each chunk's outcomes, in order, `batch_size` photos a forward pass. While a chunk
    runs, the next one is drawn from `chunks` (on the caller's thread) and decoded, and
    the caller handles the outcomes of the one before: a chunk may be larger than a batch
    (the batch that runs fastest is small on a CPU) so that the caller's work on it (its
    writes) is shared by more photos. A photo that cannot be read (OSError) has an outcome
    with its error; the rest of its chunk goes on. With `cache` (for the tagger's
    embedding version), a job's `embedding` key is looked up first; the embeddings
    computed come back in their outcomes (`computed`), for the caller to keep."""
    chunks = iter(chunks)
    preprocessing = tagger.backbone.preprocessing

    def load(job: Job[K]) -> np.ndarray | torch.Tensor:
        if cache is not None and job.embedding is not None:
            kept = cache.get(job.embedding)
            if kept is not None:
                return kept
        return np.asarray(load_image(job.source(), preprocessing))

    def run(jobs: list[Job[K]], loaded: list[Future[np.ndarray | torch.Tensor]]) -> list[Outcome[K]]:
        outcomes: dict[int, Outcome[K]] = {}
        pixels: list[tuple[int, Job[K], np.ndarray]] = []
        embedded: list[tuple[int, Job[K], torch.Tensor, bool]] = []  # True: computed by this run

        def forward_pass() -> None:
            embeddings = tagger.embed_pixels(to_batch([array for _, _, array in pixels], preprocessing))
            embedded.extend((at, job, e, True) for (at, job, _), e in zip(pixels, embeddings, strict=True))
            pixels.clear()

        for index, (job, future) in enumerate(zip(jobs, loaded, strict=True)):
            try:
                item = future.result()
            except OSError as error:
                outcomes[index] = Outcome(job, None, error)
                continue
            if isinstance(item, torch.Tensor):
                embedded.append((index, job, item, False))
            else:
                pixels.append((index, job, item))
                if len(pixels) == batch_size:
                    forward_pass()
        if pixels:
            forward_pass()
        if embedded:
            predictions = tagger.predictions(
                torch.stack([embedding for _, _, embedding, _ in embedded]),
                languages=[job.language for _, job, _, _ in embedded],
                excludes=[job.exclude for _, job, _, _ in embedded],
            )
            for (at, job, embedding, computed), prediction in zip(embedded, predictions, strict=True):
                outcomes[at] = Outcome(job, prediction, computed=embedding if computed else None)
        return [outcomes[index] for index in sorted(outcomes)]

    with ThreadPoolExecutor(decoders) as decoding, ThreadPoolExecutor(1) as forward:

        def decode(jobs: list[Job[K]] | None) -> list[Future[np.ndarray | torch.Tensor]]:
            return [decoding.submit(load, job) for job in jobs or []]

        upcoming = next(chunks, None)
        upcoming_loaded = decode(upcoming)
        running: Future[list[Outcome[K]]] | None = None
        while upcoming is not None or running is not None:
            started = None
            if upcoming is not None:
                started = forward.submit(run, upcoming, upcoming_loaded)
                upcoming = next(chunks, None)
                upcoming_loaded = decode(upcoming)
            if running is not None:
                yield running.result()
            running = started
