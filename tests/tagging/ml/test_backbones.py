import torch
from timm.data import ImageNetInfo

from tagging.ml.backbones import efficientnet_lite0_weights, load_backbone, remap_lukemelas
from tagging.ml.preprocessing import batch
from tests.tagging.conftest import BEE, CASTLE


def test_packaged_weights_load_strictly_into_timm(backbone):
    packaged = torch.load(efficientnet_lite0_weights(), map_location="cpu", weights_only=True)
    loaded = backbone.model.state_dict()

    assert len(packaged) == len(loaded) == 296
    assert torch.equal(loaded["conv_stem.weight"], packaged["_conv_stem.weight"])
    assert torch.equal(loaded["blocks.0.0.conv_dw.weight"], packaged["_blocks.0._depthwise_conv.weight"])
    assert torch.equal(loaded["blocks.6.0.conv_pwl.weight"], packaged["_blocks.15._project_conv.weight"])
    assert torch.equal(loaded["classifier.bias"], packaged["_fc.bias"])
    assert backbone.model.bn1.eps == 1e-3
    assert (backbone.embedding_dim, backbone.version) == (1280, "efficientnet_lite0-57934424")


def test_remap_walks_flat_blocks_into_stages():
    state = {
        "_blocks.0._depthwise_conv.weight": torch.zeros(1),
        "_blocks.1._expand_conv.weight": torch.zeros(1),
        "_blocks.2._bn2.bias": torch.zeros(1),
        "_blocks.3._bn0.weight": torch.zeros(1),
        "_bn1.weight": torch.zeros(1),
    }
    state["_blocks.2._expand_conv.weight"] = torch.zeros(1)
    state["_blocks.3._expand_conv.weight"] = torch.zeros(1)

    renamed = remap_lukemelas(state, [1, 2, 1])

    assert sorted(renamed) == [
        "blocks.0.0.conv_dw.weight",
        "blocks.1.0.conv_pw.weight",
        "blocks.1.1.bn3.bias",
        "blocks.1.1.conv_pw.weight",
        "blocks.2.0.bn1.weight",
        "blocks.2.0.conv_pw.weight",
        "bn2.weight",
    ]


def test_known_photos_get_their_imagenet_class(backbone):
    info = ImageNetInfo()

    with torch.inference_mode():
        probabilities = backbone.logits(
            backbone.features(batch([BEE, CASTLE], backbone.preprocessing))
        ).softmax(-1)

    top = [info.index_to_description(int(i)) for i in probabilities.argmax(-1)]
    assert top == ["bee", "castle"]
    assert float(probabilities[0].max()) > 0.9


def test_any_timm_architecture_loads_from_a_local_checkpoint(tmp_path):
    import timm

    random_model = timm.create_model("resnet18", pretrained=False)
    checkpoint = tmp_path / "resnet18.pth"
    torch.save(random_model.state_dict(), checkpoint)

    loaded = load_backbone("resnet18", checkpoint)

    assert loaded.embedding_dim == 512
    assert torch.equal(loaded.model.state_dict()["fc.weight"], random_model.state_dict()["fc.weight"])
    assert (loaded.preprocessing.crop, loaded.preprocessing.mean) == (224, (0.485, 0.456, 0.406))
    assert loaded.version.startswith("resnet18-")
    with torch.inference_mode():
        assert loaded.features(torch.zeros(2, 3, 224, 224)).shape == (2, 512)


def test_other_architectures_need_a_checkpoint():
    import pytest

    with pytest.raises(FileNotFoundError, match="needs a local checkpoint"):
        load_backbone("resnet18")


def test_packaged_lite2_loads_strictly_at_its_own_input_size():
    from tagging.ml.backbones import efficientnet_lite2_weights

    lite2 = load_backbone("efficientnet_lite2")
    packaged = torch.load(efficientnet_lite2_weights(), map_location="cpu", weights_only=True)
    loaded = lite2.model.state_dict()

    assert len(packaged) == len(loaded) == 386
    assert torch.equal(loaded["conv_stem.weight"], packaged["_conv_stem.weight"])
    assert torch.equal(loaded["blocks.6.0.conv_pwl.weight"], packaged["_blocks.20._project_conv.weight"])
    assert torch.equal(loaded["classifier.weight"], packaged["_fc.weight"])
    assert (lite2.embedding_dim, lite2.version) == (1280, "efficientnet_lite2-9656183e")
    # timm's pretrained config: 260 px input, the shorter side resized to 260 / 0.89.
    assert (lite2.preprocessing.resize, lite2.preprocessing.crop) == (292, 260)

    info = ImageNetInfo()
    with torch.inference_mode():
        probabilities = lite2.logits(lite2.features(batch([BEE, CASTLE], lite2.preprocessing))).softmax(-1)
    top5 = [[info.index_to_description(int(i)) for i in row] for row in probabilities.topk(5).indices]
    assert [row[0] for row in top5] == ["bee", "castle"]
    assert float(probabilities[0].max()) > 0.9


def test_flip_tta_averages_the_photo_and_its_mirror(backbone):
    images = batch([BEE, CASTLE], backbone.preprocessing)

    with torch.inference_mode():
        flipped = backbone.embed(images, "flip")
        plain = backbone.embed(images, "none")
        expected = (backbone.features(images) + backbone.features(images.flip(-1))) / 2
        of_mirror = backbone.embed(images.flip(-1), "flip")

    assert flipped.shape == plain.shape == (2, 1280)
    assert torch.allclose(flipped, expected, atol=1e-5)
    assert torch.allclose(of_mirror, flipped, atol=1e-5)  # a photo and its mirror: one embedding
    assert not torch.allclose(flipped, plain, atol=1e-3)


def test_an_unknown_tta_is_refused(backbone):
    import pytest

    with pytest.raises(ValueError, match="Unknown test-time augmentation 'rotate'"):
        backbone.embed(torch.zeros(1, 3, 224, 224), "rotate")


def test_an_inference_backbone_folds_its_batch_norms_and_embeds_the_same(backbone):
    # Served photos run through the network with each BatchNorm folded into the
    # convolution before it (and the activation kept), in channels-last layout: the same
    # embeddings as the network as trained, with two thirds of its passes over memory gone.
    served = load_backbone(inference=True)
    images = torch.randn(3, 3, 224, 224, generator=torch.Generator().manual_seed(0))

    with torch.inference_mode():
        expected, found = backbone.features(images), served.features(images)

    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in served.model.modules())
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in backbone.model.modules()) == 49
    assert torch.allclose(found, expected, atol=1e-4)
    assert served.version == backbone.version  # the same weights: the same embeddings
    with torch.inference_mode():  # the ImageNet classifier is untouched
        assert torch.equal(served.logits(expected), backbone.logits(expected))


def test_a_batch_norm_the_network_applies_before_its_convolution_is_not_folded():
    from tagging.ml.backbones import fold_batch_norms

    class NormFirst(torch.nn.Module):  # children registered conv, bn; applied bn, then conv
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 3, 3)
            self.bn = torch.nn.BatchNorm2d(3)
            with torch.no_grad():
                self.bn.running_mean.uniform_(-1, 1)
                self.bn.running_var.uniform_(0.5, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv(self.bn(x))

    model = NormFirst().eval()
    probe = torch.randn(2, 3, 16, 16)

    kept = fold_batch_norms(model, probe)

    assert kept is model and isinstance(kept.bn, torch.nn.BatchNorm2d)


def _python_calls(run) -> int:
    """How many Python functions `run()` enters: each is a step that needs the GIL."""
    import sys

    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        run()
    finally:
        sys.setprofile(None)
    return calls


def test_a_served_forward_pass_is_one_graph_that_needs_no_python_between_its_operators():
    # Eagerly, a forward pass of Lite0 enters a Python module call for each of its layers,
    # and takes the GIL back between each of its ~150 operators: beside a thread running
    # Python (the chat's event loop, resuggest's writes) every operator waits its turn.
    # Served, the pass is one TorchScript graph, run in C++ from start to end.
    served = load_backbone(inference=True)
    images = torch.randn(2, 3, 224, 224)

    with torch.inference_mode():
        served.features(images)  # any first-call work out of the count
        calls = _python_calls(lambda: served.features(images))

    assert calls < 50, calls  # the way into the graph (about 20); eagerly about 1,200


def test_the_served_graph_embeds_as_the_network_does_at_any_batch_size(backbone):
    served = load_backbone(inference=True)
    generator = torch.Generator().manual_seed(1)

    for size in (1, 3, 8):
        images = torch.randn(size, 3, 224, 224, generator=generator)
        with torch.inference_mode():
            assert torch.allclose(served.features(images), backbone.features(images), atol=1e-4), size


def test_a_network_whose_trace_would_differ_is_served_as_it_is():
    # A trace records one run: a network that branches on its input's shape would be
    # served that one branch. The graph is checked at other batch sizes and dropped.
    from tagging.ml.backbones import served_graph

    class ShapeBranch(torch.nn.Module):
        def forward_features(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2 if x.shape[0] == 2 else x

        def forward_head(self, x: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
            return x.mean(dim=(2, 3))

    assert served_graph(ShapeBranch().eval(), torch.randn(2, 3, 8, 8)) is None


def test_a_network_that_cannot_be_traced_is_served_as_it_is():
    from tagging.ml.backbones import served_graph

    class PythonOut(torch.nn.Module):  # a trace records tensors, not Python lists
        def forward_features(self, x: torch.Tensor) -> torch.Tensor:
            return x

        def forward_head(self, x: torch.Tensor, pre_logits: bool = False) -> list[list[float]]:
            return [x.flatten().tolist()]

    assert served_graph(PythonOut().eval(), torch.randn(2, 3, 4, 4)) is None
