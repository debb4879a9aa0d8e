"""The data export holds the person's notifications and notification settings."""

import io
import json
import zipfile

import pytest

from socialapp.notifications.services import notification_preferences_set
from socialapp.photos.services import like_create
from tests.factories import UserFactory, client_for, make_photo

pytestmark = pytest.mark.django_db


def _export(user) -> dict:
    response = client_for(user).get("/api/me/export/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return json.loads(archive.read("notifications.json"))


def test_export_has_the_persons_notifications_and_settings_and_no_one_elses():
    alice, bob, carol = (UserFactory(username=name) for name in ("alice", "bob", "carol"))
    photo = make_photo(alice)
    like_create(user=bob, photo=photo)
    like_create(user=alice, photo=make_photo(carol))  # carol's, not alice's
    notification_preferences_set(user=alice, muted=["mention", "follow"])
    notification = alice.notifications.get()

    exported = _export(alice)

    assert exported == {
        "notifications": [
            {
                "kind": "like",
                "actor": "bob",
                "photo_id": photo.pk,
                "text": "",
                "created_at": str(notification.created_at),
                "read_at": None,
            }
        ],
        "turned_off": ["follow", "mention"],
    }
