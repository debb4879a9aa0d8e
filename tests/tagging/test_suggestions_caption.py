"""Stored suggestions read the caption: what its words name is suggested beside what the
tagger sees (the cold start knows no pliers; captioned "Mis alicates rojos", red pliers
were suggested #abrelatas and not #alicates)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create
from tagging import caption_suggestions, services
from tagging.caption_suggestions import (
    caption_evidence,
    caption_language,
    caption_model_active,
    caption_words,
)
from tagging.models import PhotoSuggestion
from tests.factories import UserFactory, client_for
from tests.images import pattern_jpeg

pytestmark = pytest.mark.django_db

RED, BLUE = (220, 30, 30), (30, 30, 220)


@pytest.fixture
def trained(settings):
    """An active trained version whose caption model learned that people who write
    "pliers" hashtag #pliers."""
    caption_suggestions._caption_model.cache_clear()  # loaded once per folder name and process
    for person in [UserFactory(training_consent=True) for _ in range(3)]:
        for i in range(6):
            image = SimpleUploadedFile(
                "p.jpg", pattern_jpeg(RED if i % 2 else BLUE, seed=person.pk * 100 + i)
            )
            caption = f"My pliers, day {i} #pliers #red" if i % 2 else f"Sky, day {i} #blue"
            photo_create(owner=person, image=image, caption=caption)
    services.vocabulary_build()
    version, activated = services.model_version_train()
    assert activated, version
    assert caption_model_active()[0] is not None
    yield version
    caption_suggestions._caption_model.cache_clear()


def _upload(owner, caption: str, django_capture_on_commit_callbacks) -> Photo:
    image = SimpleUploadedFile("new.jpg", pattern_jpeg(BLUE, seed=999))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(
            "/api/photos/", {"image": image, "caption": caption}, format="multipart"
        )
    assert response.status_code == 201, response.json()
    return Photo.objects.select_related("owner").get(pk=response.json()["id"])


def _caption_score(photo: Photo, concept: str) -> float:
    model, _version = caption_model_active()
    words = caption_words(photo.caption)
    return model.scores(caption_evidence(photo.caption, words, language=caption_language(words, "en")))[
        concept
    ]


def _rows(photo: Photo) -> list[PhotoSuggestion]:
    return list(PhotoSuggestion.objects.filter(photo=photo).select_related("concept").order_by("rank"))


def test_an_upload_is_suggested_what_its_caption_names_in_the_captions_words(
    trained, django_capture_on_commit_callbacks
):
    spanish = _upload(UserFactory(language="es"), "Mis alicates nuevos", django_capture_on_commit_callbacks)
    english = _upload(UserFactory(), "Love my new pliers", django_capture_on_commit_callbacks)

    for photo, hashtag in [(spanish, "alicates"), (english, "pliers")]:
        rows = _rows(photo)
        [plier] = [row for row in rows if row.concept.name == "plier"]
        assert plier.hashtag == hashtag
        assert plier.model_version == trained.name
        # Both models' evidence: never below what the caption alone says.
        assert plier.score >= round(_caption_score(photo, "plier"), 4) > 0
        # Placed by its score among the tagger's: nothing before it is less sure.
        assert all(row.score >= plier.score for row in rows[: plier.rank])
    # "Love" names #love, a non-visual hashtag: never suggested, whatever the caption says.
    assert "love" not in {row.concept.name for row in _rows(english)}
    # The alt text names them too (it is written from the suggestions).
    assert (spanish.alt_text, english.alt_text) == ("Foto de unos alicates.", "Photo of pliers.")


def test_what_the_caption_already_hashtags_is_never_suggested(trained, django_capture_on_commit_callbacks):
    photo = _upload(UserFactory(), "New pliers #pliers", django_capture_on_commit_callbacks)

    assert "plier" not in {row.concept.name for row in _rows(photo)}


def test_resuggest_reads_the_caption_too(trained, django_capture_on_commit_callbacks):
    photo = _upload(UserFactory(), "Love my new pliers", django_capture_on_commit_callbacks)
    PhotoSuggestion.objects.filter(photo=photo).delete()
    Photo.objects.filter(pk=photo.pk).update(tagging_model_version="v0")  # as an earlier version left it

    result = services.suggestions_recompute()

    assert result.rescored >= 1
    assert "plier" in {row.concept.name for row in _rows(photo)}
