from pathlib import Path

import pytest

from tagging.ml.backbones import load_backbone
from tagging.ml.coldstart import ColdStartHead
from tagging.ml.inference import Tagger, Thresholds

DEMO = Path(__file__).resolve().parents[2] / "socialapp" / "demo" / "data" / "photos"
BEE = DEMO / "dev_022.jpg"  # a honeybee on an aster
CASTLE = DEMO / "dev_004.jpg"  # Egeskov castle over its moat
PLIERS = DEMO / "dev_001.jpg"  # red pliers
CUPS = DEMO / "dev_003.jpg"  # stacked party cups


@pytest.fixture(scope="session")
def backbone():
    # The real packaged ImageNet weights, loaded once for the whole run.
    return load_backbone()


@pytest.fixture(scope="session")
def cold_start(backbone):
    return Tagger(backbone, ColdStartHead(backbone), Thresholds())
