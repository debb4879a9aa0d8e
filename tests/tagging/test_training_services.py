import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from socialapp.accounts import services as account_services
from socialapp.photos.services import photo_create, photo_delete
from tagging import services
from tagging.models import ConceptStat, ModelVersion
from tagging.selectors import excluded_concepts, tagger_active, training_photos
from tests.factories import PASSWORD, UserFactory, make_photo
from tests.images import pattern_jpeg

pytestmark = pytest.mark.django_db

RED, BLUE = (220, 30, 30), (30, 30, 220)


def _posts(owner, count: int = 6) -> list:
    """Half red photos tagged #red, half blue tagged #blue, all with #tbt."""
    photos = []
    for i in range(count):
        image = SimpleUploadedFile("p.jpg", pattern_jpeg(RED if i % 2 else BLUE, seed=owner.pk * 100 + i))
        photos.append(photo_create(owner=owner, image=image, caption=f"#{'red' if i % 2 else 'blue'} #tbt"))
    return photos


def _platform():
    """Three consenting public people, a private one, one who withdrew, one hidden post."""
    people = [UserFactory(training_consent=True) for _ in range(3)]
    for person in people:
        _posts(person)
    private = UserFactory(training_consent=True, is_private=True)
    withdrawn = UserFactory(training_consent=False)
    excluded = _posts(private, 2) + _posts(withdrawn, 2)
    hidden = make_photo(people[0], "#red", color=RED)
    hidden.is_hidden = True
    hidden.save()
    return people, [*excluded, hidden]


def test_training_photos_exclude_private_withdrawn_and_hidden():
    _people, excluded = _platform()

    ids = set(training_photos().values_list("pk", flat=True))

    assert len(ids) == 18
    assert ids.isdisjoint(p.pk for p in excluded)


def test_vocabulary_keeps_stop_listed_tags_out_and_admin_overrides():
    _platform()
    ConceptStat.objects.create(
        concept=make_photo(UserFactory(), "#x").hashtags.get().concept, override="blocked"
    )

    services.vocabulary_build()

    statuses = {s.concept.name: s.effective_status for s in ConceptStat.objects.select_related("concept")}
    assert statuses["red"] == statuses["blue"] == "active"
    assert statuses["tbt"] == "non_visual"
    assert statuses["x"] == "blocked"
    assert {"tbt", "x"} <= excluded_concepts()


def test_train_registers_an_active_version_with_lineage():
    _people, excluded = _platform()
    services.vocabulary_build()

    version, activated = services.model_version_train()

    assert activated and version.is_active and version.name == "v1"
    lineage = set(version.trained_on.values_list("pk", flat=True))
    assert lineage == set(training_photos().values_list("pk", flat=True))
    assert lineage.isdisjoint(p.pk for p in excluded)
    assert version.trained_photo_count == 18
    assert version.vocabulary == ["blue", "red"]
    assert {"p@1", "p@5", "r@5", "hit@5", "map"} <= set(version.metrics["hashtags"])
    assert "cold_start" in version.metrics["baselines"]
    assert all((Path(settings.MODELS_DIR) / plot).exists() for plot in version.plots)
    assert tagger_active().version == "v1"


def test_a_version_that_is_not_better_stays_inactive_unless_forced():
    _platform()
    services.vocabulary_build()
    first, _ = services.model_version_train()

    second, activated = services.model_version_train()
    third, forced = services.model_version_train(force=True)

    assert (activated, forced) == (False, True)
    assert list(ModelVersion.objects.filter(is_active=True)) == [third]
    assert second.hit_at_5 == first.hit_at_5


def test_commands_train_evaluate_and_roll_back(capsys):
    _platform()
    call_command("build_hashtag_vocab")
    call_command("train_tagger")
    call_command("train_tagger", "--force")
    call_command("activate_tagger", "v1", "--reason", "roll back")
    call_command("evaluate_tagger")

    out = capsys.readouterr().out
    assert "v1: 18 photos, 2 concepts" in out and "v1 is now active." in out
    evaluation = json.loads(out[out.index("{") :])
    assert evaluation["version"] == "v1"
    assert set(evaluation["baselines"]) == {"cold_start", "most_frequent"}
    assert ModelVersion.objects.get(is_active=True).name == "v1"


def test_train_without_enough_data_is_a_clear_error():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Not enough data to train"):
        call_command("train_tagger")
    assert ModelVersion.objects.count() == 0


def test_embeddings_are_cached_and_deleted_with_the_photo_and_the_account(django_capture_on_commit_callbacks):
    people, _ = _platform()
    services.vocabulary_build()
    cached = lambda: {p.name.split("-")[0] for p in Path(settings.MODELS_DIR, "embeddings").rglob("*.npy")}  # noqa: E731
    photo = training_photos().filter(owner=people[1]).first()
    gone_with_account = {str(p.pk) for p in training_photos().filter(owner=people[2])}
    assert str(photo.pk) in cached() and gone_with_account <= cached()

    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=photo)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_delete(user=people[2], password=PASSWORD)

    assert str(photo.pk) not in cached()
    assert not gone_with_account & cached()
