import re
from datetime import timedelta

import pytest
from django.utils import timezone

from socialapp.notifications.models import Notification
from socialapp.photos.services import like_create
from tests.factories import UserFactory, client_for, make_photo

pytestmark = pytest.mark.django_db


def _bell(html: bytes) -> list[str]:
    """The unread counts the nav's badges show: [bell, messages...]."""
    return re.findall(r'data-badge="(\w+)"(?: hidden)?><span data-count>(\d+)', html.decode())


def test_the_nav_shows_the_unread_counts_of_the_bell_and_messages(client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    like_create(user=bob, photo=make_photo(alice))
    client.force_login(alice)

    page = client.get("/")

    assert _bell(page.content) == [("messages", "0"), ("notifications", "1"), ("messages", "0")]
    assert b'data-badge="notifications"><span' in page.content  # shown, not hidden


def test_the_notifications_page_groups_by_day_and_marks_read(client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    like_create(user=bob, photo=make_photo(alice))
    old = Notification.objects.create(recipient=alice, actor=bob, kind="follow")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    client.force_login(alice)

    page = client.get("/notifications/").content.decode()
    read = client.post("/notifications/read/", {"id": str(old.pk)})
    unread = list(Notification.objects.filter(read_at__isnull=True).values_list("kind", flat=True))
    client.post("/notifications/read/")

    headings = re.findall(r'<h2 id="day-\d+" class="day">([^<]+)</h2>', page)
    assert headings == ["Today", "Yesterday"]
    assert page.index("liked your post") < page.index("started following you")
    assert (read.status_code, read["Location"]) == (302, "/notifications/")
    assert unread == ["like"]
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_a_malformed_id_to_mark_read_says_so_and_changes_nothing(client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    like_create(user=bob, photo=make_photo(alice))
    client.force_login(alice)

    response = client.post("/notifications/read/", {"id": "²"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Choose a notification to mark as read."]
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_notification_settings_turn_kinds_off_and_on(client):
    alice = UserFactory(username="alice")
    client.force_login(alice)

    client.post("/settings/notifications/", {"on": ["comment", "follow", "nonsense"]})
    page = client.get("/settings/notifications/").content.decode()

    checked = re.findall(r'name="on" value="(\w+)" checked', page)
    assert checked == ["comment", "follow"]


def test_the_api_lists_notifications_and_marks_them_read():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    photo = make_photo(alice)
    like_create(user=bob, photo=photo)
    api = client_for(alice)

    listed = api.get("/api/notifications/").json()
    marked = api.post("/api/notifications/read/", {"ids": [listed["results"][0]["id"]]}, format="json")
    refused = api.post("/api/notifications/read/", {"ids": ["x"]}, format="json")

    assert [(n["kind"], n["actor"], n["photo"], n["read"]) for n in listed["results"]] == [
        ("like", "bob", photo.pk, False)
    ]
    assert (marked.status_code, marked.json()) == (200, {"marked": 1, "unread": 0})
    assert (refused.status_code, refused.json()["detail"]) == (400, "ids: 0: A valid integer is required.")


def test_the_api_needs_a_sign_in(api_client):
    response = api_client.get("/api/notifications/")

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Authentication credentials were not provided."},
    )
