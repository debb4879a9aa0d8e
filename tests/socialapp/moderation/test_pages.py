import pytest
from django.contrib.auth.models import Group

from socialapp.moderation.models import Appeal, AuditEntry, Notice, Report
from socialapp.moderation.services import photo_hide
from tagging.models import ConceptStat, ModelVersion
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.django_db


def _moderator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/moderation/"),
        ("post", "/moderation/photos/"),
        ("post", "/moderation/appeals/1/"),
        ("post", "/moderation/hashtags/"),
        ("post", "/moderation/models/v1/activate/"),
        ("get", "/moderation/models/v1/plots/per_concept_ap.png"),
    ],
)
def test_moderation_pages_are_403_for_everyone_else(client, method, path):
    photo = make_photo(UserFactory())
    client.force_login(UserFactory())

    response = getattr(client, method)(
        path, {"ids": [photo.pk], "action": "hide", "reason": "x", "hashtag": "sea"}
    )

    assert response.status_code == 403
    assert "Only moderators can do this." in response.content.decode()
    photo.refresh_from_db()
    assert photo.is_hidden is False and AuditEntry.objects.count() == 0


def test_report_from_the_post_page_reaches_the_moderators_queue(client):
    photo = make_photo(UserFactory(username="spammer"), "Cheap watches #deal")
    client.force_login(UserFactory())
    client.post(f"/p/{photo.pk}/report/", {"reason": "spam", "details": "Link in bio scam"})
    client.force_login(_moderator())

    page = client.get("/moderation/").content.decode()

    assert Report.objects.get().details == "Link in bio scam"
    assert "spammer" in page and "Spam" in page and "Link in bio scam" in page
    client.post("/moderation/photos/", {"ids": [photo.pk], "action": "hide", "reason": "Scam"})
    photo.refresh_from_db()
    assert photo.is_hidden is True


def test_owner_sees_the_notice_and_appeals_once_from_the_page(client):
    owner = UserFactory()
    photo = make_photo(owner)
    photo_hide(moderator=_moderator(), photo=photo, reason="Looks like spam")
    client.force_login(owner)

    page = client.get("/notices/").content.decode()
    client.post(f"/notices/appeal/{photo.pk}/", {"text": "It is my garden"})
    client.post(f"/notices/appeal/{photo.pk}/", {"text": "Again"})

    assert "A post of yours was hidden" in page and "Looks like spam" in page
    assert Appeal.objects.get().text == "It is my garden"
    assert "Appeal" not in client.get("/notices/").content.decode().split("Looks like spam")[1]


def test_blocking_a_hashtag_queues_its_posts_and_new_ones(client):
    existing = make_photo(UserFactory(), "#fireworks at night")
    client.force_login(_moderator())

    client.post("/moderation/hashtags/", {"hashtag": "fireworks", "reason": "Illegal sales", "block": "yes"})
    later = make_photo(UserFactory(), "More #Fireworks")

    queued = set(
        Report.objects.filter(reason="blocked_hashtag", reporter=None).values_list("photo_id", flat=True)
    )
    assert queued == {existing.pk, later.pk}
    assert ConceptStat.objects.get(concept__name="firework").effective_status == "blocked"
    assert AuditEntry.objects.get().action == "block_hashtag"


def test_activating_a_model_version_is_audited(client):
    ModelVersion.objects.create(name="v1", backbone="b", folder="versions/v1", is_active=True)
    ModelVersion.objects.create(name="v2", backbone="b", folder="versions/v2")
    client.force_login(_moderator())

    client.post("/moderation/models/v1/activate/", {"reason": ""})
    client.post("/moderation/models/v2/activate/", {"reason": "Better hit@5"})

    assert ModelVersion.objects.get(is_active=True).name == "v2"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.before, entry.after, entry.reason) == (
        "activate_model",
        {"active": "v1"},
        {"active": "v2", "source": "moderation"},
        "Better hit@5",
    )


def test_hidden_posts_notify_the_owners_socket(django_capture_on_commit_callbacks):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    owner = UserFactory()
    photo = make_photo(owner)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"notifications.{owner.pk}", channel)

    with django_capture_on_commit_callbacks(execute=True):
        photo_hide(moderator=_moderator(), photo=photo, reason="Spam")

    message = async_to_sync(layer.receive)(channel)
    assert message["event"] == {
        "type": "moderation.notice",
        "action": "hidden",
        "photo_id": photo.pk,
        "reason": "Spam",
    }
    assert Notice.objects.get(user=owner).action == "hidden"


def test_accounts_and_hashtags_are_reported_from_their_pages(client):
    make_photo(UserFactory(username="troll"), "#sea")
    client.force_login(UserFactory())

    assert "Report this account" in client.get("/u/troll/").content.decode()
    client.post("/u/troll/report/", {"reason": "harassment"})
    client.post("/tags/sea/report/", {"reason": "hate", "details": "slur in the tag"})

    assert set(Report.objects.values_list("reason", "reported_user__username", "hashtag__name")) == {
        ("harassment", "troll", None),
        ("hate", None, "sea"),
    }


def test_reports_made_are_in_the_data_export(client):
    import io
    import json
    import zipfile

    photo = make_photo(UserFactory())
    me = UserFactory()
    client.force_login(me)
    client.post(f"/p/{photo.pk}/report/", {"reason": "spam"})

    response = client.get("/settings/export/")

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert [(r["photo_id"], r["reason"]) for r in json.loads(archive.read("reports.json"))] == [
        (photo.pk, "spam")
    ]


def test_the_admin_is_403_for_signed_in_non_staff_and_holds_the_queue(client):
    client.force_login(_moderator())  # a moderator but not staff: the /moderation/ pages, not the admin
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/moderation/report/").status_code == 403

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/queue/")
    assert (response.status_code, response["Location"]) == (302, "/moderation/")
    assert client.get("/moderation/").status_code == 200


def test_visitors_are_sent_to_the_admin_login(client):
    response = client.get("/admin/")

    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")
