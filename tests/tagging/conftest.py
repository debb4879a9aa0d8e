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


def early_analyses_finish() -> None:
    """Wait for the forward passes uploads began on the early-analysis thread: inline, an
    upload begins one as soon as it is decoded, and in a test whose commit never comes
    nothing takes it, so it may land in a later count of forward passes."""
    from tagging.services.suggestions import _early_thread

    _early_thread.submit(lambda: None).result()


@pytest.fixture(autouse=True)
def _early_analyses_finish():
    yield
    early_analyses_finish()


def suggestions_become(photo, names: list[str]) -> None:
    """`photo`'s current suggestions are `names`, open, ranked in that order, scored 0.9
    down by 0.1 each (concepts made where the table lacks them)."""
    from socialapp.hashtags.models import Concept
    from tagging.models import PhotoSuggestion
    from tests.factories import suggestion_stored

    PhotoSuggestion.objects.filter(photo=photo).delete()
    for rank, name in enumerate(names):
        concept, _ = Concept.objects.get_or_create(
            name=name, defaults={"display_en": name, "display_es": name}
        )
        suggestion_stored(
            photo, concept, score=0.9 - rank / 10, rank=rank, model_version=photo.tagging_model_version
        )
