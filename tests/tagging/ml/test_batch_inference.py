import io
from functools import partial

import numpy as np
import pytest
import torch

from tagging.ml.batch_inference import Job, predict_stream
from tagging.ml.preprocessing import load_image, to_batch, to_tensor
from tests.tagging.conftest import BEE, CASTLE, CUPS, PLIERS


def _job(key, path, language="en", exclude=frozenset()):
    return Job(key=key, source=partial(io.BytesIO, path.read_bytes()), language=language, exclude=exclude)


def _suggested(prediction):
    return [(s.concept, s.hashtag) for s in prediction.hashtags]


def test_chunks_come_back_in_order_each_photo_as_predict_makes_it(cold_start):
    chunks = [  # the first runs as a batch of two and one of one
        [_job(1, BEE, "es"), _job(2, CASTLE), _job(3, CUPS, exclude=frozenset({"cup"}))],
        [_job(4, PLIERS, "es")],
    ]

    streamed = list(predict_stream(cold_start, iter(chunks), batch_size=2))

    assert [[o.job.key for o in outcomes] for outcomes in streamed] == [[1, 2, 3], [4]]
    for outcomes in streamed:
        for outcome in outcomes:
            job = outcome.job
            [alone] = cold_start.predict([job.source()], language=job.language, exclude=job.exclude)
            assert outcome.error is None
            assert _suggested(outcome.prediction) == _suggested(alone)
            assert [s.score for s in outcome.prediction.hashtags] == pytest.approx(
                [s.score for s in alone.hashtags], abs=2e-4
            )
            assert outcome.prediction.alt_text == alone.alt_text
    cups = streamed[0][2].prediction
    assert "cup" not in [s.concept for s in cups.hashtags]


def test_an_unreadable_photo_fails_alone(cold_start):
    broken = Job(key=2, source=lambda: io.BytesIO(b"no longer a photo"), language="en", exclude=frozenset())

    [outcomes] = list(predict_stream(cold_start, [[_job(1, BEE), broken, _job(3, CUPS)]], batch_size=2))

    assert [(o.job.key, o.prediction is None, type(o.error).__name__) for o in outcomes] == [
        (1, False, "NoneType"),
        (2, True, "UnidentifiedImageError"),
        (3, False, "NoneType"),
    ]
    assert outcomes[0].prediction.hashtags[0].concept == "bee"


def test_no_batches_no_outcomes(cold_start):
    assert list(predict_stream(cold_start, [], batch_size=4)) == []


def test_to_batch_normalises_exactly_as_to_tensor(backbone):
    preprocessing = backbone.preprocessing
    images = [load_image(path, preprocessing) for path in (BEE, CASTLE, CUPS)]

    batched = to_batch([np.asarray(image) for image in images], preprocessing)

    assert torch.equal(batched, torch.stack([to_tensor(image, preprocessing) for image in images]))
