"""Re-suggest after a new version: `manage.py resuggest` runs the active tagger (here the
real cold-start one) over posts an earlier version analysed, replacing suggestions no one
reviewed and leaving every reviewed post exactly as it was."""

import copy
import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
import torch
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create, photo_delete
from tagging import selectors, services
from tagging.ml.backbones import Backbone
from tagging.ml.inference import Tagger
from tagging.ml.learned import BlendedHead
from tagging.ml.neighbours import NeighbourIndex
from tagging.ml.preprocessing import decode
from tagging.models import PhotoSuggestion, ShopSuggestion
from tagging.services import resuggest
from tagging.services.suggestions import served_embedding_key, served_embeddings
from tests.factories import UserFactory
from tests.images import pattern_jpeg
from tests.tagging.conftest import BEE, CUPS, DEMO, early_analyses_finish

BRIDGE = DEMO / "dev_010.jpg"  # Tower Bridge: #bridge, #architecture, #suspensionbridge, ...

pytestmark = pytest.mark.django_db

OLD = "v0"
ROW_FIELDS = ("pk", "concept__name", "hashtag", "score", "rank", "model_version", "state", "decided_at")


def _post(path: Path, owner=None, caption: str = "") -> Photo:
    """A post analysed by the active tagger, as an upload is."""
    owner = owner or UserFactory()
    photo = photo_create(owner=owner, image=SimpleUploadedFile(path.name, path.read_bytes()), caption=caption)
    return services.photo_suggestions_compute(photo_id=photo.pk)


def _as_if_old(photo: Photo) -> Photo:
    """Its stored suggestions become those of an earlier version, OLD."""
    PhotoSuggestion.objects.filter(photo=photo).update(model_version=OLD)
    ShopSuggestion.objects.filter(photo=photo).update(model_version=OLD)
    Photo.objects.filter(pk=photo.pk).update(tagging_model_version=OLD)
    return Photo.objects.get(pk=photo.pk)


def _rows(photo: Photo) -> list[tuple]:
    return list(PhotoSuggestion.objects.filter(photo=photo).order_by("pk").values_list(*ROW_FIELDS))


def _suggested(photo: Photo) -> list[tuple[str, str, int]]:
    rows = PhotoSuggestion.objects.filter(photo=photo).order_by("rank")
    return list(rows.values_list("concept__name", "hashtag", "rank"))


def test_an_unreviewed_post_gets_the_new_versions_suggestions_as_an_upload_would():
    owner = UserFactory(language="es", is_private=True)  # suggestions are for the owner
    fresh = _post(BEE, owner, caption="#garden")  # what the active version makes on upload
    old = _as_if_old(_post(BEE, owner, caption="#garden"))
    old_alt = old.alt_text

    result = services.suggestions_recompute()

    old.refresh_from_db()
    assert (result.rescored, result.reviewed, result.unreadable, result.changed) == (1, 0, 0, 0)
    assert result.images == 1 and result.model_version == "coldstart-1-lite0"
    assert old.tagging_model_version == "coldstart-1-lite0" and old.tagging_status == "ready"
    assert _suggested(old) == _suggested(fresh)  # the old version's open rows are gone
    assert "garden" not in [name for name, _, _ in _suggested(old)]  # already on the post
    assert set(PhotoSuggestion.objects.filter(photo=old).values_list("model_version", "state")) == {
        ("coldstart-1-lite0", "open")
    }
    new_scores = PhotoSuggestion.objects.filter(photo=old).order_by("rank").values_list("score", flat=True)
    fresh_scores = (
        PhotoSuggestion.objects.filter(photo=fresh).order_by("rank").values_list("score", flat=True)
    )
    assert list(new_scores) == pytest.approx(list(fresh_scores), abs=2e-4)  # batched: float noise only
    assert old.alt_text == fresh.alt_text == old_alt == "Foto de un jardín."  # the owner's #garden
    shop = ShopSuggestion.objects.filter(model_version="coldstart-1-lite0")
    assert list(shop.filter(photo=old).values_list("category")) == list(
        shop.filter(photo=fresh).values_list("category")
    )


def _forward_passes(monkeypatch) -> list[int]:
    """The batch size of every forward pass the backbone makes from now on."""
    early_analyses_finish()  # the uploads' own, which are not resuggest's
    passes: list[int] = []
    features = Backbone.features

    def counted(self, images):
        passes.append(len(images))
        return features(self, images)

    monkeypatch.setattr(Backbone, "features", counted)
    return passes


def _kept_key(photo: Photo):
    return served_embedding_key(photo)


def test_a_post_is_rescored_from_the_embedding_its_upload_kept_without_a_forward_pass(monkeypatch):
    owner = UserFactory()
    fresh = _post(BRIDGE, owner)
    old = _as_if_old(_post(BRIDGE, owner))
    kept = served_embeddings(selectors.tagger_active()).get(_kept_key(old))
    assert kept is not None and kept.shape == (1280,)  # the upload kept it
    passes = _forward_passes(monkeypatch)

    result = services.suggestions_recompute()

    assert passes == []
    assert (result.rescored, result.images, result.kept) == (1, 1, 1)
    assert _suggested(old) == _suggested(fresh)
    scores = PhotoSuggestion.objects.filter(photo=old).order_by("rank").values_list("score", flat=True)
    fresh_scores = (
        PhotoSuggestion.objects.filter(photo=fresh).order_by("rank").values_list("score", flat=True)
    )
    assert list(scores) == pytest.approx(list(fresh_scores), abs=1e-6)


def test_the_embedding_kept_before_the_display_image_was_made_still_counts(monkeypatch):
    # An upload's analysis may run before its 1080 px display image exists (it then reads
    # the original); a re-suggest later reads that image, and must still find it.
    photo = _post(BRIDGE)
    display = photo.thumbnail_1080.name
    Photo.objects.filter(pk=photo.pk).update(thumbnail_1080="", tagging_status="pending")
    PhotoSuggestion.objects.filter(photo=photo).delete()
    services.embeddings_delete(photo_ids=[photo.pk])
    services.photo_suggestions_compute(photo_id=photo.pk)  # reads the original
    Photo.objects.filter(pk=photo.pk).update(thumbnail_1080=display)
    photo = _as_if_old(photo)
    passes = _forward_passes(monkeypatch)

    result = services.suggestions_recompute()

    assert (result.rescored, result.kept) == (1, 1) and passes == []


def test_a_post_without_a_kept_embedding_runs_through_the_model_and_keeps_one(monkeypatch):
    photo = _as_if_old(_post(CUPS))
    cache = served_embeddings(selectors.tagger_active())
    key = _kept_key(photo)
    cache.store.delete(cache.name(key))  # as after a new backbone: none kept under its version
    passes = _forward_passes(monkeypatch)

    result = services.suggestions_recompute()

    assert passes == [1]
    assert (result.rescored, result.images, result.kept) == (1, 1, 0)
    assert cache.get(key) is not None
    PhotoSuggestion.objects.filter(photo=photo).update(model_version=OLD)  # another new head
    Photo.objects.filter(pk=photo.pk).update(tagging_model_version=OLD)
    assert services.suggestions_recompute().kept == 1 and passes == [1]  # from the one kept


def test_deleting_a_post_deletes_the_embedding_its_upload_kept(django_capture_on_commit_callbacks):
    photo = _post(CUPS)
    cache = served_embeddings(selectors.tagger_active())
    key = _kept_key(photo)
    assert cache.get(key) is not None

    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=photo)

    assert cache.get(key) is None


def test_a_reviewed_post_keeps_its_decisions_and_suggestions_exactly():
    owner = UserFactory()
    photo = _as_if_old(_post(BRIDGE, owner, caption="Summer trip"))
    first, second, *_rest = PhotoSuggestion.objects.filter(photo=photo).order_by("rank")
    services.suggestion_accept(suggestion=first)
    services.suggestion_reject(suggestion=second)
    photo.refresh_from_db()
    before_rows, before_alt = _rows(photo), photo.alt_text
    before_tags = list(photo.hashtag_links.order_by("pk").values_list("typed", "source"))
    unreviewed = _as_if_old(_post(CUPS, owner))

    result = services.suggestions_recompute()

    photo.refresh_from_db()
    assert (result.rescored, result.reviewed) == (1, 1)
    assert _rows(photo) == before_rows
    assert (photo.alt_text, photo.tagging_model_version) == (before_alt, OLD)
    assert list(photo.hashtag_links.order_by("pk").values_list("typed", "source")) == before_tags
    assert Photo.objects.get(pk=unreviewed.pk).tagging_model_version == "coldstart-1-lite0"


def test_an_owner_who_decides_while_it_runs_wins(monkeypatch):
    monkeypatch.setattr(resuggest, "STORE_CHUNK", 1)  # a transaction for each photo
    owner = UserFactory()
    first, second = _as_if_old(_post(CUPS, owner)), _as_if_old(_post(BEE, owner))
    rejected = PhotoSuggestion.objects.filter(photo=second).order_by("rank").first()

    def progress(stage: str, done: int, total: int) -> None:
        if done == 1:  # the first post is stored; the second's prediction is already made
            services.suggestion_reject(suggestion=rejected)

    result = services.suggestions_recompute(batch_size=1, progress=progress)

    assert (result.rescored, result.reviewed) == (1, 1)
    assert Photo.objects.get(pk=first.pk).tagging_model_version == "coldstart-1-lite0"
    assert set(PhotoSuggestion.objects.filter(photo=second).values_list("model_version", flat=True)) == {OLD}
    assert PhotoSuggestion.objects.get(pk=rejected.pk).state == "rejected"


def test_hidden_posts_are_skipped():
    photo = _as_if_old(_post(BEE))
    Photo.objects.filter(pk=photo.pk).update(is_hidden=True)
    before = _rows(photo)

    result = services.suggestions_recompute()

    assert (result.rescored, result.reviewed, result.images) == (0, 0, 0)
    assert _rows(photo) == before


def test_since_takes_only_posts_created_from_that_day():
    owner = UserFactory()
    older, newer = _as_if_old(_post(CUPS, owner)), _as_if_old(_post(BEE, owner))
    day = timezone.make_aware(datetime.datetime(2025, 3, 1))
    Photo.objects.filter(pk=older.pk).update(created_at=day - datetime.timedelta(seconds=1))
    Photo.objects.filter(pk=newer.pk).update(created_at=day)
    out = StringIO()

    call_command("resuggest", "--since", "2025-03-01", stdout=out, stderr=StringIO())

    assert re.fullmatch(
        r"1 post re-scored with coldstart-1-lite0, 0 skipped as reviewed, 0 unreadable, "
        r"0 changed meanwhile; 1 from embeddings kept at upload; \d+\.\d images/s "
        r"in batches of 2\n",
        out.getvalue(),
    )
    assert Photo.objects.get(pk=older.pk).tagging_model_version == OLD
    assert Photo.objects.get(pk=newer.pk).tagging_model_version == "coldstart-1-lite0"


def test_without_a_batch_size_a_cpu_runs_the_batches_it_runs_fastest(monkeypatch):
    # On a CPU the forward passes run as one one-thread stream per core, where small
    # batches run fastest (their activations stay in cache): on 2 cores, batches of 2
    # ran 1.4x the photos a second of batches of 4 (make bench's sweep). A GPU wants many.
    owner = UserFactory()
    passes: list[int] = []
    embed_pixels = Tagger.embed_pixels
    monkeypatch.setattr(
        Tagger, "embed_pixels", lambda self, pixels: passes.append(len(pixels)) or embed_pixels(self, pixels)
    )

    def run(**arguments: int) -> int:
        photos = [_as_if_old(_post(path, owner)) for path in (CUPS, BEE, BRIDGE)]
        services.embeddings_delete(photo_ids=[photo.pk for photo in photos])  # through the backbone
        passes.clear()
        return services.suggestions_recompute(**arguments).batch_size

    assert run() == 2 and sorted(passes) == [1, 2]  # the forward passes, as they ran
    assert run(batch_size=3) == 3 and passes == [3]


def test_a_second_run_changes_nothing():
    photo = _as_if_old(_post(CUPS))
    services.suggestions_recompute()
    after_first = _rows(photo)

    again = services.suggestions_recompute()

    assert (again.rescored, again.reviewed, again.images) == (0, 0, 0)
    assert _rows(photo) == after_first and len(after_first) > 0
    assert ShopSuggestion.objects.get(photo=photo, model_version="coldstart-1-lite0").category == "home"


def test_a_run_with_nothing_to_do_says_so_without_a_rate():
    photo = _as_if_old(_post(CUPS))
    call_command("resuggest", stdout=StringIO(), stderr=StringIO())
    out = StringIO()

    call_command("resuggest", stdout=out, stderr=StringIO())

    assert out.getvalue() == (
        "No unreviewed post to re-score with coldstart-1-lite0: none shows another version's "
        "suggestions (0 skipped as reviewed).\n"
    )
    assert Photo.objects.get(pk=photo.pk).tagging_model_version == "coldstart-1-lite0"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--since", "01/03/2025"],
            "--since must be a date as YYYY-MM-DD, such as 2025-01-31: not '01/03/2025'.",
        ),
        (
            ["--since", "2025-02-30"],
            "--since must be a date as YYYY-MM-DD, such as 2025-01-31: not '2025-02-30'.",
        ),
        (["--batch-size", "0"], "The batch size must be at least 1."),
    ],
)
def test_bad_arguments_say_what_to_give_and_change_nothing(arguments, message):
    photo = _as_if_old(_post(CUPS))
    before = _rows(photo)

    with pytest.raises(CommandError) as raised:
        call_command("resuggest", *arguments, stdout=StringIO(), stderr=StringIO())

    assert str(raised.value) == message
    assert _rows(photo) == before


@pytest.mark.parametrize("kept", [True, False])
def test_a_black_and_white_post_is_rescored_blackandwhite_first_from_a_kept_embedding_or_not(kept):
    photo = _as_if_old(_post(DEMO / "dev_013.jpg"))  # a lighthouse on a breakwater, black and white
    PhotoSuggestion.objects.filter(photo=photo).delete()
    if not kept:
        services.embeddings_delete(photo_ids=[photo.pk])

    result = services.suggestions_recompute()

    assert (result.rescored, result.kept) == (1, int(kept))
    assert _suggested(photo)[0] == ("blackandwhite", "blackandwhite", 0)


def _unreadable(monkeypatch) -> list[int]:
    """Every photo's files fail to read from now on; returns the ids of those tried."""
    tried: list[int] = []

    def covering_read(self, side):
        tried.append(self.pk)
        raise OSError("gone")

    monkeypatch.setattr(Photo, "covering_read", covering_read)
    return tried


@pytest.mark.parametrize("kept_by", ["upload", "resuggest"])
def test_a_black_and_white_post_is_rescored_from_its_kept_embedding_without_reading_its_photo(
    kept_by, monkeypatch
):
    # Whether it is black and white is kept with the embedding, by the upload's analysis
    # or by a re-suggest that computed it: no storage read per photo (a GET each on a
    # bucket), and the photo still gets #blackandwhite where its file is gone.
    photo = _as_if_old(_post(DEMO / "dev_013.jpg"))  # a lighthouse on a breakwater, black and white
    if kept_by == "resuggest":
        services.embeddings_delete(photo_ids=[photo.pk])
        assert services.suggestions_recompute().kept == 0
        photo = _as_if_old(photo)
    PhotoSuggestion.objects.filter(photo=photo).delete()
    tried = _unreadable(monkeypatch)

    result = services.suggestions_recompute()

    assert (result.rescored, result.unreadable, result.kept) == (1, 0, 1)
    assert tried == []
    assert _suggested(photo)[0] == ("blackandwhite", "blackandwhite", 0)


def test_a_post_with_an_embedding_kept_alone_is_rescored_even_when_its_files_cannot_be_read(monkeypatch):
    # An embedding kept without the black-and-white flag (before blobs held it) is what
    # the post is rescored from; its photo is read only to tell whether it is black and
    # white, which then stays the head's call.
    fresh = _post(BRIDGE)
    old = _as_if_old(_post(BRIDGE))
    cache = served_embeddings(selectors.tagger_active())
    cache.put(served_embedding_key(old), cache.get(served_embedding_key(old)))  # the embedding alone
    tried = _unreadable(monkeypatch)

    result = services.suggestions_recompute()

    assert (result.rescored, result.unreadable, result.kept) == (1, 0, 1)
    assert tried == [old.pk]
    assert _suggested(old) == _suggested(fresh)


def test_an_embedding_kept_alone_gets_the_black_and_white_flag_once_its_photo_is_read(monkeypatch):
    photo = _as_if_old(_post(DEMO / "dev_013.jpg"))  # black and white
    cache = served_embeddings(selectors.tagger_active())
    embedding = cache.get(served_embedding_key(photo))
    cache.put(served_embedding_key(photo), embedding)  # the embedding alone, as kept before the flag
    assert services.suggestions_recompute().kept == 1  # reads the photo for the flag, and keeps it
    photo = _as_if_old(photo)
    tried = _unreadable(monkeypatch)

    result = services.suggestions_recompute()

    assert (result.rescored, result.kept) == (1, 1)
    assert tried == []
    assert _suggested(photo)[0] == ("blackandwhite", "blackandwhite", 0)
    kept, monochrome = cache.get_kept(served_embedding_key(photo))
    assert torch.equal(kept, embedding) and monochrome is True


@pytest.mark.parametrize("how", ["resuggest", "analysis"])
def test_a_post_that_trained_the_version_is_scored_by_the_photos_it_looks_like_not_by_itself(how):
    """On the demo, after `seed_demo` trained v1 and re-suggested, 11 of the 63 posts of
    the people whose photos trained it had no suggestion left (211 chips among the 63):
    the neighbour index holds each training photo, so it matched itself (cosine 1) and
    took nearly all the weight, and its own hashtags are already on the post. Scored
    again, a photo that trained the version gets what it would get were it not in the
    index (on the demo now: 1 post without chips, 341 chips)."""
    red, blue = (220, 30, 30), (30, 30, 220)
    people = [UserFactory(training_consent=True) for _ in range(3)]
    posts = []
    for n, person in enumerate(people):
        for i in range(4):
            colour, caption = (red, "#red #sunset") if i % 2 else (blue, "#blue #sea")
            image = SimpleUploadedFile("p.jpg", pattern_jpeg(colour, seed=n * 10 + i))
            posts.append(photo_create(owner=person, image=image, caption=caption))
    # a red photo whose owner wrote #red alone: its look-alikes say #sunset
    quiet_image = SimpleUploadedFile("q.jpg", pattern_jpeg(red, seed=99))
    quiet = photo_create(owner=people[0], image=quiet_image, caption="#red")
    for photo in [*posts, quiet]:
        services.photo_suggestions_compute(photo_id=photo.pk)  # by cold start, as uploaded
    services.vocabulary_build()
    version, _ = services.model_version_train(force=True)
    tagger = selectors.tagger_active()
    assert tagger.version == version.name and quiet.pk in tagger.head.neighbours.photo_ids
    if how == "resuggest":
        assert services.suggestions_recompute().rescored == len(posts) + 1
    else:
        Photo.objects.filter(pk=quiet.pk).update(tagging_status="pending")
        services.photo_suggestions_compute(photo_id=quiet.pk)

    # what the version says of the photo with its row out of the index
    others = tagger.head.neighbours.keeping(set(tagger.head.neighbours.photo_ids) - {quiet.pk})
    blind = Tagger(tagger.backbone, _with_index(tagger.head, others), tagger.thresholds, tagger.calibration)
    preprocessing = tagger.backbone.preprocessing
    looked = blind.look([decode(quiet.covering_read(preprocessing.crop), preprocessing)])
    excluded = selectors.excluded_concepts() | {"red"}
    [expected] = blind.predictions(looked.embeddings, languages=[quiet.owner.language], excludes=[excluded])
    stored = PhotoSuggestion.objects.filter(photo=quiet, model_version=version.name).order_by("photo_rank")
    assert [(s.concept, round(s.score, 3)) for s in expected.hashtags] == [
        (row.concept.name, round(row.photo_score, 3)) for row in stored
    ]
    assert "sunset" in [s.concept for s in expected.hashtags]


def _with_index(head: BlendedHead, index: NeighbourIndex) -> BlendedHead:
    other = copy.copy(head)
    other.neighbours = index
    return other
