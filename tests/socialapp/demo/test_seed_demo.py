import pytest
from django.core.management import call_command

from socialapp.accounts.models import Follow, User
from socialapp.chat.models import Message
from socialapp.hashtags.models import Concept
from socialapp.photos.models import Comment, Like, Photo
from socialapp.shop.models import Listing
from tagging.models import ModelVersion, PhotoSuggestion

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "follows": Follow.objects.count(),
        "photos": Photo.objects.count(),
        "likes": Like.objects.count(),
        "comments": Comment.objects.count(),
        "listings": Listing.objects.count(),
        "messages": Message.objects.count(),
    }


def test_seed_demo_builds_a_real_looking_demo_once(capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")

    assert _counts() == first
    assert first["users"] == 7  # six people and the admin
    assert (first["follows"], first["photos"], first["listings"]) == (14, 96, 21)
    assert first["likes"] > 50 and first["comments"] > 10
    assert list(Message.objects.values_list("sender__username", "language")) == [
        ("alice", "en"),
        ("bruno", "es"),
        ("alice", "en"),
        ("bruno", "es"),
    ]
    assert set(User.objects.filter(is_private=True).values_list("username", flat=True)) == {"carla"}
    assert set(User.objects.values_list("language", flat=True)) == {"en", "es"}
    out = capsys.readouterr().out
    assert "Demo: 6 people, 96 posts, 21 listings." in out
    assert "the password is socialapp-demo" in out
    spanish = Photo.objects.get(caption__startswith="Molino de viento en el puerto de Rodas")
    assert spanish.owner.language == "es"
    assert [h.name for h in spanish.hashtags.order_by("photo_links__pk")][:2] == ["molino", "rodas"]
    # The demo's place names come from its own table (socialapp/demo/data/concepts.csv).
    assert spanish.hashtags.get(name="rodas").concept.name == "rhodes"
    assert Concept.objects.get(name="egeskov").aliases.filter(key="egeskov").exists()


@pytest.mark.django_db(transaction=True)  # uploads are analysed once their row commits
def test_demo_posts_show_what_the_demos_own_tagger_suggests(capsys):
    call_command("seed_demo")

    active = ModelVersion.objects.get(is_active=True)
    assert set(Photo.objects.values_list("tagging_model_version", flat=True)) == {active.name}
    assert PhotoSuggestion.objects.filter(model_version=active.name).exists()
    assert not PhotoSuggestion.objects.exclude(model_version=active.name).exists()
    assert f"Tagger {active.name}: suggestions of 96 posts." in capsys.readouterr().out
