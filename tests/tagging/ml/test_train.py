import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tagging.ml.run_setup import LabelRows
from tagging.ml.train import TrainConfig, run
from tagging.ml.vocabulary import build_vocabulary
from tests.tagging.ml.synthetic import CONTENT, NOISE, synthetic_photos, synthetic_training_set

ROOT = Path(__file__).resolve().parents[3]


def test_noise_hashtags_come_out_non_visual():
    embeddings, names, _owners = synthetic_photos()

    stats = {s.name: s for s in build_vocabulary(names, embeddings)}

    assert {name: stats[name].status for name in NOISE} == dict.fromkeys(NOISE, "non_visual")
    assert {stats[name].status for name in CONTENT} == {"active"}


def test_a_batch_of_label_rows_is_k_hot_over_k_and_a_mask():
    # What each training step's targets are, built from the labels packed once (a loop
    # over a batch's rows took a sixth of a 100k-photo head's training).
    labels = [[3, 0], [], [1], [4, 2, 1], [0]]
    rows = torch.tensor([3, 1, 0, 3, 4, 2])  # drawn with replacement, an empty one among them

    packed = LabelRows(labels, num_concepts=5)
    soft, mask = packed.soft(rows), packed.mask(rows)

    third, half = 1 / 3, 1 / 2
    expected = torch.tensor(
        [
            [0, third, third, 0, third],
            [0, 0, 0, 0, 0],
            [half, 0, 0, half, 0],
            [0, third, third, 0, third],
            [1, 0, 0, 0, 0],
            [0, 1, 0, 0, 0],
        ]
    )
    assert torch.equal(soft, expected)
    assert torch.equal(mask, (expected > 0).float())


def test_training_learns_content_hashtags(tmp_path):
    data = synthetic_training_set()
    data.save(tmp_path / "set.pt")

    result = run(tmp_path / "set.pt", tmp_path / "out", TrainConfig())

    assert result["hashtags"]["hit@1"] >= 0.9
    assert result["hashtags"]["hit@1"] > result["baselines"]["most_frequent"]["hit@1"]
    written = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert written["hashtags"] == result["hashtags"]
    assert (tmp_path / "out" / "plots" / "per_concept_ap.png").read_bytes()[:4] == b"\x89PNG"
    saved = torch.load(tmp_path / "out" / "head.pt", weights_only=True)
    assert [c["name"] for c in saved["concepts"]] == sorted(CONTENT)


def test_training_is_deterministic_for_a_seed(tmp_path):
    synthetic_training_set(n=300).save(tmp_path / "set.pt")

    run(tmp_path / "set.pt", tmp_path / "a", TrainConfig(min_steps=50))
    run(tmp_path / "set.pt", tmp_path / "b", TrainConfig(min_steps=50))

    first = torch.load(tmp_path / "a" / "head.pt", weights_only=True)["hashtags"]["state"]
    second = torch.load(tmp_path / "b" / "head.pt", weights_only=True)["hashtags"]["state"]
    assert torch.equal(first["linear.weight"], second["linear.weight"])


GPUS = torch.cuda.device_count()


@pytest.mark.parametrize(
    "device",
    [
        "cpu",
        pytest.param(
            "cuda", marks=pytest.mark.skipif(GPUS == 0, reason="needs a CUDA GPU (runs on gloo/CPU above)")
        ),
    ],
)
def test_two_ddp_processes_train_the_same_head_as_one(tmp_path, device):
    # On GPUs: one process per GPU (nccl), two where there are two; on the CPU two (gloo).
    processes = 2 if device == "cpu" else min(2, GPUS)
    synthetic_training_set(n=300).save(tmp_path / "set.pt")
    run(tmp_path / "set.pt", tmp_path / "single", TrainConfig(min_steps=50, batch_size=64, device=device))
    env = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}

    subprocess.run(
        [
            Path(sys.executable).parent / "torchrun",
            "--standalone",
            "--nproc_per_node",
            str(processes),
            "-m",
            "tagging.ml.train",
            "--data",
            str(tmp_path / "set.pt"),
            "--out",
            str(tmp_path / "ddp"),
            "--batch-size",
            "64",
            "--min-steps",
            "50",
            "--device",
            device,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )

    single = torch.load(tmp_path / "single" / "head.pt", weights_only=True)["hashtags"]["state"]
    ddp = torch.load(tmp_path / "ddp" / "head.pt", weights_only=True)["hashtags"]["state"]
    written = json.loads((tmp_path / "ddp" / "metrics.json").read_text())
    assert (written["world_size"], written["device"]) == (processes, "cpu" if device == "cpu" else "cuda:0")
    assert torch.allclose(single["linear.weight"], ddp["linear.weight"], atol=1e-4)
    assert torch.allclose(single["linear.bias"], ddp["linear.bias"], atol=1e-4)


def test_finetune_trains_the_backbone_and_re_embeds(tmp_path):
    from PIL import Image, ImageDraw

    from tagging.ml.backbones import load_backbone
    from tagging.ml.dataset import TrainingSet
    from tagging.ml.heads import ConceptLabel

    paths, targets = [], []
    for i in range(16):
        image = Image.new("RGB", (96, 96), "white")
        red = i % 2 == 0
        ImageDraw.Draw(image).ellipse((10 + i, 10, 80, 80 - i), fill="red" if red else "blue")
        image.save(tmp_path / f"{i}.jpg")
        paths.append(str(tmp_path / f"{i}.jpg"))
        targets.append([0 if red else 1])
    TrainingSet(
        concepts=[ConceptLabel("red", "red", "rojo"), ConceptLabel("blue", "blue", "azul")],
        photo_ids=list(range(16)),
        owners=list(range(16)),
        targets=targets,
        negatives=[[] for _ in range(16)],
        split=["train"] * 12 + ["val"] * 4,
        backbone="efficientnet_lite0",
        backbone_version="efficientnet_lite0-57934424",
        image_paths=paths,
    ).save(tmp_path / "set.pt")

    result = run(tmp_path / "set.pt", tmp_path / "out", TrainConfig(finetune=True, min_steps=20))

    tuned = torch.load(tmp_path / "out" / "backbone.pt", weights_only=True)
    original = load_backbone().model.state_dict()
    assert set(tuned) == set(original)
    assert not torch.equal(tuned["conv_head.weight"], original["conv_head.weight"])
    assert load_backbone("efficientnet_lite0", tmp_path / "out" / "backbone.pt").embedding_dim == 1280
    saved = torch.load(tmp_path / "out" / "head.pt", weights_only=True)
    assert saved["backbone_version"] == "efficientnet_lite0-57934424-finetuned"
    assert result["val_photos"] == 4


def test_shop_head_learns_categories_with_a_none_outcome(tmp_path):
    from tagging.ml.dataset import SHOP_LABELS, ShopSet

    data = synthetic_training_set(n=400)
    assert data.embeddings is not None
    # Photos of thing0 are sold as "home", thing1 as "toys"; the rest are not for sale.
    labels = []
    for targets in data.targets:
        names = [data.concepts[i].name for i in targets]
        labels.append(
            SHOP_LABELS.index("home")
            if "thing0" in names
            else SHOP_LABELS.index("toys")
            if "thing1" in names
            else SHOP_LABELS.index("none")
        )
    data.shop = ShopSet(embeddings=data.embeddings, labels=labels, split=list(data.split))
    data.save(tmp_path / "set.pt")

    result = run(tmp_path / "set.pt", tmp_path / "out", TrainConfig())

    assert result["shop"]["accuracy"] >= 0.95
    assert result["shop"]["accuracy"] > result["shop_baseline_most_frequent"]["accuracy"]
    assert result["shop"]["labels"] == list(SHOP_LABELS)
    assert len(result["shop"]["confusion"]) == len(SHOP_LABELS)
    saved = torch.load(tmp_path / "out" / "head.pt", weights_only=True)
    assert saved["shop"]["labels"] == list(SHOP_LABELS)


def test_blended_head_moves_from_cold_start_to_learned_with_evidence(tmp_path, backbone):
    from tagging.ml.coldstart import ColdStartHead
    from tagging.ml.learned import BLEND_PRIOR, BlendedHead, LinearHead, blend_weights

    dim = backbone.embedding_dim
    head = LinearHead(dim, 2, torch.zeros(dim), torch.ones(dim))
    with torch.no_grad():
        head.linear.weight.zero_()
        head.linear.bias.copy_(torch.tensor([5.0, -5.0]))  # always "dog", never "windmill"
    weights = blend_weights(torch.tensor([20.0, 0.0]), [1.0, None])
    saved = {
        "concepts": [
            {"name": "dog", "display_en": "dog", "display_es": "perro"},
            {"name": "windmill", "display_en": "windmill", "display_es": "molino"},
        ],
        "hashtags": {"state": head.state_dict()},
        "k_mean": 1.0,
        "blend_weights": weights.tolist(),
        "shop": None,
    }
    cold = ColdStartHead(backbone)
    blended = BlendedHead(saved, cold, version="v1")
    embeddings = torch.randn(3, dim)

    with torch.inference_mode():
        scores = blended.concept_scores(embeddings)
        cold_scores = cold.concept_scores(embeddings)
        learned_dog = (head(embeddings).softmax(-1)[:, 0]).clamp(max=1.0)

    names = [c.name for c in blended.concepts]
    cold_names = [c.name for c in cold.concepts]
    w = 20 / (20 + BLEND_PRIOR)
    expected_dog = w * learned_dog + (1 - w) * cold_scores[:, cold_names.index("dog")]
    assert torch.allclose(scores[:, names.index("dog")], expected_dog, atol=1e-5)
    assert torch.allclose(scores[:, names.index("windmill")], torch.zeros(3))  # no evidence, no weight
    assert torch.allclose(scores[:, names.index("castle")], cold_scores[:, cold_names.index("castle")])
    assert torch.equal(blended.category_scores(embeddings), cold.category_scores(embeddings))


def test_training_stores_a_neighbour_index_of_the_train_split(tmp_path):
    from tagging.ml.neighbours import BLEND_GRID, load_index

    data = synthetic_training_set()
    data.save(tmp_path / "set.pt")

    result = run(tmp_path / "set.pt", tmp_path / "out", TrainConfig())

    index = load_index(tmp_path / "out")
    train = data.indices("train")
    assert index is not None
    assert index.photo_ids == [data.photo_ids[i] for i in train]  # never a held-out photo
    assert index.targets == [data.targets[i] for i in train]
    assert index.blend in BLEND_GRID
    assert result["neighbours"] == {"photos": len(train), "blend": index.blend, "floor": index.floor}
    assert sorted(result["neighbours_blend_figures"]) == list(BLEND_GRID)


def test_blended_head_mixes_its_neighbours_into_its_own_concepts(backbone):
    from tagging.ml.coldstart import ColdStartHead
    from tagging.ml.learned import BlendedHead, LinearHead, blend_weights
    from tagging.ml.neighbours import NeighbourIndex

    dim = backbone.embedding_dim
    head = LinearHead(dim, 2, torch.zeros(dim), torch.ones(dim))
    saved = {
        "concepts": [
            {"name": "dog", "display_en": "dog", "display_es": "perro"},
            {"name": "sunset", "display_en": "sunset", "display_es": "atardecer"},
        ],
        "hashtags": {"state": head.state_dict()},
        "k_mean": 1.0,
        "blend_weights": blend_weights(torch.tensor([20.0, 20.0]), [1.0, 1.0]).tolist(),
        "shop": None,
    }
    generator = torch.Generator().manual_seed(0)
    indexed, queries = torch.randn(6, dim, generator=generator), torch.randn(3, dim, generator=generator)
    index = NeighbourIndex.build(indexed, [[1]] * 3 + [[0, 1]] * 3, list(range(6)), blend=0.75)
    cold = ColdStartHead(backbone)
    plain = BlendedHead(saved, cold, version="v1")
    with_neighbours = BlendedHead(saved, cold, version="v1", neighbours=index)

    with torch.inference_mode():
        before, after = plain.concept_scores(queries), with_neighbours.concept_scores(queries)

    nearby = index.scores(queries, 2)
    assert torch.allclose(after[:, :2], 0.25 * before[:, :2] + 0.75 * nearby, atol=1e-6)
    assert torch.allclose(after[:, 1], 0.25 * before[:, 1] + 0.75)  # every indexed photo has #sunset
    assert torch.equal(after[:, 2:], before[:, 2:])  # cold-start concepts it never learned
