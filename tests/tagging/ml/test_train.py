import json
import os
import subprocess
import sys
from pathlib import Path

import torch

from tagging.ml.train import TrainConfig, run
from tagging.ml.vocabulary import build_vocabulary
from tests.tagging.ml.synthetic import CONTENT, NOISE, synthetic_photos, synthetic_training_set

ROOT = Path(__file__).resolve().parents[3]


def test_noise_hashtags_come_out_non_visual():
    embeddings, names, _owners = synthetic_photos()

    stats = {s.name: s for s in build_vocabulary(names, embeddings)}

    assert {name: stats[name].status for name in NOISE} == dict.fromkeys(NOISE, "non_visual")
    assert {stats[name].status for name in CONTENT} == {"active"}


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


def test_two_ddp_processes_train_the_same_head_as_one(tmp_path):
    synthetic_training_set(n=300).save(tmp_path / "set.pt")
    run(tmp_path / "set.pt", tmp_path / "single", TrainConfig(min_steps=50, batch_size=64))
    env = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}

    subprocess.run(
        [
            Path(sys.executable).parent / "torchrun",
            "--standalone",
            "--nproc_per_node",
            "2",
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
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )

    single = torch.load(tmp_path / "single" / "head.pt", weights_only=True)["hashtags"]["state"]
    ddp = torch.load(tmp_path / "ddp" / "head.pt", weights_only=True)["hashtags"]["state"]
    assert json.loads((tmp_path / "ddp" / "metrics.json").read_text())["world_size"] == 2
    assert torch.allclose(single["linear.weight"], ddp["linear.weight"], atol=1e-4)
    assert torch.allclose(single["linear.bias"], ddp["linear.bias"], atol=1e-4)


def test_finetune_trains_the_backbone_and_re_embeds(tmp_path):
    from PIL import Image, ImageDraw

    from tagging.ml.backbones import efficientnet_lite0_weights, load_backbone
    from tagging.ml.dataset import TrainingSet
    from tagging.ml.heads import Concept

    paths, targets = [], []
    for i in range(16):
        image = Image.new("RGB", (96, 96), "white")
        red = i % 2 == 0
        ImageDraw.Draw(image).ellipse((10 + i, 10, 80, 80 - i), fill="red" if red else "blue")
        image.save(tmp_path / f"{i}.jpg")
        paths.append(str(tmp_path / f"{i}.jpg"))
        targets.append([0 if red else 1])
    TrainingSet(
        concepts=[Concept("red", "red", "rojo"), Concept("blue", "blue", "azul")],
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
    assert efficientnet_lite0_weights().exists()
