import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.translation.conftest import Counting
from translation.ml.batching import Batcher
from translation.ml.marian import marian_load
from translation.ml.protect import mask
from translation.ml.translator import Translator


@pytest.fixture(scope="module")
def en_es(tiny_marian):
    return marian_load(tiny_marian.en_es)


def _together(batcher, texts, keep=()):
    barrier = threading.Barrier(len(texts))

    def call(text):
        barrier.wait()
        return batcher.translate(text, keep=keep)

    with ThreadPoolExecutor(len(texts)) as pool:
        return list(pool.map(call, texts))


def test_concurrent_callers_share_engine_batches_with_the_same_results(tiny_marian, en_es):
    texts = [p.en for p in tiny_marian.heldout[:16]]
    one_at_a_time = [Translator(en_es).translate([t])[0] for t in texts]
    counting = Counting(en_es)
    batcher = Batcher(Translator(counting), max_batch=16, max_wait_ms=50)

    results = _together(batcher, texts)
    batcher.close()

    assert results == one_at_a_time
    assert len(counting.batches) <= 4
    assert sorted(t for batch in counting.batches for t in batch) == sorted(mask(t).text for t in texts)


def test_batches_never_exceed_max_batch(tiny_marian, en_es):
    counting = Counting(en_es)
    batcher = Batcher(Translator(counting), max_batch=4, max_wait_ms=50)

    _together(batcher, [p.en for p in tiny_marian.train[:12]])
    batcher.close()

    assert max(len(batch) for batch in counting.batches) <= 4
    assert batcher.batches >= 3


def test_keep_terms_travel_with_their_request(en_es):
    batcher = Batcher(Translator(en_es))

    [result] = _together(batcher, ["Do you still sell Blue Moon?"], keep=["Blue Moon"])
    batcher.close()

    assert result.text == "¿Todavía vendes Blue Moon?"


def test_engine_errors_reach_the_caller_and_close_refuses_new_work():
    class Broken:
        name = "broken"
        model_id = "broken-1"

        def translate(self, texts):
            raise RuntimeError("model file is corrupt")

    batcher = Batcher(Translator(Broken()))

    with pytest.raises(RuntimeError, match="model file is corrupt"):
        batcher.translate("Hello!")
    batcher.close()
    with pytest.raises(RuntimeError, match="the batcher is closed"):
        batcher.translate("Hello!")
