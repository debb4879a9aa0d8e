"""The caption model: what the words and hashtags someone has typed say about the
hashtags still missing. It sits beside the vision head and is blended with it.

Learned from posts as three counts, all at the level of concepts (#perro and #dog are
one concept):

- co-occurrence: how many posts carry concept d together with concept c;
- caption words: how many posts whose caption (hashtags aside) holds word w carry c;
- literal naming: how often a caption word that names a concept in the alias table
  ("castle" in "Egeskov castle at dawn") comes with that concept as a hashtag, one rate
  over all words, so it reaches words no post has used yet.

Scoring is naive Bayes over the evidence t (typed concepts, caption words): the log-odds
of c start at its base rate and each t adds logit P(c | t) - logit P(c), with
P(c | t) = (n(t, c) + PRIOR_WEIGHT · P(c)) / (n(t) + PRIOR_WEIGHT), so a token seen on
few posts stays near the base rate and a word as common as "the" adds about nothing.
Caption words count WORD_WEIGHT of a hashtag (they are many and loosely tied). Literal
naming then joins as an independent cause (noisy-OR), and so do vision scores (`blend`).
Concepts already typed are never scored.

Plain Python and JSON, no Django: the app turns captions into concepts and words.
"""

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SMOOTHING = 1.0
PRIOR_WEIGHT = 3.0
WORD_WEIGHT = 0.2
FORMAT = 1


@dataclass(frozen=True)
class Post:
    """One post as evidence: its hashtags' concepts, the other words of its caption
    (matching keys), and the concepts those words name in the alias table."""

    concepts: frozenset[str]
    words: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()


@dataclass
class CaptionModel:
    posts: int = 0
    concept_posts: dict[str, int] = field(default_factory=dict)
    # evidence token ("#concept" or "word") -> posts holding it, and -> concept -> posts with both
    token_posts: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, dict[str, int]] = field(default_factory=dict)
    literal_hits: int = 0
    literal_total: int = 0

    @property
    def literal_rate(self) -> float:
        """P(a post carries the concept | its caption names it), smoothed towards 0."""
        return self.literal_hits / (self.literal_total + SMOOTHING)

    def base_rate(self, concept: str) -> float:
        return self.concept_posts.get(concept, 0) / (self.posts + SMOOTHING)

    def scores(self, post: Post) -> dict[str, float]:
        """Concept -> score in (0, 1) for the hashtags `post` does not carry yet: every
        concept the model knows, and those the caption names."""
        tokens = [t for t in _tokens(post) if t in self.token_posts]
        scores = {}
        for concept in self.concept_posts:
            if concept in post.concepts:
                continue
            base = (self.concept_posts[concept] + 0.5) / (self.posts + 1.0)
            log_odds = _logit(base)
            for token in tokens:
                both = self.pairs.get(token, {}).get(concept, 0)
                given = (both + PRIOR_WEIGHT * base) / (self.token_posts[token] + PRIOR_WEIGHT)
                weight = 1.0 if token.startswith("#") else WORD_WEIGHT
                log_odds += weight * (_logit(given) - _logit(base))
            scores[concept] = 1.0 / (1.0 + math.exp(-log_odds))
        for concept in post.named - post.concepts:
            scores[concept] = 1.0 - (1.0 - scores.get(concept, 0.0)) * (1.0 - self.literal_rate)
        return scores

    def save(self, path: Path) -> None:
        data = {"format": FORMAT, **self.__dict__}
        path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True))

    @classmethod
    def load(cls, path: Path) -> "CaptionModel":
        """Raises FileNotFoundError, or ValueError for a file in another format."""
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise ValueError(f"{path} is not a caption model this version reads")
        return cls(**data)


def fit(posts: Iterable[Post], *, min_count: int = 1) -> CaptionModel:
    """Count the evidence in `posts`. Tokens held by fewer than `min_count` posts are
    dropped (they would only repeat one post)."""
    posts = list(posts)
    concepts: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    hits = total = 0
    for post in posts:
        concepts.update(post.concepts)
        post_tokens = _tokens(post)
        tokens.update(post_tokens)
        for token in post_tokens:
            pairs[token].update(c for c in post.concepts if f"#{c}" != token)
        total += len(post.named)
        hits += len(post.named & post.concepts)
    kept = {t for t, n in tokens.items() if n >= min_count}
    return CaptionModel(
        posts=len(posts),
        concept_posts=dict(concepts),
        token_posts={t: tokens[t] for t in kept},
        pairs={t: dict(pairs[t]) for t in kept if pairs[t]},
        literal_hits=hits,
        literal_total=total,
    )


def blend(caption: Mapping[str, float], vision: Mapping[str, float]) -> dict[str, float]:
    """Both models' scores as independent evidence: 1 - (1 - caption)(1 - vision)."""
    return {c: 1.0 - (1.0 - caption.get(c, 0.0)) * (1.0 - vision.get(c, 0.0)) for c in {*caption, *vision}}


def leave_owner_out(
    posts: list[Post],
    owners: list[object],
    *,
    vision: list[Mapping[str, float]] | None = None,
    general: frozenset[str] = frozenset(),
    k: int = 5,
) -> dict[str, float]:
    """Leave-one-hashtag-out, split by owner: for each owner, fit on everyone else's
    posts, then hide each hashtag of each of their posts in turn and check it is among
    the top `k` of what is left (blended with `vision` scores per post when given). A
    caption word names a concept only if other owners used it or it is in `general`
    (a vocabulary not drawn from these posts). Returns hidden count and hit@k."""
    hits = hidden = 0
    for owner in dict.fromkeys(owners):
        model = fit(p for p, o in zip(posts, owners, strict=True) if o != owner)
        for i, post in enumerate(posts):
            if owners[i] != owner:
                continue
            named = frozenset(c for c in post.named if c in model.concept_posts or c in general)
            for concept in post.concepts:
                scores = model.scores(Post(post.concepts - {concept}, post.words, named))
                if vision is not None:
                    scores = blend(scores, vision[i])
                left = [c for c in scores if c not in post.concepts or c == concept]
                top = sorted(left, key=lambda c: (-scores[c], c))[:k]
                hits += concept in top
                hidden += 1
    return {"hidden": hidden, f"hit@{k}": round(hits / hidden, 4) if hidden else 0.0}


def _tokens(post: Post) -> set[str]:
    return {f"#{c}" for c in post.concepts} | set(post.words)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))
