"""Which model version serves suggestions: one audited way to activate a version, and the
gate that lets a freshly trained one take over only when it serves better.

Every activation (training, `manage.py activate_tagger`, the admin, the moderation page)
goes through model_version_activate, which records who, why and what was active before
in the audit log. The audit log belongs to moderation, which sits on top of the tagger:
it registers its writer in `tagging.extensions.activation_auditors` (moderation's
AppConfig.ready), and activating with no auditor registered is refused rather than left
unaudited."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from socialapp.accounts.models import User
from tagging import selectors
from tagging.extensions import Activation, activation_auditors
from tagging.models import ModelVersion

if TYPE_CHECKING:  # they load torch, which the gate needs and activating does not
    from tagging.ml.dataset import TrainingSet
    from tagging.ml.inference import Tagger
    from tagging.ml.preprocessing import ImageSource

SOURCES = ("training", "command", "admin", "moderation")
GATE_BATCH = 16


@transaction.atomic
def model_version_activate(
    *, version: ModelVersion, actor: User | None, reason: str, source: str
) -> ModelVersion:
    """Make `version` the one suggestions come from (the previous one steps down) and
    audit it. Raises ValueError for an empty reason or unknown source, RuntimeError when
    no audit log is registered (nothing is changed then)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why this version should serve suggestions.")
    if source not in SOURCES:
        raise ValueError(f"Unknown activation source {source!r}; one of {', '.join(SOURCES)}.")
    if not activation_auditors:
        raise RuntimeError("No audit log is registered for model activations.")
    previous = (
        ModelVersion.objects.select_for_update()
        .filter(is_active=True)
        .exclude(pk=version.pk)
        .values_list("name", flat=True)
        .first()
    )
    ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    version.is_active = True
    version.activated_at = timezone.now()
    version.save(update_fields=["is_active", "activated_at"])
    event = Activation(version=version, previous=previous, actor=actor, reason=reason, source=source)
    for auditor in activation_auditors:
        auditor(event)
    return version


@dataclass(frozen=True)
class GateResult:
    candidate: dict[str, float]  # served hit@1, hit@5, p@5, r@5 on the held-out photos
    active: dict[str, float] | None  # the same for the active version (None: none active)
    photos: int
    passed: bool

    @property
    def reason(self) -> str:
        if self.active is None:
            return "no version was active"
        verdict = "better" if self.passed else "not better"
        return (
            f"gate: served hit@5 {self.candidate['hit@5']:.3f} vs {self.active['hit@5']:.3f}, "
            f"p@5 {self.candidate['p@5']:.3f} vs {self.active['p@5']:.3f} on {self.photos} held-out photos "
            f"({verdict})"
        )


def model_version_gate(*, candidate: "Tagger", data: "TrainingSet") -> GateResult:
    """Score the candidate and the active version as served (ranked, calibrated,
    thresholded, blocked and non-visual concepts left out) on the same held-out photos of
    `data`. The candidate passes when no version is active, or when it finds the truth for
    at least one more photo in its top 5 (hit@5) without a lower P@5."""
    from tagging.services.evaluation import served_metrics

    active_row = ModelVersion.objects.filter(is_active=True).values_list("name", "folder").first()
    held_out = data.indices("val")
    truth = [[data.concepts[c].name for c in data.targets[i]] for i in held_out]
    paths: list[ImageSource] = [(data.image_paths or [])[i] for i in held_out]
    excluded = selectors.excluded_concepts()

    def served(tagger: "Tagger") -> dict[str, float]:
        suggested = []
        for start in range(0, len(paths), GATE_BATCH):
            for prediction in tagger.predict(paths[start : start + GATE_BATCH], exclude=excluded):
                suggested.append([s.concept for s in prediction.hashtags])
        return served_metrics(suggested, truth)

    ours = served(candidate)
    if active_row is None:
        return GateResult(ours, None, len(held_out), True)
    theirs = served(selectors.tagger_for_version(*active_row))
    one_photo = 1 / max(1, len(held_out))
    passed = ours["hit@5"] >= theirs["hit@5"] + one_photo - 1e-9 and ours["p@5"] >= theirs["p@5"] - 1e-9
    return GateResult(ours, theirs, len(held_out), passed)
