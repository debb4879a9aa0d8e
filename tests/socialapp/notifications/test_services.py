import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from socialapp.accounts.models import Follow
from socialapp.accounts.services import block_create, follow_create, follow_delete, follow_request_approve
from socialapp.moderation.services import photo_hide
from socialapp.notifications.models import Notification
from socialapp.notifications.selectors import muted_kinds, unread_count
from socialapp.notifications.services import (
    notification_preferences_set,
    notifications_mark_read,
    user_group,
)
from socialapp.photos.services import comment_create, like_create, like_delete
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.django_db


def _notifications(user):
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("pk")
        .values_list("kind", "actor__username", "photo_id", "text")
    )


def test_a_like_notifies_the_owner_once_and_an_unlike_takes_it_back():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    photo = make_photo(alice)

    like_create(user=bob, photo=photo)
    like_create(user=bob, photo=photo)
    liked = _notifications(alice)
    like_delete(user=bob, photo=photo)

    assert liked == [("like", "bob", photo.pk, "")]
    assert _notifications(alice) == []


def test_liking_or_commenting_on_your_own_post_notifies_nobody():
    alice = UserFactory(username="alice")
    photo = make_photo(alice)

    like_create(user=alice, photo=photo)
    comment_create(author=alice, photo=photo, text="mine")

    assert Notification.objects.count() == 0


def test_a_comment_notifies_the_owner_and_each_person_it_mentions_who_may_see_the_post():
    alice, bob, carla = (
        UserFactory(username="alice"),
        UserFactory(username="bob"),
        UserFactory(username="carla"),
    )
    photo = make_photo(alice)
    text = "Look @Carla and @alice, and mail me at bob@example.com"

    comment_create(author=bob, photo=photo, text=text)

    assert _notifications(alice) == [("comment", "bob", photo.pk, text)]  # not a mention too
    assert _notifications(carla) == [("mention", "bob", photo.pk, text)]
    assert Notification.objects.count() == 2  # "@example.com" is no one


def test_a_mention_on_a_private_post_reaches_only_a_follower():
    alice = UserFactory(username="alice", is_private=True)
    follower, stranger = UserFactory(username="follower"), UserFactory(username="stranger")
    Follow.objects.create(follower=follower, followee=alice, status=Follow.Status.ACCEPTED)

    photo = make_photo(alice, caption="with @follower and @stranger")

    assert _notifications(follower) == [("mention", "alice", photo.pk, "with @follower and @stranger")]
    assert _notifications(stranger) == []


def test_someone_you_blocked_cannot_reach_you_by_a_mention():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    block_create(blocker=alice, blocked=bob)

    make_photo(bob, caption="hey @alice")

    assert _notifications(alice) == []


def test_a_follow_notifies_and_a_request_waits_on_the_bell_until_it_is_approved():
    public, private = UserFactory(username="public"), UserFactory(username="private", is_private=True)
    bob = UserFactory(username="bob")

    follow_create(follower=bob, followee=public)
    request = follow_create(follower=bob, followee=private)
    asked = _notifications(private)
    follow_request_approve(request=request)

    assert _notifications(public) == [("follow", "bob", None, "")]
    assert asked == [("follow_request", "bob", None, "")]
    assert _notifications(private) == []


def test_a_withdrawn_follow_request_leaves_the_bell():
    private, bob = UserFactory(username="private", is_private=True), UserFactory(username="bob")
    follow_create(follower=bob, followee=private)

    follow_delete(follower=bob, followee=private)

    assert unread_count(user_id=private.pk) == 0


def test_a_hidden_post_notifies_its_owner_with_the_reason():
    alice, moderator = UserFactory(username="alice"), UserFactory(username="mod", is_staff=True)
    photo = make_photo(alice)

    photo_hide(moderator=moderator, photo=photo, reason="Spam")

    assert _notifications(alice) == [("moderation", None, photo.pk, "Spam")]


def test_a_muted_kind_is_not_stored_and_the_others_still_are():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    photo = make_photo(alice)
    notification_preferences_set(user=alice, muted={"like"})

    like_create(user=bob, photo=photo)
    comment_create(author=bob, photo=photo, text="nice")

    assert [kind for kind, *_rest in _notifications(alice)] == ["comment"]


def test_an_unknown_kind_cannot_be_muted_and_nothing_changes():
    alice = UserFactory(username="alice")
    notification_preferences_set(user=alice, muted={"like"})

    with pytest.raises(ValueError, match="Unknown notification kinds: pokes"):
        notification_preferences_set(user=alice, muted={"comment", "pokes"})

    assert muted_kinds(user=alice) == {"like"}


def test_marking_read_touches_only_your_own_notifications():
    alice, bob, carla = (
        UserFactory(username="alice"),
        UserFactory(username="bob"),
        UserFactory(username="carla"),
    )
    like_create(user=bob, photo=make_photo(alice))
    like_create(user=alice, photo=make_photo(carla))
    carlas = Notification.objects.get(recipient=carla)

    marked = notifications_mark_read(user=alice, ids=[carlas.pk])
    marked_all = notifications_mark_read(user=alice)

    assert (marked, marked_all) == (0, 1)
    assert (unread_count(user_id=alice.pk), unread_count(user_id=carla.pk)) == (0, 1)


def test_the_new_unread_count_is_pushed_to_the_owners_sockets_once_committed(
    django_capture_on_commit_callbacks,
):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    photo = make_photo(alice)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(alice.pk), channel)

    with django_capture_on_commit_callbacks(execute=True):
        like_create(user=bob, photo=photo)
        comment_create(author=bob, photo=photo, text="wow")

    first = async_to_sync(layer.receive)(channel)
    second = async_to_sync(layer.receive)(channel)
    assert [first["event"], second["event"]] == [
        {"type": "notifications.unread", "count": 2},
        {"type": "notifications.unread", "count": 2},
    ]
