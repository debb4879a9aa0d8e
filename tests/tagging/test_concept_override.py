"""A concept's override (blocked, non-visual, ...) changes only through one audited
service, whether a moderator blocks a hashtag or an admin edits the concept's status."""

import pytest

from socialapp.hashtags.models import Concept
from socialapp.moderation.models import AuditEntry
from tagging import extensions, services
from tagging.models import ConceptStat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _stat(name: str) -> ConceptStat:
    concept, _ = Concept.objects.get_or_create(name=name, defaults={"display_en": name, "display_es": name})
    stat, _ = ConceptStat.objects.update_or_create(
        concept=concept, defaults={"count": 3, "status": ConceptStat.Status.ACTIVE, "override": ""}
    )
    return stat


def test_the_admin_changelist_cannot_change_an_override_unaudited(admin_client):
    _stat("selfie")
    response = admin_client.get("/admin/tagging/conceptstat/")
    assert response.status_code == 200
    assert 'name="form-0-override"' not in response.content.decode()


def test_an_admin_override_needs_a_reason_and_is_audited(admin_client):
    stat = _stat("selfie")
    url = f"/admin/tagging/conceptstat/{stat.pk}/change/"

    refused = admin_client.post(url, {"override": "non_visual", "reason": ""})
    assert refused.status_code == 200  # the form again, with its error
    assert "This field is required" in refused.content.decode()
    stat.refresh_from_db()
    assert stat.override == ""
    assert not AuditEntry.objects.exists()

    admin_client.post(url, {"override": "non_visual", "reason": "people tag their selfies by mood"})
    stat.refresh_from_db()
    assert stat.override == "non_visual"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor.username, entry.reason) == (
        "override_concept",
        "root",
        "people tag their selfies by mood",
    )
    assert (entry.before, entry.after) == ({"override": ""}, {"override": "non_visual", "source": "admin"})


def test_moderation_block_writes_one_audit_row_through_the_same_service():
    stat = _stat("spam")
    moderator = UserFactory(is_staff=True)
    services.concept_override_set(
        concept=stat.concept, override="blocked", actor=moderator, reason="spam", source="moderation"
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.before, entry.after["override"]) == (
        "block_hashtag",
        {"override": ""},
        "blocked",
    )


def _set(stat: ConceptStat, override: str, reason: str) -> None:
    services.concept_override_set(
        concept=stat.concept, override=override, actor=None, reason=reason, source="admin"
    )


def test_an_unknown_override_or_an_empty_reason_changes_nothing():
    stat = _stat("sunset")
    with pytest.raises(ValueError, match="reason"):
        services.concept_override_set(
            concept=stat.concept, override="blocked", actor=None, reason=" ", source="admin"
        )
    with pytest.raises(ValueError, match="override"):
        services.concept_override_set(
            concept=stat.concept, override="gone", actor=None, reason="x", source="admin"
        )
    stat.refresh_from_db()
    assert stat.override == ""
    assert not AuditEntry.objects.exists()


def test_without_an_audit_log_no_override_changes(monkeypatch):
    stat = _stat("sunset")
    monkeypatch.setattr(extensions, "override_auditors", [])
    monkeypatch.setattr(services.concepts, "override_auditors", extensions.override_auditors)
    with pytest.raises(RuntimeError, match="audit"):
        services.concept_override_set(
            concept=stat.concept, override="blocked", actor=None, reason="x", source="admin"
        )
    stat.refresh_from_db()
    assert stat.override == ""
