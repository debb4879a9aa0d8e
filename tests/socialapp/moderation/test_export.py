"""The data export's moderation part: reports filed, notices received, appeals made."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group

from socialapp.chat.services import message_send
from socialapp.moderation.models import Appeal, Notice, Report
from socialapp.moderation.services import appeal_create, photo_hide, report_create
from tests.factories import UserFactory, client_for, conversation_pair, make_photo

pytestmark = pytest.mark.django_db


def _export(user) -> zipfile.ZipFile:
    response = client_for(user).get("/api/me/export/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_export_has_the_persons_appeals_notices_and_reports_and_nobody_elses():
    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    buyer, seller, conversation = conversation_pair()
    rude, _ = message_send(conversation=conversation, sender=buyer, text="You are a fraud")
    report, _ = report_create(reporter=seller, reason="harassment", details="Insults", message=rude)
    photo = make_photo(seller, caption="Lamp")
    photo_hide(moderator=moderator, photo=photo, reason="Looks like spam")
    appeal = appeal_create(owner=seller, photo=photo, text="It is my own lamp")
    notice = Notice.objects.get(user=seller)
    other_photo = make_photo(buyer)
    photo_hide(moderator=moderator, photo=other_photo, reason="Spam")
    appeal_create(owner=buyer, photo=other_photo, text="Not spam")

    archive = _export(seller)

    assert {"reports.json", "notices.json", "appeals.json"} <= set(archive.namelist())
    assert json.loads(archive.read("reports.json")) == [
        {
            "photo_id": None,
            "hashtag__name": None,
            "reported_user__username": None,
            "message_id": rude.pk,
            "reason": "harassment",
            "details": "Insults",
            "status": "open",
            "created_at": str(report.created_at),
        }
    ]
    assert json.loads(archive.read("notices.json")) == [
        {
            "photo_id": photo.pk,
            "action": notice.action,
            "reason": "Looks like spam",
            "created_at": str(notice.created_at),
        }
    ]
    assert json.loads(archive.read("appeals.json")) == [
        {
            "photo_id": photo.pk,
            "text": "It is my own lamp",
            "status": "open",
            "created_at": str(appeal.created_at),
            "decided_at": None,
        }
    ]
    assert (Appeal.objects.count(), Report.objects.count()) == (2, 1)


def test_someone_with_no_moderation_history_gets_empty_files():
    archive = _export(UserFactory())

    assert [json.loads(archive.read(name)) for name in ("reports.json", "notices.json", "appeals.json")] == [
        [],
        [],
        [],
    ]
