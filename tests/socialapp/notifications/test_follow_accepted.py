"""Approving a follow request tells the person who asked, unless they turned it off."""

import pytest

from socialapp.accounts.services import follow_create, follow_request_approve
from socialapp.notifications.models import Notification
from socialapp.notifications.services import notification_preferences_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notifications(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "actor__username")
    )


def test_approving_a_follow_request_notifies_the_requester_once():
    alice, bob = UserFactory(username="alice", is_private=True), UserFactory(username="bob")
    request = follow_create(follower=bob, followee=alice)

    follow_request_approve(request=request)
    follow_request_approve(request=request)  # twice is harmless

    assert _notifications(bob) == [("follow_accepted", "alice")]
    assert _notifications(alice) == []  # her request notification went when she answered


def test_an_accepted_request_is_not_notified_to_someone_who_turned_it_off():
    alice, bob = UserFactory(username="alice", is_private=True), UserFactory(username="bob")
    request = follow_create(follower=bob, followee=alice)
    notification_preferences_set(user=bob, muted=["follow_accepted"])

    follow_request_approve(request=request)

    assert _notifications(bob) == []


def test_the_notifications_page_says_who_accepted(client):
    alice, bob = UserFactory(username="alice", is_private=True), UserFactory(username="bob")
    follow_request_approve(request=follow_create(follower=bob, followee=alice))
    client.force_login(bob)

    page = client.get("/notifications/").content.decode()

    assert "<strong>alice</strong> accepted your follow request." in page
    assert 'href="/u/alice/"' in page
