import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from socialapp.accounts.services import user_set_training_consent, user_update_profile
from socialapp.photos.services import comment_create, photo_create
from socialapp.shop.services import listing_create
from tagging import services
from tagging.selectors import training_photos
from tests.factories import UserFactory
from tests.images import pattern_jpeg

pytestmark = pytest.mark.django_db

RED, BLUE = (220, 30, 30), (30, 30, 220)


def _people(count: int = 3):
    people = [UserFactory(training_consent=True) for _ in range(count)]
    for person in people:
        for i in range(6):
            image = SimpleUploadedFile(
                "p.jpg", pattern_jpeg(RED if i % 2 else BLUE, seed=person.pk * 100 + i)
            )
            photo_create(owner=person, image=image, caption=f"#{'red' if i % 2 else 'blue'}")
    return people


def _cached(user) -> set[Path]:
    ids = {str(pk) for pk in user.photos.values_list("pk", flat=True)}
    return {p for p in Path(settings.MODELS_DIR, "embeddings").rglob("*.npy") if p.name.split("-")[0] in ids}


def test_privacy_page_counts_lineage_and_withdrawal_drops_embeddings(
    client, django_capture_on_commit_callbacks
):
    people = _people()
    services.vocabulary_build()
    services.model_version_train()
    me = people[0]
    client.force_login(me)

    page = client.get("/settings/privacy/").content.decode()
    assert "Your public photos help train it: 6 photos can be used." in page
    assert "v1 (in use): 6 of your photos" in page
    assert _cached(me)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/privacy/", {"consent": "no"})

    me.refresh_from_db()
    assert me.training_consent is False
    assert _cached(me) == set()
    assert not training_photos().filter(owner=me).exists()
    services.vocabulary_build()
    version, _ = services.model_version_train(force=True)
    assert not version.trained_on.filter(owner=me).exists()
    assert "Your photos are not used for training." in client.get("/settings/privacy/").content.decode()


def test_going_private_also_drops_embeddings(django_capture_on_commit_callbacks):
    people = _people(2)
    services.vocabulary_build()
    assert _cached(people[0])

    with django_capture_on_commit_callbacks(execute=True):
        user_update_profile(user=people[0], is_private=True)

    assert _cached(people[0]) == set()
    assert _cached(people[1])


def test_giving_consent_back_changes_nothing_cached(django_capture_on_commit_callbacks):
    me = UserFactory(training_consent=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user_set_training_consent(user=me, consent=True)

    assert callbacks == []


def test_data_export_has_profile_posts_images_comments_listings_and_suggestions():
    me = UserFactory(username="lucia", display_name="Lucía")
    other = UserFactory()
    photo = photo_create(
        owner=me, image=SimpleUploadedFile("p.jpg", pattern_jpeg(RED, 1)), caption="Rojo #red"
    )
    services.photo_suggestions_compute(photo_id=photo.pk)
    theirs = photo_create(owner=other, image=SimpleUploadedFile("p.jpg", pattern_jpeg(BLUE, 2)), caption="")
    comment_create(author=me, photo=theirs, text="¡Bonita!")
    listing_create(
        seller=me,
        title="Red lamp",
        description="",
        price=Decimal("12.00"),
        currency="EUR",
        category="home",
        photo=photo,
    )
    client = APIClient()
    client.force_authenticate(me)

    response = client.get("/api/me/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {
        "profile.json",
        "posts.json",
        "comments.json",
        "likes.json",
        "listings.json",
        "suggestions.json",
    } <= names
    assert f"photos/{photo.pk}.jpg" in names
    assert archive.read(f"photos/{photo.pk}.jpg")[:3] == b"\xff\xd8\xff"
    assert json.loads(archive.read("profile.json"))["display_name"] == "Lucía"
    posts = json.loads(archive.read("posts.json"))
    assert [(p["caption"], [h["name"] for h in p["hashtags"]]) for p in posts] == [("Rojo #red", ["red"])]
    assert json.loads(archive.read("comments.json"))[0]["text"] == "¡Bonita!"
    assert json.loads(archive.read("listings.json"))[0]["title"] == "Red lamp"
    assert len(json.loads(archive.read("suggestions.json"))) == photo.suggestions.count() > 0
    assert not any(name.startswith(f"photos/{theirs.pk}") for name in names)


def test_export_page_needs_login(client):
    response = client.get("/settings/export/")

    assert (response.status_code, response["Location"]) == (302, "/login/?next=/settings/export/")


def test_the_served_neighbour_index_drops_photos_that_may_no_longer_train(django_capture_on_commit_callbacks):
    from socialapp.moderation.services import photo_hide
    from socialapp.photos.models import Photo
    from tagging.selectors import tagger_active

    _people()
    services.vocabulary_build()
    services.model_version_train()
    before = tagger_active()
    indexed = before.head.neighbours.photo_ids
    me = Photo.objects.get(pk=indexed[0]).owner
    mine = set(me.photos.values_list("pk", flat=True))
    hidden = Photo.objects.exclude(owner=me).get(pk__in=indexed[-1:])
    assert mine & set(indexed) and hidden.pk in indexed

    with django_capture_on_commit_callbacks(execute=True):
        user_set_training_consent(user=me, consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        photo_hide(moderator=UserFactory(), photo=hidden, reason="spam")

    after = tagger_active()
    served = after.head.neighbours.photo_ids
    assert served == [pk for pk in indexed if pk not in mine and pk != hidden.pk]
    # Only the index is worked out again: the version's head and backbone are not reloaded.
    assert after is not before and after.head.coldstart is before.head.coldstart
    assert after.backbone is before.backbone
