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
from tests.factories import UserFactory, client_for, make_photo
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


def _edit(photo: Photo, caption: str) -> Photo:
    response = client_for(photo.owner).patch(f"/api/photos/{photo.pk}/", {"caption": caption}, format="json")
    assert response.status_code == 200, response.json()
    return Photo.objects.select_related("owner").get(pk=photo.pk)


def _open(photo: Photo) -> dict[str, PhotoSuggestion]:
    return {row.concept.name: row for row in _rows(photo) if row.state == PhotoSuggestion.State.OPEN}


def test_editing_the_caption_redraws_the_chips_it_named(
    trained, settings, django_capture_on_commit_callbacks
):
    settings.TAGGING_MIN_SCORE = 0.0  # the photo's own suggestions, however unsure, to follow
    photo = _upload(UserFactory(), "Sunday", django_capture_on_commit_callbacks)
    seen = {name: (row.score, row.rank) for name, row in _open(photo).items()}  # what the photo alone says
    assert "summer" in seen and "plier" not in seen
    assert all(row.photo_score == row.score for row in _rows(photo))

    photo = _edit(photo, "Sunday, summer at last, and my new pliers")

    chips = _open(photo)
    plier, summer = chips["plier"], chips["summer"]
    assert plier.hashtag == "pliers" and plier.photo_score == 0.0  # the caption alone named it
    assert plier.score >= round(_caption_score(photo, "plier"), 4) > 0
    assert summer.photo_score == seen["summer"][0] < summer.score  # both models' evidence
    assert seen.keys() < chips.keys()  # every suggestion the photo made stays
    ranked = _rows(photo)
    assert [row.rank for row in ranked] == list(range(len(ranked)))
    for mentioned in (plier, summer):  # placed by their score among the photo's
        assert all(row.score >= mentioned.score for row in ranked[: mentioned.rank])
    assert photo.alt_text == "Photo of pliers."  # written from the chips, as an upload's is

    photo = _edit(photo, "Sunday")

    assert {name: (row.score, row.rank) for name, row in _open(photo).items()} == seen
    assert "pliers" not in photo.alt_text


def test_a_caption_edit_shows_no_more_chips_than_an_upload_would(
    trained, settings, django_capture_on_commit_callbacks
):
    """The redraw keeps every suggestion the photo made (an edit back restores them), so a
    chip the caption named pushed one past TAGGING_MAX_SUGGESTIONS, and the post showed
    one chip more than the setting allows (and than an upload with that caption)."""
    settings.TAGGING_MIN_SCORE = 0.0  # the photo's own suggestions, however unsure
    settings.TAGGING_MAX_SUGGESTIONS = 3
    photo = _upload(UserFactory(), "Sunday", django_capture_on_commit_callbacks)
    client = client_for(photo.owner)

    def shown() -> list[str]:
        response = client.get(f"/api/photos/{photo.pk}/suggestions/")
        assert response.status_code == 200
        return [chip["name"] for chip in response.json()["hashtags"]]

    before = shown()
    assert len(before) == 3 and "pliers" not in before

    _edit(photo, "Sunday, and my new pliers")

    assert len(shown()) == 3 and "pliers" in shown()
    assert {row.hashtag for row in _open(photo).values()} == {*before, "pliers"}  # none is lost

    _edit(photo, "Sunday")

    assert shown() == before


def test_a_caption_edit_keeps_what_the_owner_decided(trained, django_capture_on_commit_callbacks):
    photo = _upload(UserFactory(), "My new red pliers", django_capture_on_commit_callbacks)
    plier, kept = _open(photo)["plier"], _open(photo)["red"]
    services.suggestion_reject(suggestion=plier)
    services.suggestion_accept(suggestion=kept)

    photo = _edit(photo, "My new red pliers, again")

    rows = {row.concept.name: (row.pk, row.state) for row in _rows(photo)}
    assert rows["plier"] == (plier.pk, PhotoSuggestion.State.REJECTED)
    assert rows["red"] == (kept.pk, PhotoSuggestion.State.ACCEPTED)
    assert "plier" not in _open(photo)


def test_the_autocomplete_counts_a_chips_caption_evidence_once(trained, django_capture_on_commit_callbacks):
    photo = _upload(UserFactory(), "Love my new pliers", django_capture_on_commit_callbacks)
    stored = _open(photo)["plier"]  # the caption's evidence and the photo's, blended once

    found, _version = caption_suggestions.hashtag_suggestions(
        viewer=photo.owner, language="en", caption=photo.caption, photo_id=photo.pk
    )

    [plier] = [s for s in found if s.concept == "plier"]
    assert plier.score == pytest.approx(stored.score, abs=1e-3)


def test_a_caption_edited_while_its_photo_is_analysed_is_the_one_read(
    trained, monkeypatch, django_capture_on_commit_callbacks
):
    from tagging.services import suggestions as analysis

    look = analysis._early_look

    def edited_meanwhile(photo, early, tagger):
        # the owner edits the caption once the analysis has read the post, while it looks
        Photo.objects.filter(pk=photo.pk).update(caption="Sky, and my new pliers")
        return look(photo, early, tagger)

    monkeypatch.setattr(analysis, "_early_look", edited_meanwhile)
    photo = _upload(UserFactory(), "Sky", django_capture_on_commit_callbacks)

    assert _open(photo)["plier"].hashtag == "pliers"


def test_the_post_pages_edit_form_redraws_the_chips(trained, client, django_capture_on_commit_callbacks):
    photo = _upload(UserFactory(), "Sky at dusk", django_capture_on_commit_callbacks)
    client.force_login(photo.owner)

    response = client.post(
        f"/p/{photo.pk}/edit/",
        {"caption": "Sky at dusk, my new pliers", "alt_text": photo.alt_text},
        follow=True,
    )

    assert response.status_code == 200
    assert "#pliers" in response.content.decode()  # the page it lands on shows the new chip
    assert "plier" in _open(photo)


def test_suggestions_stored_before_the_photos_own_scores_were_kept_are_the_photos():
    import importlib

    from django.apps import apps

    from tests.tagging.conftest import suggestions_become

    migration = importlib.import_module("tagging.migrations.0014_suggestion_photo_score")
    photo = make_photo(UserFactory())
    suggestions_become(photo, ["sky", "sea"])
    PhotoSuggestion.objects.filter(photo=photo).update(photo_score=-1.0, photo_rank=None)  # unknown before

    migration.photos_own(apps, None)

    rows = _rows(photo)
    assert [(row.photo_score, row.photo_rank) for row in rows] == [(row.score, row.rank) for row in rows]
