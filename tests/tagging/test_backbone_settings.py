import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.photos.services import photo_create
from tagging import services
from tagging.selectors import tagger_active
from tests.factories import UserFactory
from tests.images import pattern_jpeg

ROOT = Path(__file__).resolve().parents[2]
RED, BLUE = (220, 30, 30), (30, 30, 220)


def _posts() -> None:
    for person in [UserFactory(training_consent=True) for _ in range(3)]:
        for i in range(6):
            image = SimpleUploadedFile(
                "p.jpg", pattern_jpeg(RED if i % 2 else BLUE, seed=person.pk * 100 + i)
            )
            photo_create(owner=person, image=image, caption=f"#{'red' if i % 2 else 'blue'}")


@pytest.mark.django_db
def test_flip_tta_trains_and_serves_flip_embeddings_only(settings):
    settings.TAGGING_TTA = "flip"
    _posts()
    services.vocabulary_build()

    version, activated = services.model_version_train()

    assert activated
    assert version.backbone == "efficientnet_lite0-57934424+flip"
    assert tagger_active().version == f"{version.name}+flip"
    settings.TAGGING_TTA = "none"
    with pytest.raises(
        ImproperlyConfigured, match=r"trained on efficientnet_lite0-57934424\+flip embeddings"
    ):
        tagger_active()


@pytest.mark.django_db
def test_cold_start_serves_with_the_configured_tta(settings):
    settings.TAGGING_TTA = "flip"

    assert tagger_active().version == "coldstart-1-lite0+flip"


@pytest.mark.django_db
def test_cold_start_versions_name_their_backbone(settings):
    lite0 = tagger_active().version
    settings.TAGGING_BACKBONE = "efficientnet_lite2"

    assert (lite0, tagger_active().version) == ("coldstart-1-lite0", "coldstart-1-lite2")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TAGGING_DEVICE", "gpu", "TAGGING_DEVICE='gpu' is not one of: auto, cpu, cuda."),
        ("TAGGING_TTA", "mirror", "TAGGING_TTA='mirror' is not one of: none, flip."),
        ("TAGGING_DEVICE", "cuda", "TAGGING_DEVICE=cuda, but CUDA sees no GPU here"),
    ],
)
def test_bad_tagger_settings_stop_the_process_at_start(variable, value, message):
    # CUDA_VISIBLE_DEVICES="" hides any GPU, so "cuda" is refused on GPU hosts as well.
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.test",
        "CUDA_VISIBLE_DEVICES": "",
    }

    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, variable: value},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert "ImproperlyConfigured" in done.stderr and message in done.stderr


@pytest.mark.django_db
def test_an_upload_under_other_embedding_settings_fails_with_the_reason(
    settings, django_capture_on_commit_callbacks
):
    settings.TAGGING_TTA = "flip"
    _posts()
    services.vocabulary_build()
    services.model_version_train()
    settings.TAGGING_TTA = "none"

    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        photo = photo_create(
            owner=owner, image=SimpleUploadedFile("p.jpg", pattern_jpeg(RED, seed=7)), caption="#red"
        )

    photo.refresh_from_db()
    assert photo.tagging_status == "failed"
    assert "trained on efficientnet_lite0-57934424+flip embeddings" in photo.tagging_reason
