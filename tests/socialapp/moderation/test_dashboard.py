"""The moderation page as moderators and owners use it: blocking any hashtag name, clear
confirmations, names in the audit log, and the hidden post's banner."""

import pytest
from django.contrib.auth.models import Group

from socialapp.hashtags.models import Concept
from socialapp.moderation.models import Report
from socialapp.moderation.services import appeal_create, photo_hide
from tagging.models import ConceptStat
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.django_db


def _moderator(client):
    user = UserFactory(username="mod")
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    client.force_login(user)
    return user


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_blocking_a_hashtag_only_the_tagger_suggested_blocks_its_concept(client):
    # In the generated concept table (#abrelatas is its Spanish alias), on no post.
    assert Concept.objects.get(name="canopener").display_es == "abrelatas"
    _moderator(client)

    response = client.post(
        "/moderation/hashtags/", {"hashtag": "#abrelatas", "reason": "Weapons", "block": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert ConceptStat.objects.get(concept__name="canopener").effective_status == "blocked"
    assert _messages(response) == ["#abrelatas is blocked: 0 posts were sent to the queue."]
    assert "#abrelatas" in response.content.decode().split("Blocked hashtags")[1]


def test_blocking_a_hashtag_nobody_used_yet_queues_its_first_post(client):
    _moderator(client)

    client.post("/moderation/hashtags/", {"hashtag": "zorblax", "reason": "Slur", "block": "yes"})
    later = make_photo(UserFactory(), "#Zorblax again")

    assert list(Report.objects.filter(reason="blocked_hashtag").values_list("photo_id", flat=True)) == [
        later.pk
    ]


def test_unblocking_a_hashtag_says_so_and_a_name_never_blocked_is_an_error(client):
    _moderator(client)
    client.post(
        "/moderation/hashtags/", {"hashtag": "zorblax", "reason": "Slur", "block": "yes"}, follow=True
    )

    unblocked = client.post(
        "/moderation/hashtags/", {"hashtag": "zorblax", "reason": "Fine", "block": "no"}, follow=True
    )
    unknown = client.post(
        "/moderation/hashtags/", {"hashtag": "qwertyzz", "reason": "Fine", "block": "no"}, follow=True
    )

    assert _messages(unblocked) == ["#zorblax is no longer blocked."]
    assert _messages(unknown) == ["#qwertyzz is not blocked."]
    assert not Concept.objects.filter(name="qwertyzz").exists()


def test_a_hashtag_name_without_letters_is_refused(client):
    _moderator(client)

    response = client.post(
        "/moderation/hashtags/", {"hashtag": "#", "reason": "x", "block": "yes"}, follow=True
    )

    assert _messages(response) == ["Write the hashtag to block, e.g. #spam."]
    assert ConceptStat.objects.count() == 0


def test_bulk_actions_confirm_what_was_done(client):
    first, second = make_photo(UserFactory()), make_photo(UserFactory())
    _moderator(client)

    hidden = client.post(
        "/moderation/photos/", {"ids": [first.pk, second.pk], "action": "hide", "reason": "Spam"}, follow=True
    )
    nothing = client.post("/moderation/photos/", {"action": "hide", "reason": "Spam"}, follow=True)

    assert _messages(hidden) == ["2 posts hidden. Their owners were told why."]
    assert _messages(nothing) == ["Select at least one post."]


def test_appeal_decisions_confirm_what_happened(client):
    owner = UserFactory()
    photo = make_photo(owner)
    moderator = _moderator(client)
    photo_hide(moderator=moderator, photo=photo, reason="Spam")
    appeal = appeal_create(owner=owner, photo=photo, text="It is mine")

    response = client.post(
        f"/moderation/appeals/{appeal.pk}/", {"decision": "grant", "reason": "OK"}, follow=True
    )

    assert _messages(response) == ["Appeal granted: the post is visible again."]


def test_audit_log_names_the_post_and_its_owner(client):
    photo = make_photo(UserFactory(username="alice"), "Sunset over the bay")
    moderator = _moderator(client)
    photo_hide(moderator=moderator, photo=photo, reason="Spam")

    log = client.get("/moderation/").content.decode().split("Audit log")[1]

    assert f'href="/p/{photo.pk}/"' in log
    assert "@alice" in log and "Sunset over the bay" in log
    assert f"Photo {photo.pk} by" not in log
    assert "hid a post" in log


def test_a_hidden_post_shows_its_owner_a_banner_with_the_reason_and_appeal(client):
    owner = UserFactory()
    photo = make_photo(owner, "My garden")
    photo_hide(moderator=UserFactory(is_staff=True), photo=photo, reason="Looks like an ad")
    client.force_login(owner)

    page = client.get(f"/p/{photo.pk}/").content.decode()

    assert 'class="message error hidden-banner"' in page
    assert "Moderators hid this post: Looks like an ad" in page
    assert f'href="/notices/#post-{photo.pk}"' in page


def test_notices_name_their_post(client):
    owner = UserFactory()
    photo = make_photo(owner, "My garden in May")
    photo_hide(moderator=UserFactory(is_staff=True), photo=photo, reason="Spam")
    client.force_login(owner)

    page = client.get("/notices/").content.decode()

    assert f'id="post-{photo.pk}"' in page
    assert f'href="/p/{photo.pk}/"' in page and "My garden in May" in page
