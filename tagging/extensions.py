"""Where other apps extend the tagger. The tagger never imports them: each list below is
filled in the listed listener's AppConfig.ready. Listeners: socialapp/moderation/apps.py."""

from collections.abc import Callable
from dataclasses import dataclass

from socialapp.accounts.models import User
from socialapp.hashtags.models import Concept

from .models import ModelVersion


@dataclass(frozen=True)
class Activation:
    version: ModelVersion
    previous: str | None  # the version active before, None for cold start
    actor: User | None  # None: the system (training)
    reason: str
    source: str  # training, command, admin, moderation


# Writers of the audit row for an activation (tagging.services.model_version_activate),
# run inside its transaction; with none registered, activating is refused.
# Listeners: socialapp/moderation/apps.py (model_activation_audit: the audit log).
activation_auditors: list[Callable[[Activation], object]] = []


@dataclass(frozen=True)
class OverrideChange:
    concept: Concept
    before: str  # the override before ("" for none: the computed status rules)
    after: str
    actor: User | None
    reason: str
    source: str  # admin, moderation


# Writers of the audit row for a concept's override (tagging.services.concept_override_set:
# a moderator's hashtag block, the admin's concept status), run inside its transaction;
# with none registered, changing an override is refused.
# Listeners: socialapp/moderation/apps.py (concept_override_audit: the audit log).
override_auditors: list[Callable[[OverrideChange], object]] = []
