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


@pytest.fixture(autouse=True)
def _early_analyses_finish():
    """Inline, an upload begins its forward pass on the early-analysis thread as soon as it
    is decoded, and a test whose commit never comes leaves it running: let it finish
    before the next test counts forward passes."""
    yield
    from tagging.services.suggestions import _early_thread

    _early_thread.submit(lambda: None).result()
