import pytest
import torch

from tagging.ml.devices import inference_device, process_device
from tagging.ml.inference import Thresholds, cold_start_tagger
from tests.tagging.conftest import BEE

NO_GPU = not torch.cuda.is_available()


def test_cpu_tagger_runs_on_the_cpu():
    tagger = cold_start_tagger("efficientnet_lite0", None, Thresholds(), "none", "cpu")

    [bee] = tagger.predict([BEE])

    assert tagger.backbone.device == torch.device("cpu")
    assert bee.hashtags[0].concept == "bee"
    assert inference_device("cpu") == torch.device("cpu")


def test_an_unknown_device_is_refused():
    with pytest.raises(ValueError, match="Unknown device 'gpu': use one of auto, cpu, cuda"):
        inference_device("gpu")
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        cold_start_tagger("efficientnet_lite0", None, Thresholds(), "none", "tpu")


def test_cuda_without_a_gpu_is_refused_when_the_tagger_loads(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("LOCAL_RANK", raising=False)

    with pytest.raises(ValueError, match="TAGGING_DEVICE=cuda, but CUDA sees no GPU"):
        cold_start_tagger("efficientnet_lite0", None, Thresholds(), "none", "cuda")
    assert inference_device("auto") == torch.device("cpu")
    assert process_device("auto") == torch.device("cpu")


@pytest.mark.skipif(NO_GPU, reason="needs a CUDA GPU")
def test_cuda_tagger_matches_the_cpu_one():
    cpu = cold_start_tagger("efficientnet_lite0", None, Thresholds(), "flip", "cpu")
    gpu = cold_start_tagger("efficientnet_lite0", None, Thresholds(), "flip", "cuda")

    [on_cpu], [on_gpu] = cpu.predict([BEE]), gpu.predict([BEE])

    assert gpu.backbone.device.type == "cuda"
    assert [s.concept for s in on_gpu.hashtags][:3] == [s.concept for s in on_cpu.hashtags][:3]
    assert torch.allclose(torch.tensor(on_gpu.embedding), torch.tensor(on_cpu.embedding), atol=1e-2)
