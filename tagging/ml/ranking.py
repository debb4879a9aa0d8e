"""Turn a head's raw concept scores into the few suggestions a person would accept.

Two steps, both per concept and both plain tensors, so a head only has to say how
general each of its concepts is and what it scores on ordinary photos:

- Calibration. A raw score is belief mass: #animal sums ~400 ImageNet classes, so a
  photo the classifier is unsure about spreads enough mass over animals to rank #animal
  first on a bridge. A concept's calibrated score is how far its raw score rises above
  its base rate b (what it gets on the platform's ordinary photos, or, with no photos
  yet, the share of the classifier's classes it covers, which is what diffuse belief
  gives it): (s - b) / (1 - b), clamped to [0, 1]. Diffuse mass sits at or below the
  base rate and never surfaces.
- Ranking. Specific concepts by calibrated score. A general concept (one that covers at
  least GENERAL_MIN_CLASSES classifier classes: #animal, #wildlife, #architecture,
  #kitchen, ...) is suggested only when it adds information: its own calibrated score
  passes its threshold and beats every suggested specific concept it covers by
  GENERAL_MARGIN (#kitchen on a photo taken for a can opener is that belief again; #insect
  on a bee the tagger is sure of says nothing more). At most one, the one that tells most
  (calibrated score times its surprisal -log(b): #fish over #animal on a photo of a fish),
  placed by its score: first where it is the surest thing the tagger can say (#fish at
  63% on a wrasse it took for an eel at 39%). Placed after the best specific concept it
  covers instead, the first suggestion was right on 48 of the 96 dev photos (versions
  trained without their owner) against 58, and on 30 against 42 with no version; where
  the general one came first it was right on 19 of 27. Where none adds information, one
  that only restates the first suggestion (#bird on a heron) is still what people here
  would accept if they write it (the version learned it: `written`): the one that tells
  most goes right after the last suggested specific concept it covers, in place of the
  weakest suggestion (on the dev photos, versions trained without their owner, P@5
  0.254 -> 0.258; on 193 held-out photos of the same sources, 0.244 -> 0.251). Under cold
  start nothing says people write it, so it stays out (#kitchen on pliers the classifier
  takes for a can opener). Each concept's threshold is the
  global minimum unless held-out data gave it one of its own (per_concept_thresholds). A
  concept a trained version did not learn (outside its vocabulary: people wrote it on
  fewer than two of its training photos, or on none), though the cold start would suggest
  it on UNLEARNED_MIN_PHOTOS of those photos or more, is what people here see and do not
  write (#monastery on every cloister, #landscape on every view): its threshold rises
  above the highest score it had on them, so only a photo surer of it than any of them
  gets it.
"""

from dataclasses import dataclass, replace

import torch

from .coldstart_data import GENERAL_MIN_CLASSES

# A general concept must score this much above every suggested specific concept it
# covers to add information.
GENERAL_MARGIN = 0.1
# A per-concept threshold needs at least this many held-out photos carrying the concept.
THRESHOLD_MIN_POSITIVES = 2
# A concept a version did not learn is left off photos like its training photos once it
# passes on this many of them (dev posts, leave-owner-out: hit@1 0.43 -> 0.47).
UNLEARNED_MIN_PHOTOS = 3
# How far above its highest score there such a concept's threshold goes: more than a
# photo's score moves when its embedding is computed again in another batch or with
# another thread count (a few float32 steps), which met a threshold one step above it.
UNLEARNED_MARGIN = 1e-3


@dataclass(frozen=True)
class Calibration:
    """Per concept (in the head's order): base rate, threshold (NaN: the global minimum),
    whether it is general, which concepts each general one covers ((m, m) boolean,
    covers[g, s]: at least half the classes carrying s carry g; #insect covers #bee,
    whose other class is the apiary), and whether people here write it ((m,) boolean:
    a trained version's vocabulary; None under cold start, which knows of no one)."""

    base_rates: torch.Tensor
    thresholds: torch.Tensor
    general: torch.Tensor
    covers: torch.Tensor
    written: torch.Tensor | None = None

    def calibrate(self, scores: torch.Tensor) -> torch.Tensor:
        """(n, m) raw scores -> calibrated scores in [0, 1]."""
        base = self.base_rates.clamp(0.0, 0.99)
        return ((scores - base) / (1 - base)).clamp(0.0, 1.0)


def calibration_from_classes(class_concepts: torch.Tensor, own: list[int] | None = None) -> Calibration:
    """The calibration a (classes, concepts) 0/1 map implies on its own: base rate = the
    share of classes a concept covers (what uniform, diffuse belief gives it). A general
    concept covers another when it carries at least half that one's classes, or the class
    that one is named after (`own[class]`, the column of the class's own concept or -1:
    #insect covers #bee, whose other classes are the apiary and the like)."""
    span = class_concepts.sum(0)
    general = span >= GENERAL_MIN_CLASSES
    shared = class_concepts[:, general].T @ class_concepts  # (general, m) classes in common
    covers = torch.zeros(class_concepts.shape[1], class_concepts.shape[1], dtype=torch.bool)
    covers[general] = (shared * 2 >= span) & (span > 0)
    for row, column in enumerate(own or []):
        if column >= 0:
            covers[:, column] |= general & class_concepts[row].bool()
    covers.fill_diagonal_(False)
    return Calibration(
        base_rates=span / class_concepts.shape[0],
        thresholds=torch.full((class_concepts.shape[1],), float("nan")),
        general=general,
        covers=covers,
    )


def rank(
    calibrated: torch.Tensor,
    calibration: Calibration,
    *,
    min_score: float,
    limit: int,
    excluded: torch.Tensor | None = None,
) -> list[int]:
    """Concept indices to suggest for one photo's (m,) calibrated scores, best first:
    specific concepts by score, and at most one general concept, where it adds information,
    placed by its score. `excluded` is an (m,) boolean mask of concepts never suggested."""
    floor = torch.where(calibration.thresholds.isnan(), min_score, calibration.thresholds)
    passing = (calibrated >= floor) & (calibrated > 0)
    if excluded is not None:
        passing &= ~excluded
    candidates = passing.nonzero().flatten()
    ordered = candidates[calibrated[candidates].argsort(descending=True, stable=True)].tolist()
    specific = [i for i in ordered if not bool(calibration.general[i])]
    broad = [i for i in ordered if bool(calibration.general[i])]
    if not broad:
        return specific[:limit]
    # A general concept adds information only where its score is not just that of a
    # suggested specific concept it covers (#kitchen on a photo taken for a can opener).
    informative = [
        g
        for g in broad
        if all(
            float(calibrated[g] - calibrated[i]) >= GENERAL_MARGIN
            for i in specific
            if bool(calibration.covers[g, i])
        )
    ]
    # The one that tells most: calibrated score times surprisal, -log(base rate).
    surprisal = -calibration.base_rates.clamp(1e-4, 0.99).log()
    if informative:
        best = max(informative, key=lambda i: float(calibrated[i] * surprisal[i]))
        position = min(sum(1 for i in specific if calibrated[i] >= calibrated[best]), limit - 1)
        return [*specific[:position], best, *specific[position:]][:limit]
    # None adds information: one people here write that restates the first suggestion
    # may still follow the specific ones it covers (#fish after #goldfish, not #fish after
    # an #aquarium guessed fourth on a koala).
    if calibration.written is None or not specific:
        return specific[:limit]
    written = [g for g in broad if bool(calibration.written[g]) and bool(calibration.covers[g, specific[0]])]
    if not written:
        return specific[:limit]
    best = max(written, key=lambda i: float(calibrated[i] * surprisal[i]))
    # after the last suggested one it covers (the first suggestion is one)
    position = max(n for n, i in enumerate(specific[:limit]) if bool(calibration.covers[best, i])) + 1
    return [*specific[:position], best, *specific[position:]][:limit]


def per_concept_thresholds(
    calibrated: torch.Tensor, positives: torch.Tensor, *, min_score: float
) -> torch.Tensor:
    """Thresholds from held-out photos: (n, m) calibrated scores and boolean truth ->
    (m,) thresholds, NaN where a concept has fewer than THRESHOLD_MIN_POSITIVES held-out
    photos. Where it has enough, the cut-off in [min_score, 1] that maximises F1 over
    those photos (the lowest such cut-off, to keep recall)."""
    thresholds = torch.full((calibrated.shape[1],), float("nan"))
    for column in range(calibrated.shape[1]):
        truth = positives[:, column]
        if int(truth.sum()) < THRESHOLD_MIN_POSITIVES:
            continue
        scores = calibrated[:, column]
        best, best_f1 = min_score, -1.0
        for cut in sorted({min_score, *[float(s) for s in scores[truth] if s >= min_score]}):
            chosen = scores >= cut
            hits = float((chosen & truth).sum())
            f1 = 2 * hits / (float(chosen.sum()) + float(truth.sum()))
            if f1 > best_f1 + 1e-9:
                best, best_f1 = cut, f1
        thresholds[column] = best
    return thresholds


def measured_calibration(
    prior: Calibration,
    raw: torch.Tensor,
    held_out: torch.Tensor,
    positives: torch.Tensor,
    *,
    min_score: float,
    learned: torch.Tensor | None = None,
) -> Calibration:
    """A version's calibration from the platform's photos: (n, m) raw scores of its
    ordinary photos, a boolean (n,) mask of the held-out ones and their (held-out, m)
    truth. Base rate: the mean raw score over the photos, never below `prior`'s (diffuse
    belief); thresholds from the held-out photos (per_concept_thresholds), and for each
    concept outside `learned` ((m,) boolean: the version's vocabulary), above its scores
    on the photos where it passes, once it passes on UNLEARNED_MIN_PHOTOS of them."""
    base = torch.maximum(prior.base_rates, raw.mean(0)) if len(raw) else prior.base_rates
    measured = replace(prior, base_rates=base)
    thresholds = prior.thresholds
    if bool(held_out.any()):
        thresholds = per_concept_thresholds(measured.calibrate(raw[held_out]), positives, min_score=min_score)
    if learned is not None and len(raw):
        thresholds = _unlearned_thresholds(measured.calibrate(raw), thresholds, ~learned, min_score=min_score)
    return replace(measured, thresholds=thresholds)


def _unlearned_thresholds(
    calibrated: torch.Tensor, thresholds: torch.Tensor, unlearned: torch.Tensor, *, min_score: float
) -> torch.Tensor:
    """`thresholds` with each `unlearned` concept that passes on UNLEARNED_MIN_PHOTOS or
    more of the (n, m) `calibrated` photos raised UNLEARNED_MARGIN above its highest score
    there."""
    floor = torch.where(thresholds.isnan(), min_score, thresholds)
    passing = (calibrated >= floor) & (calibrated > 0) & unlearned
    raised = passing.sum(0) >= UNLEARNED_MIN_PHOTOS
    if not bool(raised.any()):
        return thresholds
    highest = calibrated.masked_fill(~passing, 0.0).amax(0)
    above = highest + UNLEARNED_MARGIN
    return torch.where(raised, above, thresholds)
