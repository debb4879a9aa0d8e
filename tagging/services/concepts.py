"""Writes for concepts' statuses: what moderators decide about a hashtag's concept."""

from django.db import transaction

from socialapp.hashtags.models import Concept
from tagging.models import ConceptStat


@transaction.atomic
def concept_block_set(*, concept: Concept, blocked: bool) -> tuple[str, str]:
    """Block `concept` (never suggested, never a training target), or lift its override.
    Returns its override before and after, for the audit log."""
    stat, _created = ConceptStat.objects.get_or_create(concept=concept)
    before = stat.override
    stat.override = ConceptStat.Status.BLOCKED if blocked else ""
    stat.save(update_fields=["override", "updated_at"])
    return before, stat.override
