import pytest
from django.contrib.auth.models import Group

from socialapp.accounts import services as account_services
from socialapp.moderation.models import Appeal, AuditEntry, Notice, Report
from socialapp.photos.models import Photo
from tagging.selectors import training_photos
from tests.factories import UserFactory, client_for, make_photo

pytestmark = pytest.mark.django_db


def _moderator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


def test_reports_are_deduplicated_per_reporter():
    photo = make_photo(UserFactory(), "#sea")
    client = client_for(UserFactory())

    first = client.post("/api/reports/", {"photo": photo.pk, "reason": "spam"})
    again = client.post("/api/reports/", {"photo": photo.pk, "reason": "scam"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == {"id": again.json()["id"], "reason": "spam", "status": "open"}
    assert Report.objects.count() == 1


def test_report_hashtag_and_user_and_bad_reports():
    make_photo(UserFactory(username="bruno"), "#sea")
    client = client_for(UserFactory())

    assert client.post("/api/reports/", {"hashtag": "sea", "reason": "hate"}).status_code == 201
    assert client.post("/api/reports/", {"user": "bruno", "reason": "harassment"}).status_code == 201
    nothing = client.post("/api/reports/", {"reason": "spam"})
    two = client.post("/api/reports/", {"user": "bruno", "hashtag": "sea", "reason": "spam"})
    hidden = client.post(
        "/api/reports/", {"photo": make_photo(UserFactory(is_private=True)).pk, "reason": "spam"}
    )

    assert (nothing.status_code, nothing.json()) == (
        400,
        {"detail": "Report exactly one thing: a post, a hashtag, a person or a message."},
    )
    assert two.status_code == 400
    assert hidden.status_code == 404
    assert Report.objects.count() == 2


def test_report_queue_hide_removes_the_post_everywhere_and_is_audited():
    owner, fan = UserFactory(username="owner", training_consent=True), UserFactory()
    account_services.follow_create(follower=fan, followee=owner)
    photo = make_photo(owner, "Look #sunset")
    for reporter in (UserFactory(), UserFactory()):
        client_for(reporter).post("/api/reports/", {"photo": photo.pk, "reason": "spam"})
    moderator = _moderator()

    queue = client_for(moderator).get("/api/moderation/queue/").json()["results"]
    hidden = client_for(moderator).post(f"/api/moderation/photos/{photo.pk}/hide/", {"reason": "Spam links"})

    assert [(q["id"], q["report_count"], q["reasons"]) for q in queue] == [(photo.pk, 2, ["spam"])]
    assert hidden.status_code == 200
    viewer = client_for(fan)
    assert viewer.get(f"/api/photos/{photo.pk}/").status_code == 404
    assert viewer.get("/api/feed/").json()["results"] == []
    assert viewer.get("/api/tags/sunset/").json()["results"] == []
    assert viewer.get("/api/users/owner/photos/").json()["results"] == []
    assert not training_photos().filter(pk=photo.pk).exists()
    assert client_for(owner).get(f"/api/photos/{photo.pk}/").status_code == 200  # the owner still sees it
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.reason, entry.before, entry.after) == (
        moderator,
        "hide",
        "Spam links",
        {"is_hidden": False},
        {"is_hidden": True},
    )
    assert Notice.objects.get(user=owner).reason == "Spam links"
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}


def test_an_action_needs_a_reason():
    photo = make_photo(UserFactory())

    response = client_for(_moderator()).post(f"/api/moderation/photos/{photo.pk}/hide/", {"reason": "  "})

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Give a reason: the owner will see it."},
    )
    photo.refresh_from_db()
    assert photo.is_hidden is False and AuditEntry.objects.count() == 0


def test_owner_appeals_once_and_a_granted_appeal_restores_the_post():
    owner = UserFactory()
    photo = make_photo(owner)
    moderator = _moderator()
    client_for(moderator).post(f"/api/moderation/photos/{photo.pk}/hide/", {"reason": "Looks like spam"})

    first = client_for(owner).post(f"/api/photos/{photo.pk}/appeal/", {"text": "It is my own garden."})
    second = client_for(owner).post(f"/api/photos/{photo.pk}/appeal/", {"text": "Please!"})
    decided = client_for(moderator).post(
        f"/api/moderation/appeals/{first.json()['id']}/decide/",
        {"grant": True, "reason": "Not spam after all"},
    )

    assert first.status_code == 201
    assert (second.status_code, second.json()) == (
        400,
        {"detail": "You have already appealed for this post."},
    )
    assert decided.json()["status"] == "granted"
    photo.refresh_from_db()
    assert photo.is_hidden is False
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == ["hide", "restore"]


def test_only_hidden_own_posts_can_be_appealed():
    owner = UserFactory()
    visible = make_photo(owner)

    response = client_for(owner).post(f"/api/photos/{visible.pk}/appeal/", {"text": "?"})

    assert response.status_code == 404
    assert Appeal.objects.count() == 0


def test_bulk_delete_and_restore():
    photos = [make_photo(UserFactory()) for _ in range(3)]
    moderator = client_for(_moderator())

    hidden = moderator.post(
        "/api/moderation/photos/bulk/",
        {"ids": [p.pk for p in photos], "action": "hide", "reason": "Raid"},
        format="json",
    )
    deleted = moderator.post(
        "/api/moderation/photos/bulk/",
        {"ids": [photos[0].pk], "action": "delete", "reason": "Illegal"},
        format="json",
    )
    missing = moderator.post(
        "/api/moderation/photos/bulk/", {"ids": [999999], "action": "hide", "reason": "x"}, format="json"
    )

    assert hidden.json() == {"count": 3, "action": "hide"}
    assert deleted.json() == {"count": 1, "action": "delete"}
    assert missing.status_code == 404
    assert Photo.objects.count() == 2
    assert AuditEntry.objects.filter(action="delete").get().before["is_hidden"] is True


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/moderation/queue/", None),
        ("post", "/api/moderation/photos/{photo}/hide/", {"reason": "x"}),
        ("post", "/api/moderation/photos/{photo}/restore/", {"reason": "x"}),
        ("post", "/api/moderation/photos/{photo}/delete/", {"reason": "x"}),
        ("post", "/api/moderation/photos/bulk/", {"ids": ["{photo}"], "action": "hide", "reason": "x"}),
        ("post", "/api/moderation/appeals/1/decide/", {"grant": True, "reason": "x"}),
    ],
)
def test_non_moderators_get_403_on_every_moderation_endpoint(method, path, data):
    photo = make_photo(UserFactory())
    body = {k: ([photo.pk] if v == ["{photo}"] else v) for k, v in (data or {}).items()}

    response = getattr(client_for(UserFactory()), method)(path.format(photo=photo.pk), body, format="json")

    assert (response.status_code, response.json()) == (403, {"detail": "Only moderators can do this."})
    photo.refresh_from_db()
    assert photo.is_hidden is False and AuditEntry.objects.count() == 0


def test_staff_are_moderators_too():
    staff = UserFactory(is_staff=True)

    assert client_for(staff).get("/api/moderation/queue/").status_code == 200
