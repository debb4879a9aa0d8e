import io
from functools import partial

import numpy as np
import pytest
import torch

from tagging.ml.batch_inference import Job, cpu_streams, predict_stream
from tagging.ml.embeddings import EmbeddingCache
from tagging.ml.inference import Tagger
from tagging.ml.preprocessing import load_image, to_batch
from tests.tagging.conftest import BEE, CASTLE, CUPS, DEMO, PLIERS

BLACK_AND_WHITE = DEMO / "dev_013.jpg"  # a lighthouse on a breakwater


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


def test_to_batch_normalises_each_photo_with_the_backbones_mean_and_std(backbone):
    preprocessing = backbone.preprocessing
    images = [np.asarray(load_image(path, preprocessing)) for path in (BEE, CASTLE, CUPS)]

    batched = to_batch(images, preprocessing)

    mean, std = np.asarray(preprocessing.mean, np.float32), np.asarray(preprocessing.std, np.float32)
    for one, image in zip(batched, images, strict=True):
        expected = ((image.astype(np.float32) / 255.0 - mean) / std).transpose(2, 0, 1)
        assert torch.allclose(one, torch.from_numpy(expected.copy()), atol=1e-6)


class _Blobs:  # a BlobStore in memory
    def __init__(self):
        self.blobs = {}

    def read(self, name):
        return self.blobs.get(name)

    def write(self, name, data):
        self.blobs[name] = data

    def listdir(self, folder):
        return [], [n for n in self.blobs if n.startswith(folder)]

    def delete(self, name):
        self.blobs.pop(name, None)


def test_a_kept_embedding_is_scored_without_a_forward_pass(cold_start, monkeypatch):
    cache = EmbeddingCache(_Blobs(), cold_start.embedding_version)
    [bee] = cold_start.embed([BEE])
    cache.put((1, "bee"), bee)
    embed_pixels, forwarded = Tagger.embed_pixels, []

    def counted(self, pixels):
        forwarded.append(len(pixels))
        return embed_pixels(self, pixels)

    monkeypatch.setattr(Tagger, "embed_pixels", counted)

    # its photo is only read at a small scale, to tell whether it is black and white
    kept = Job(key=1, source=lambda: BEE, language="es", exclude=frozenset(), embedding=(1, "bee"))
    missing = _job(2, CUPS)
    missing = Job(missing.key, missing.source, "en", frozenset(), embedding=(2, "cups"))
    plain = _job(3, CASTLE)

    [outcomes] = list(predict_stream(cold_start, [[kept, missing, plain]], batch_size=4, cache=cache))

    assert forwarded == [2]  # the cups and the castle
    assert [o.job.key for o in outcomes] == [1, 2, 3]
    [alone] = cold_start.predict([BEE], language="es")
    assert _suggested(outcomes[0].prediction) == _suggested(alone)
    assert outcomes[0].computed is None  # it came from the cache
    # kept without the black-and-white flag: its photo was read for it, to keep again with it
    assert torch.equal(outcomes[0].keep, bee) and outcomes[0].monochrome is False
    [cups] = cold_start.embed([CUPS])
    assert torch.allclose(outcomes[1].computed, cups, atol=1e-4)  # computed, for the caller to keep
    assert outcomes[2].computed is not None
    assert cache.get((2, "cups")) is None  # predict_stream itself keeps nothing


def test_a_kept_embedding_with_its_black_and_white_flag_is_scored_without_reading_its_photo(cold_start):
    cache = EmbeddingCache(_Blobs(), cold_start.embedding_version)
    [bee] = cold_start.embed([BEE])
    cache.put((1, "bee"), bee, monochrome=True)  # as if its photo were black and white
    cache.put((2, "bee"), bee, monochrome=False)
    read = []

    def source():
        read.append(1)
        return BEE

    jobs = [
        Job(key=k, source=source, language="en", exclude=frozenset(), embedding=(k, "bee")) for k in (1, 2)
    ]

    [outcomes] = list(predict_stream(cold_start, [jobs], batch_size=2, cache=cache))

    assert read == []
    assert [s.concept for s in outcomes[0].prediction.hashtags][:2] == ["blackandwhite", "bee"]
    assert "blackandwhite" not in [s.concept for s in outcomes[1].prediction.hashtags]
    assert [(o.computed, o.keep) for o in outcomes] == [(None, None), (None, None)]  # nothing to keep again


def test_a_computed_outcome_says_whether_its_photo_is_black_and_white_for_the_caller_to_keep(cold_start):
    [[colour]] = list(predict_stream(cold_start, [[_job(1, BEE)]], batch_size=1))
    [[grey]] = list(predict_stream(cold_start, [[_job(2, BLACK_AND_WHITE)]], batch_size=1))

    assert (colour.monochrome, grey.monochrome) == (False, True)
    assert colour.computed is not None and grey.computed is not None
    assert colour.keep is colour.computed and grey.keep is grey.computed


def test_the_cache_keeps_the_black_and_white_flag_with_the_embedding_and_reads_blobs_without_it():
    blobs = _Blobs()
    cache = EmbeddingCache(blobs, "v")
    embedding = torch.arange(4, dtype=torch.float32)
    cache.put((1, "a"), embedding, monochrome=True)
    cache.put((2, "a"), embedding, monochrome=False)
    cache.put((3, "a"), embedding)  # as training keeps them, and as blobs were kept before the flag

    for key, flag in [((1, "a"), True), ((2, "a"), False), ((3, "a"), None)]:
        kept, monochrome = cache.get_kept(key)
        assert torch.equal(kept, embedding) and monochrome is flag
        assert torch.equal(cache.get(key), embedding)
    assert np.load(io.BytesIO(blobs.read(cache.name((3, "a"))))).dtype == np.float32  # a plain .npy


def test_a_kept_embedding_and_flag_cut_short_is_computed_again(cold_start, caplog):
    blobs = _Blobs()
    cache = EmbeddingCache(blobs, cold_start.embedding_version)
    cache.put((1, "bee"), torch.zeros(8), monochrome=True)
    blobs.write(
        cache.name((1, "bee")), blobs.read(cache.name((1, "bee")))[:-20]
    )  # a write that never finished
    job = _job(1, BEE)
    job = Job(job.key, job.source, "en", frozenset(), embedding=(1, "bee"))

    [[outcome]] = list(predict_stream(cold_start, [[job]], batch_size=1, cache=cache))

    assert outcome.prediction.hashtags[0].concept == "bee" and outcome.computed is not None
    assert "Could not read the kept embedding of photo 1" in caplog.text


def test_keep_logs_a_storage_error_instead_of_raising(caplog):
    class Full(_Blobs):
        def write(self, name, data):
            raise OSError(28, "No space left on device")

    assert EmbeddingCache(_Blobs(), "v").keep((7, "t"), torch.zeros(3)) is True
    assert EmbeddingCache(Full(), "v").keep((7, "t"), torch.zeros(3)) is False
    assert "Could not keep the embedding of photo 7: [Errno 28] No space left on device" in caplog.text


def test_a_kept_embedding_that_cannot_be_read_is_computed_again(cold_start, caplog):
    blobs = _Blobs()
    cache = EmbeddingCache(blobs, cold_start.embedding_version)
    blobs.write(cache.name((1, "bee")), b"\x93NUMPY cut short")  # a write that never finished
    job = _job(1, BEE)
    job = Job(job.key, job.source, "en", frozenset(), embedding=(1, "bee"))

    [[outcome]] = list(predict_stream(cold_start, [[job]], batch_size=1, cache=cache))

    assert outcome.prediction.hashtags[0].concept == "bee" and outcome.computed is not None
    assert "Could not read the kept embedding of photo 1" in caplog.text


def test_streams_of_forward_passes_give_what_one_stream_gives_and_leave_torchs_threads_as_they_were(
    cold_start,
):
    chunks = [[_job(1, BEE), _job(2, CASTLE), _job(3, CUPS)], [_job(4, PLIERS, "es"), _job(5, BEE)]]
    threads = torch.get_num_threads()

    one = list(predict_stream(cold_start, chunks, batch_size=1, streams=1))
    several = list(predict_stream(cold_start, chunks, batch_size=1, streams=3))

    assert torch.get_num_threads() == threads
    assert [[o.job.key for o in outcomes] for outcomes in several] == [[1, 2, 3], [4, 5]]
    for mine, theirs in zip([o for c in several for o in c], [o for c in one for o in c], strict=True):
        assert _suggested(mine.prediction) == _suggested(theirs.prediction)
        assert torch.allclose(mine.computed, theirs.computed, atol=1e-4)


def test_a_cpu_runs_a_stream_per_torch_thread(cold_start):
    assert cpu_streams(cold_start) == torch.get_num_threads()
