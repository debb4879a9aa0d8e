"""Many photos through the tagger at the backbone's batch speed.

Three stages overlap: while one batch runs its forward pass (in a thread of its own;
torch releases the GIL), a thread pool decodes and preprocesses the next one (Pillow
releases it too), and the caller handles the batch before (stores its rows). Done one
after the other, decoding a 320 px thumbnail (~3 ms) and storing its rows (a few ms)
would cost a fifth of the throughput of a forward pass on 2 cores (~30 ms a photo);
overlapped they use what the forward pass leaves idle."""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

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


@dataclass(frozen=True)
class Outcome(Generic[K]):
    job: Job[K]
    prediction: Prediction | None  # None when the photo could not be read
    error: OSError | None = None


def predict_stream(
    tagger: Tagger, chunks: Iterable[list[Job[K]]], *, batch_size: int, decoders: int = DECODERS
) -> Iterator[list[Outcome[K]]]:
    """Each chunk's outcomes, in order, `batch_size` photos a forward pass. While a chunk
    runs, the next one is drawn from `chunks` (on the caller's thread) and decoded, and
    the caller handles the outcomes of the one before: a chunk may be larger than a batch
    (the batch that runs fastest is small on a CPU) so that the caller's work on it (its
    writes) is shared by more photos. A photo that cannot be read (OSError) has an outcome
    with its error; the rest of its chunk goes on."""
    chunks = iter(chunks)
    preprocessing = tagger.backbone.preprocessing

    def pixels(job: Job[K]) -> np.ndarray:
        return np.asarray(load_image(job.source(), preprocessing))

    def run(jobs: list[Job[K]], decoded: list[Future[np.ndarray]]) -> list[Outcome[K]]:
        outcomes: list[Outcome[K] | None] = [None] * len(jobs)
        ready: list[tuple[int, Job[K], np.ndarray]] = []
        for index, (job, future) in enumerate(zip(jobs, decoded, strict=True)):
            try:
                ready.append((index, job, future.result()))
            except OSError as error:
                outcomes[index] = Outcome(job, None, error)
            if len(ready) == batch_size or (index == len(jobs) - 1 and ready):
                for (at, done, _), prediction in zip(ready, _predict(tagger, ready), strict=True):
                    outcomes[at] = Outcome(done, prediction)
                ready = []
        return [outcome for outcome in outcomes if outcome is not None]

    with ThreadPoolExecutor(decoders) as decoding, ThreadPoolExecutor(1) as forward:

        def decode(jobs: list[Job[K]] | None) -> list[Future[np.ndarray]]:
            return [decoding.submit(pixels, job) for job in jobs or []]

        upcoming = next(chunks, None)
        upcoming_pixels = decode(upcoming)
        running: Future[list[Outcome[K]]] | None = None
        while upcoming is not None or running is not None:
            started = None
            if upcoming is not None:
                started = forward.submit(run, upcoming, upcoming_pixels)
                upcoming = next(chunks, None)
                upcoming_pixels = decode(upcoming)
            if running is not None:
                yield running.result()
            running = started


def _predict(tagger: Tagger, ready: list[tuple[int, Job[K], np.ndarray]]) -> list[Prediction]:
    embeddings = tagger.embed_pixels(
        to_batch([pixels for _, _, pixels in ready], tagger.backbone.preprocessing)
    )
    return tagger.predictions(
        embeddings,
        languages=[job.language for _, job, _ in ready],
        excludes=[job.exclude for _, job, _ in ready],
    )
