"""Honest versions: one audited activation for every path, and a gate that re-scores the
candidate and the active version on the same held-out photos, as served."""

import pytest
from django.core.management import CommandError, call_command

from socialapp.moderation.models import AuditEntry
from tagging import services
from tagging.models import ModelVersion
from tests.factories import UserFactory
from tests.tagging.test_training_services import _platform

pytestmark = pytest.mark.django_db


def _sources() -> list[str]:
    return list(
        AuditEntry.objects.filter(action="activate_model")
        .order_by("pk")
        .values_list("after__source", flat=True)
    )


def test_every_activation_path_writes_one_audit_row(client):
    _platform()
    services.vocabulary_build()
    first, _ = services.model_version_train()  # training: none was active
    second, _ = services.model_version_train(force=True)  # training, forced past the gate
    call_command("activate_tagger", first.name, "--reason", "roll back")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.post(
        "/admin/tagging/modelversion/",
        {"action": "activate_version", "_selected_action": [second.pk]},
    )
    client.post(f"/moderation/models/{first.name}/activate/", {"reason": "back to v1"})

    assert _sources() == ["training", "training", "command", "admin", "moderation"]
    last = AuditEntry.objects.filter(action="activate_model").order_by("pk").last()
    assert (last.before, last.reason, last.actor) == ({"active": second.name}, "back to v1", admin)
    assert ModelVersion.objects.get(is_active=True) == first


def test_the_admin_cannot_delete_a_version_and_so_change_the_served_model_unaudited(client):
    # Deleting the active version made every upload fall back to cold start with no audit
    # row; deleting any other lost the record of what trained it.
    active = ModelVersion.objects.create(name="v1", backbone="b", folder="versions/v1", is_active=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(f"/admin/tagging/modelversion/{active.pk}/delete/")
    client.post(f"/admin/tagging/modelversion/{active.pk}/delete/", {"post": "yes"})
    client.post(
        "/admin/tagging/modelversion/",
        {"action": "delete_selected", "_selected_action": [active.pk], "post": "yes"},
    )

    assert page.status_code == 403
    assert ModelVersion.objects.filter(pk=active.pk, is_active=True).exists()
    actions = client.get("/admin/tagging/modelversion/").context["action_form"].fields["action"].choices
    assert [name for name, _ in actions if name] == ["activate_version"]


def test_activation_needs_a_reason_and_changes_nothing_without_one():
    version = ModelVersion.objects.create(name="v1", backbone="b", folder="versions/v1")

    with pytest.raises(CommandError, match="Say why"):
        call_command("activate_tagger", "v1", "--reason", "  ")

    assert not ModelVersion.objects.get(pk=version.pk).is_active
    assert AuditEntry.objects.count() == 0


def test_activation_without_an_audit_log_is_refused(monkeypatch):
    version = ModelVersion.objects.create(name="v1", backbone="b", folder="versions/v1")
    monkeypatch.setattr(services.versions, "activation_auditors", [])

    with pytest.raises(RuntimeError, match="No audit log"):
        services.model_version_activate(version=version, actor=None, reason="try", source="command")

    assert not ModelVersion.objects.get(pk=version.pk).is_active


def test_gate_rescores_the_active_version_on_the_candidates_held_out_photos():
    """The old gate compared hit@5 stored at each version's own training, on different
    held-out photos: an active version whose stored figure was low lost to any candidate."""
    _platform()
    services.vocabulary_build()
    first, _ = services.model_version_train()
    first.metrics = {**first.metrics, "hashtags": {**first.metrics["hashtags"], "hit@5": 0.0}}
    first.save(update_fields=["metrics"])

    second, activated = services.model_version_train()  # the same data: the same head

    gate = second.metrics["gate"]
    assert not activated and ModelVersion.objects.get(is_active=True) == first
    assert gate["active"] == gate["candidate"] and gate["passed"] is False
    assert gate["photos"] == second.metrics["val_photos"] > 0
