"""Where other apps extend the tagger. The tagger never imports them: each list below is
filled in the listed listener's AppConfig.ready. Listeners: socialapp/moderation/apps.py."""

from collections.abc import Callable
from dataclasses import dataclass

from socialapp.accounts.models import User

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
