"""Writes for concepts' statuses: what moderators and admins decide about a hashtag's
concept. Every change is audited by whoever registered in
`tagging.extensions.override_auditors` (moderation), and refused when nobody did."""

from django.db import transaction

from socialapp.accounts.models import User
from socialapp.hashtags.models import Concept
from tagging.extensions import OverrideChange, override_auditors
from tagging.models import ConceptStat

SOURCES = ("admin", "moderation")
CONCEPT_BLOCKED: str = ConceptStat.Status.BLOCKED


@transaction.atomic
def concept_override_set(
    *, concept: Concept, override: str, actor: User | None, reason: str, source: str
) -> tuple[str, str]:
    """Overrule the computed status of `concept` (`blocked`: never suggested, never a
    training target; `non_visual`, `active`, `rare`), or lift the override with "".
    Returns the override before and after. Raises ValueError for an unknown override or
    source or an empty reason, RuntimeError when no audit log is registered (nothing is
    changed then)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why this concept's status should change (the reason is audited).")
    if override not in ("", *ConceptStat.Status.values):
        raise ValueError(f"Unknown override {override!r}; one of {', '.join(ConceptStat.Status.values)}.")
    if source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}; one of {', '.join(SOURCES)}.")
    if not override_auditors:
        raise RuntimeError("No audit log is registered (moderation's app is not installed).")
    stat, _created = ConceptStat.objects.select_for_update().get_or_create(concept=concept)
    before = stat.override
    stat.override = override
    stat.save(update_fields=["override", "updated_at"])
    change = OverrideChange(
        concept=concept, before=before, after=override, actor=actor, reason=reason, source=source
    )
    for auditor in override_auditors:
        auditor(change)
    return before, override
