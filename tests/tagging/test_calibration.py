"""A trained version's calibration, as training measures it on the platform's photos."""

import pytest
import torch
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create
from socialapp.uploads import stored_file_read
from tagging import services
from tagging.ml.ranking import UNLEARNED_MIN_PHOTOS
from tagging.selectors import tagger_active
from tests.factories import UserFactory
from tests.images import pattern_jpeg

RED, BLUE = (220, 30, 30), (30, 30, 220)


@pytest.mark.django_db
def test_a_trained_version_leaves_off_what_it_did_not_learn_where_its_photos_lack_it(settings):
    for person in [UserFactory(training_consent=True) for _ in range(3)]:
        for i in range(6):
            image = SimpleUploadedFile(
                "p.jpg", pattern_jpeg(RED if i % 2 else BLUE, seed=person.pk * 100 + i)
            )
            photo_create(owner=person, image=image, caption=f"#{'red' if i % 2 else 'blue'}")
    services.vocabulary_build()
    cold = tagger_active()
    images = [stored_file_read(p.image) for p in Photo.objects.order_by("pk")]
    before = cold.scores(cold.embed(images))

    services.model_version_train()

    tagger = tagger_active()
    assert tagger.version != cold.version
    concepts = [c.name for c in tagger.head.concepts]
    scores = tagger.scores(tagger.embed([stored_file_read(p.image) for p in Photo.objects.order_by("pk")]))
    thresholds = tagger.calibration.thresholds
    unlearned = torch.tensor([name not in {"red", "blue"} for name in concepts])
    raised = unlearned & ~thresholds.isnan()
    # The cold start suggested some concept nobody wrote on these photos, on enough of them...
    cold_columns = [cold.head.concepts.index(c) for c in cold.head.concepts if c.name not in {"red", "blue"}]
    assert int((before[:, cold_columns] >= settings.TAGGING_MIN_SCORE).sum(0).max()) >= UNLEARNED_MIN_PHOTOS
    # ...and the trained version raised those concepts' thresholds above all its photos.
    assert bool(raised.any())
    assert not bool((scores[:, raised] >= thresholds[raised]).any())
    assert {concepts[i] for i in range(len(concepts)) if not unlearned[i]} == {"red", "blue"}
    # What people here write, for the ranking's general concepts: the version's vocabulary.
    assert {concepts[i] for i in tagger.calibration.written.nonzero().flatten().tolist()} == {"red", "blue"}
