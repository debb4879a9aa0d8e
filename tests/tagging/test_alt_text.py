"""Alt text people would write: the most confident specific concepts the owner kept, in
the viewer's language, rebuilt on every accept and reject, never over the owner's own."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.photos.services import photo_create, photo_update
from tagging import selectors, services
from tagging.models import PhotoSuggestion
from tests.factories import UserFactory
from tests.tagging.conftest import DEMO

pytestmark = pytest.mark.django_db

TOWER_BRIDGE = DEMO / "dev_010.jpg"


@pytest.fixture
def bridge(django_capture_on_commit_callbacks):
    owner = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):  # the analysis runs inline
        return photo_create(
            owner=owner, image=SimpleUploadedFile("b.jpg", TOWER_BRIDGE.read_bytes()), caption="London"
        )


def _suggestion(photo, concept: str) -> PhotoSuggestion:
    return PhotoSuggestion.objects.get(photo=photo, concept__name=concept)


def _reload(photo):
    return type(photo).objects.select_related("owner").get(pk=photo.pk)


def test_names_the_most_confident_specific_concepts_in_the_viewers_language(bridge):
    bridge = _reload(bridge)

    assert bridge.alt_text == "Photo of a bridge and a suspension bridge."
    assert selectors.photo_alt_text(photo=bridge, language="es") == "Foto de puente y puentecolgante."


def test_rebuilt_when_a_suggestion_is_rejected_or_accepted_never_naming_a_rejected_one(bridge):
    services.suggestion_reject(suggestion=_suggestion(bridge, "bridge"))
    after_reject = _reload(bridge).alt_text
    services.suggestion_accept(suggestion=_suggestion(bridge, "pier"))
    after_accept = _reload(bridge).alt_text

    assert after_reject == "Photo of a suspension bridge and a pier."
    assert after_accept == "Photo of a pier and a suspension bridge."  # what the owner kept first
    assert "bridge" not in selectors.photo_alt_text(photo=_reload(bridge), language="es").split()


def test_the_owners_own_alt_text_is_never_overwritten(bridge):
    photo_update(photo=_reload(bridge), alt_text="Tower Bridge lit up at night")

    services.suggestion_reject(suggestion=_suggestion(bridge, "bridge"))
    bridge = _reload(bridge)

    assert bridge.alt_text == "Tower Bridge lit up at night"
    assert selectors.photo_alt_text(photo=bridge, language="es") == "Tower Bridge lit up at night"


def test_clearing_it_hands_it_back_to_the_tagger(bridge):
    photo_update(photo=_reload(bridge), alt_text="")

    services.suggestion_reject(suggestion=_suggestion(bridge, "bridge"))

    assert _reload(bridge).alt_text == "Photo of a suspension bridge and a pier."


def test_the_post_page_shows_it_in_the_viewers_language(bridge, client):
    client.force_login(UserFactory(language="es"))

    page = html.unescape(client.get(bridge.get_absolute_url()).content.decode())

    assert 'alt="Foto de puente y puentecolgante."' in page
