import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, client_for, conversation_pair
from translation.models import ConversationTranslation


@pytest.mark.django_db
def test_translation_is_on_with_no_kept_words_until_changed():
    buyer, _seller, conversation = conversation_pair()

    response = client_for(buyer).get(f"/api/conversations/{conversation.pk}/translation/")

    assert (response.status_code, response.json()) == (200, {"enabled": True, "keep": []})
    assert ConversationTranslation.objects.count() == 0


@pytest.mark.django_db
def test_either_participant_switches_translation_and_sets_kept_words():
    buyer, seller, conversation = conversation_pair()
    url = f"/api/conversations/{conversation.pk}/translation/"

    off = client_for(seller).patch(url, {"enabled": False}, format="json")
    keep = client_for(buyer).patch(url, {"keep": ["Zephyr X200", " Acme "]}, format="json")

    assert (off.status_code, off.json()) == (200, {"enabled": False, "keep": []})
    assert (keep.status_code, keep.json()) == (200, {"enabled": False, "keep": ["Zephyr X200", "Acme"]})
    assert ConversationTranslation.objects.get().updated_by == buyer


@pytest.mark.django_db
def test_bad_settings_are_refused_and_nothing_is_stored():
    buyer, _seller, conversation = conversation_pair()
    url = f"/api/conversations/{conversation.pk}/translation/"

    not_bool = client_for(buyer).patch(url, {"enabled": "maybe"}, format="json")
    too_long = client_for(buyer).patch(url, {"keep": ["x" * 61]}, format="json")

    assert not_bool.status_code == 400 and "enabled" in not_bool.json()["detail"]
    assert too_long.status_code == 400
    assert (
        too_long.json()["detail"]
        == "“xxxxxxxxxxxxxxxxxxxx…” is too long: a word to keep has at most 60 characters."
    )
    assert ConversationTranslation.objects.count() == 0


@pytest.mark.django_db
def test_strangers_and_anonymous_users_cannot_see_or_change_settings():
    _buyer, _seller, conversation = conversation_pair()
    url = f"/api/conversations/{conversation.pk}/translation/"

    assert client_for(UserFactory()).get(url).status_code == 404
    assert client_for(UserFactory()).patch(url, {"enabled": False}, format="json").status_code == 404
    assert APIClient().get(url).status_code == 401
    assert ConversationTranslation.objects.count() == 0


@pytest.mark.django_db
def test_the_page_form_switches_translation_off_and_back(client):
    buyer, _seller, conversation = conversation_pair()
    client.force_login(buyer)
    url = f"/messages/{conversation.pk}/translation/"

    off = client.post(url, {"enabled": "off"})
    page = client.get(f"/messages/{conversation.pk}/")
    client.post(url, {"enabled": "on", "keep": "Zephyr X200, Acme"})

    assert (off.status_code, off["Location"]) == (302, f"/messages/{conversation.pk}/")
    assert 'data-translate="off"' in page.content.decode()
    assert ConversationTranslation.objects.values_list("enabled", "keep").get() == (
        True,
        ["Zephyr X200", "Acme"],
    )
