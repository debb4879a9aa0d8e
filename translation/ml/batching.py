"""Dynamic batching for threads of one process that translate one message each.

A model decodes a batch of 16 short messages in little more time than one, so callers
that arrive together are served by one engine batch: the first request waits at most
`max_wait_ms` for others (up to `max_batch`), then one background thread runs the batch
through the Translator (cache and protected text included) and wakes each caller.
"""

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from .translator import Translation, Translator


@dataclass(frozen=True)
class _Request:
    text: str
    keep: tuple[str, ...]
    future: "Future[Translation]"


class Batcher:
    def __init__(self, translator: Translator, *, max_batch: int = 16, max_wait_ms: float = 5) -> None:
        self.translator = translator
        self.max_batch = max_batch
        self.max_wait_s = max_wait_ms / 1000
        self.batches = 0  # batches served, for tests and the benchmark
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._serve_forever, name="translation-batcher", daemon=True)
        self._thread.start()

    def translate(self, text: str, *, keep: Sequence[str] = ()) -> Translation:
        """The translation of `text`, blocking until its batch is done; raises what the
        engine raised, or RuntimeError once the batcher is closed."""
        if self._closed:
            raise RuntimeError("the batcher is closed")
        future: Future[Translation] = Future()
        self._queue.put(_Request(text, tuple(keep), future))
        return future.result()

    def close(self) -> None:
        """Serve what is queued, then stop the background thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
            # A caller that slipped in while closing gets an answer, not a hang.
            while not self._queue.empty():
                request = self._queue.get()
                if request is not None:
                    request.future.set_exception(RuntimeError("the batcher is closed"))

    def _serve_forever(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._collect(first)
            self._serve(batch)
            if stop:
                return

    def _collect(self, first: _Request) -> tuple[list[_Request], bool]:
        batch = [first]
        deadline = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_batch:
            try:
                request = self._queue.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                break
            if request is None:
                return batch, True
            batch.append(request)
        return batch, False

    def _serve(self, batch: list[_Request]) -> None:
        self.batches += 1
        by_keep: defaultdict[tuple[str, ...], list[_Request]] = defaultdict(list)
        for request in batch:
            by_keep[request.keep].append(request)
        for keep, requests in by_keep.items():
            try:
                results = self.translator.translate([r.text for r in requests], keep=keep)
            except Exception as error:  # every waiting caller gets the engine's error
                for request in requests:
                    request.future.set_exception(error)
                continue
            for request, result in zip(requests, results, strict=True):
                request.future.set_result(result)
