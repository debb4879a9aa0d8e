"""The caption model: what the words and hashtags someone has typed say about the
hashtags still missing. It sits beside the vision head and is blended with it.

Learned from posts, at the level of concepts (#perro and #dog are one concept), as three
kinds of evidence:

- co-occurrence: how many posts carry concept d together with concept c, and how many
  whose caption (hashtags aside) holds word w carry c. Scored by naive Bayes: the
  log-odds of c start at its base rate and each token t adds logit P(c | t) - logit P(c),
  with P(c | t) = (n(t, c) + PRIOR_WEIGHT · P(c)) / (n(t) + PRIOR_WEIGHT), so a token
  seen on few posts stays near the base rate and a word as common as "the" adds about
  nothing. Caption words count WORD_WEIGHT of a hashtag (they are many and loosely tied).
  A function word of the writer's language ("el", "the") is read against the posts
  written in that language instead: it says which language, not what the photo shows.
- mentions: people hashtag what their caption says ("Egeskov castle at dawn" -> #egeskov
  #castle). Each caption word, and each pair of words run together ("Tower Bridge" ->
  towerbridge), is a candidate hashtag: the concept it names, else itself. Mentions come
  in kinds: a word the vocabulary lists (NAMED), else one written as a name (capitalised
  inside a sentence: NAME), a capitalised word side by side with another (a part of a
  longer name, "San Diego": PART; people hashtag the whole, #sandiego, rarely #san),
  capitalised as the first word of a sentence (OPENING) or in lowercase (WORD); an emoji
  names what its Unicode name says (🐝 HONEYBEE: #bee) and a flag its country (EMOJI),
  only where that is a concept. A word that opens a sentence but is written in lowercase
  elsewhere in the captions ("Caught this bandit", "Little weir") is an ordinary word, so
  it counts as a WORD, the way a truecaser reads it; only an opening word never seen in
  lowercase ("Egeskov castle at dawn") may be a name.
  How often a mention becomes a hashtag is counted per kind and per mention, so "de" and
  "the" learn that they never do and an unseen mention takes its kind's rate.
- related concepts: the cold-start vocabulary lists, for every class, the concepts it
  belongs to from specific to general (goldfish: aquarium, pet, fish, animal). A concept
  present makes those after it candidates (#wrasse -> #fish; the other concepts of a
  class's row, categories it shares, only the general ones: coldstart_data
  .related_concepts), at a rate counted per candidate ("fish" is often written beside a
  fish, "animal" rarely); a place makes the places it is part of candidates (#sydney ->
  #newsouthwales, #australia). A candidate never seen takes the rate of its kind: a
  region (a country or a state: on the dev posts about one time in two) or anything else
  (an island, a continent, a general concept: about one in eight).

A non-visual hashtag (#tbt, #photooftheday, #instagood: what the vocabulary keeps out
of training) says nothing of the photo or its subject; whether it is written is a habit
of the writer. Its naive Bayes score reads only the other non-visual hashtags typed
(people who write #instagood write #photooftheday), never the caption's words nor its
subject hashtags, which on a few writers' posts would tie #tbt to whatever they photograph.

Mentions and related concepts join the naive Bayes score as independent causes
(noisy-OR), and so do vision scores (`blend`). Concepts already typed are never scored.

Plain Python and JSON, no Django: the app turns captions into concepts and words.
"""

import csv
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

PRIOR_WEIGHT = 3.0
WORD_WEIGHT = 0.2
MIN_LIFT = 2.0  # a known concept is scored only when the post multiplies its odds by this much
MIN_SCORE = 0.05  # nor any candidate less likely than one post in twenty
# nor one that only co-occurs with what was typed on fewer posts than this (one is an
# anecdote: a #china beside #mountain on a single trip lifts a rare concept's odds a lot)
MIN_SUPPORT = 2
LIFT = math.log(MIN_LIFT)
RATE_WEIGHT = 2.0  # posts' worth of a kind's rate in a mention's or a candidate's own rate
FORMAT = 2
# The concept table's alias keys that a caption in a language uses as something else
# ("sobre": envelope, and "on"; English #hay, Spanish "there is"), written with the table
# by tagging.concepts_build: a word of a caption in that language names no concept by them.
FUNCTION_WORDS = Path(__file__).resolve().parent / "data" / "function_words.tsv"
# ISO 3166 code -> a country's English name, written by tagging.concepts_build: a flag
# emoji names its country.
FLAGS = Path(__file__).resolve().parent / "data" / "flags.tsv"

NAMED, NAME, OPENING, PART, WORD, EMOJI = "named", "name", "opening", "part", "word", "emoji"
REGION, OTHER = "region", "other"  # kinds of related candidate
WORD_FORM = ""  # Mention.form of a word written in lowercase


@dataclass(frozen=True)
class Mention:
    """Words of a caption that may be a hashtag: `key` (their matching key), the concept
    they name ("" for none: a hashtag of their own), whether the vocabulary (the alias
    table) lists them, and how they were written: NAME (capitalised inside a sentence),
    OPENING (capitalised, opening one), PART, "" (lowercase), or EMOJI (an emoji, by its
    Unicode name: always naming a concept)."""

    key: str
    concept: str = ""
    form: str = ""
    listed: bool = False

    @property
    def target(self) -> str:
        """The concept this mention would add: the one it names, else its own key."""
        return self.concept or self.key

    @property
    def kind(self) -> str:
        if self.form == EMOJI:
            return EMOJI
        return NAMED if self.listed else self.form or WORD


@dataclass(frozen=True)
class Post:
    """One post as evidence: its hashtags' concepts, the other words of its caption
    (matching keys), and the mentions those words make. `keys`: (key, concept) of each
    hashtag as typed, where the scoring of held-out posts needs them. `language`: its
    writer's ("" unknown), what its function words are read against."""

    concepts: frozenset[str]
    words: frozenset[str] = frozenset()
    mentions: frozenset[Mention] = frozenset()
    keys: frozenset[tuple[str, str]] = frozenset()
    language: str = ""


@dataclass
class CaptionModel:
    posts: int = 0
    concept_posts: dict[str, int] = field(default_factory=dict)
    # evidence token ("#concept" or "word") -> posts holding it, and -> concept -> posts with both
    token_posts: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, dict[str, int]] = field(default_factory=dict)
    # [became a hashtag, seen]: per mention kind, per mention target
    mention_kinds: dict[str, list[int]] = field(default_factory=dict)
    mention_targets: dict[str, list[int]] = field(default_factory=dict)
    # concept -> the concepts after it in the vocabulary; [hashtagged, candidate] overall and per candidate
    related: dict[str, list[str]] = field(default_factory=dict)
    related_all: list[int] = field(default_factory=lambda: [0, 0])
    related_targets: dict[str, list[int]] = field(default_factory=dict)
    # the words the captions also write in lowercase (an opening one is no name)
    ordinary: list[str] = field(default_factory=list)
    # the related candidates that are regions, and [hashtagged, candidate] per kind
    # (REGION, OTHER); a model saved without them counts every candidate alike
    regions: list[str] = field(default_factory=list)
    related_kinds: dict[str, list[int]] = field(default_factory=dict)
    # the concepts that are non-visual hashtags (scored from the other non-visual ones
    # typed only); a model saved without them scores them as any other
    non_visual: list[str] = field(default_factory=list)
    # posts per writer's language, and per language the posts carrying each concept: what
    # a caption's function words are read against (a model saved without them reads
    # them against every post)
    language_posts: dict[str, int] = field(default_factory=dict)
    language_concepts: dict[str, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ordinary = frozenset(self.ordinary)
        self._regions = frozenset(self.regions)
        self._non_visual = frozenset(self.non_visual)

    def base_rate(self, concept: str) -> float:
        """P(`concept` is a hashtag of an ordinary post), smoothed (half a post), where
        its scores start; 0 for a concept no post carried."""
        posts = self.concept_posts.get(concept)
        return 0.0 if posts is None else (posts + 0.5) / (self.posts + 1.0)

    def language_rate(self, concept: str, language: str) -> float:
        """P(`concept` is a hashtag of a post written in `language`), drawn towards its
        base rate by PRIOR_WEIGHT posts (a language few posts are written in says little)."""
        base = self.base_rate(concept)
        posts = self.language_concepts.get(language, {}).get(concept, 0)
        return (posts + PRIOR_WEIGHT * base) / (self.language_posts.get(language, 0) + PRIOR_WEIGHT)

    def mention_rate(self, mention: Mention) -> float:
        """P(the mention's target is a hashtag of the post | the caption makes it)."""
        kind = _kind(mention, self._ordinary)
        prior = _rate(self.mention_kinds.get(kind, [0, 0]), 0.0)
        return _rate(self.mention_targets.get(f"{kind}:{mention.target}", [0, 0]), prior)

    def related_rate(self, concept: str) -> float:
        """P(`concept` is a hashtag | a concept it is related to is)."""
        kind = REGION if concept in self._regions else OTHER
        prior = _rate(self.related_kinds.get(kind, [0, 0]) if self.related_kinds else self.related_all, 0.0)
        return _rate(self.related_targets.get(concept, [0, 0]), prior)

    def scores(self, post: Post, concepts: Iterable[str] | None = None) -> dict[str, float]:
        """Concept -> score in (0, 1) for the hashtags `post` does not carry yet, of
        `concepts` alone where given (each score the same, in a fraction of the time on a
        large vocabulary): those its mentions and related concepts put forward, and each
        other concept the model knows whose odds what was typed makes at least MIN_LIFT
        times its odds on an ordinary post (its base rate), where some token typed was
        seen with it on MIN_SUPPORT posts or more: a caption that says nothing of the sea gets no
        #underwater, however many posts carry it. None scoring under MIN_SCORE (a word
        such as "the" is rarely a hashtag). A non-visual concept is scored from the
        non-visual hashtags typed alone, and needs no lift: what the post shows says
        nothing of it, so its rate on an ordinary post is what it is worth. A function word
        of the post's language ("el", "the") is read against the posts written in it, not
        against every post: that it says the caption is Spanish is no evidence of what the
        photo shows (on a platform where most Spanish captions were of tools, "mi", "en"
        and "el" offered #herramientas under "Mi perro en el parque")."""
        tokens = sorted(t for t in _tokens(post) if t in self.token_posts)  # sums in one order
        habits = [t for t in tokens if t[1:] in self._non_visual]  # "#tbt"
        # the function words typed, where the model knows the post's language
        known = post.language in self.language_posts
        function = function_words(post.language) & set(tokens) if known else set()
        scores = {}
        support: dict[str, int] = {}  # the most posts any token typed shares with the concept
        wanted = None if concepts is None else frozenset(concepts)
        for concept in self.concept_posts if wanted is None else wanted & self.concept_posts.keys():
            if concept in post.concepts:
                continue
            base = self.base_rate(concept)
            in_language = self.language_rate(concept, post.language) if function else base
            log_odds = _logit(base)
            for token in habits if concept in self._non_visual else tokens:
                both = self.pairs.get(token, {}).get(concept, 0)
                support[concept] = max(support.get(concept, 0), both)
                against = in_language if token in function else base
                given = (both + PRIOR_WEIGHT * against) / (self.token_posts[token] + PRIOR_WEIGHT)
                weight = 1.0 if token.startswith("#") else WORD_WEIGHT
                log_odds += weight * (_logit(given) - _logit(against))
            scores[concept] = 1.0 / (1.0 + math.exp(-log_odds))
        causes: dict[str, float] = {}
        present = {c: 1.0 for c in post.concepts}
        for mention in post.mentions:
            rate = self.mention_rate(mention)
            causes[mention.target] = max(causes.get(mention.target, 0.0), rate)
            present[mention.target] = max(present.get(mention.target, 0.0), rate)
        for source, weight in present.items():
            for concept in self.related.get(source, ()):
                causes[concept] = max(causes.get(concept, 0.0), weight * self.related_rate(concept))
        for concept, cause in causes.items():
            if concept not in post.concepts and (wanted is None or concept in wanted):
                scores[concept] = 1.0 - (1.0 - scores.get(concept, 0.0)) * (1.0 - cause)
        return {
            concept: score
            for concept, score in scores.items()
            if score >= MIN_SCORE
            and (
                concept in causes
                or concept in self._non_visual
                or concept not in self.concept_posts
                or (
                    _logit(score) >= _logit(self.base_rate(concept)) + LIFT
                    and support.get(concept, 0) >= MIN_SUPPORT
                )
            )
        }

    def save(self, path: Path) -> None:
        data = {"format": FORMAT, **{f.name: getattr(self, f.name) for f in fields(self)}}
        path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True))

    @classmethod
    def load(cls, path: Path) -> "CaptionModel":
        """Raises FileNotFoundError, or ValueError for a file in another format."""
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise ValueError(f"{path} is not a caption model this version reads")
        return cls(**data)


def fit(
    posts: Iterable[Post],
    *,
    related: Mapping[str, Iterable[str]] | None = None,
    regions: frozenset[str] = frozenset(),
    non_visual: frozenset[str] = frozenset(),
    min_count: int = 1,
) -> CaptionModel:
    """Count the evidence in `posts`. `related`: concept -> the more general concepts it
    implies as candidates (see coldstart_data.related_concepts); `regions`: those candidates
    that are a country or a state (coldstart_data.regions); `non_visual`: the concepts that
    are non-visual hashtags (the vocabulary's). Tokens held by fewer than `min_count`
    posts are dropped (they would only repeat one post)."""
    posts = list(posts)
    links = {c: sorted(set(r) - {c}) for c, r in (related or {}).items() if r}
    concepts: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    targets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    related_all = [0, 0]
    related_kinds: dict[str, list[int]] = {REGION: [0, 0], OTHER: [0, 0]}
    related_targets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    language_posts: Counter[str] = Counter()
    language_concepts: dict[str, Counter[str]] = defaultdict(Counter)
    ordinary = frozenset(m.key for post in posts for m in post.mentions if m.form == WORD_FORM)
    for post in posts:
        concepts.update(post.concepts)
        if post.language:
            language_posts[post.language] += 1
            language_concepts[post.language].update(post.concepts)
        post_tokens = _tokens(post)
        tokens.update(post_tokens)
        for token in post_tokens:
            pairs[token].update(c for c in post.concepts if f"#{c}" != token)
        for mention in {(_kind(m, ordinary), m.target) for m in post.mentions}:
            hit = mention[1] in post.concepts
            for counts in (kinds[mention[0]], targets[":".join(mention)]):
                counts[0] += hit
                counts[1] += 1
        candidates = {r for c in post.concepts for r in links.get(c, ())}
        for concept in candidates:
            hit = concept in post.concepts
            kind = related_kinds[REGION if concept in regions else OTHER]
            for counts in (related_all, kind, related_targets[concept]):
                counts[0] += hit
                counts[1] += 1
    kept = {t for t, n in tokens.items() if n >= min_count}
    return CaptionModel(
        posts=len(posts),
        concept_posts=dict(concepts),
        token_posts={t: tokens[t] for t in kept},
        pairs={t: dict(pairs[t]) for t in kept if pairs[t]},
        mention_kinds=dict(kinds),
        mention_targets=dict(targets),
        related=links,
        related_all=related_all,
        related_targets=dict(related_targets),
        ordinary=sorted(ordinary),
        regions=sorted(regions & {c for after in links.values() for c in after}),
        related_kinds=related_kinds,
        non_visual=sorted(non_visual & concepts.keys()),
        language_posts=dict(language_posts),
        language_concepts={language: dict(counts) for language, counts in language_concepts.items()},
    )


def blend(caption: Mapping[str, float], vision: Mapping[str, float]) -> dict[str, float]:
    """Both models' scores as independent evidence: 1 - (1 - caption)(1 - vision)."""
    return {c: 1.0 - (1.0 - caption.get(c, 0.0)) * (1.0 - vision.get(c, 0.0)) for c in {*caption, *vision}}


def with_mentions(shown: Sequence[tuple[str, float]], said: Mapping[str, float]) -> list[tuple[str, float]]:
    """Ranked suggestions (concept, score) with the concepts a caption names (`said`:
    concept -> the caption model's score) merged in: each of those scored by both models
    (blend, with its score in `shown` where it is there too) and placed before the first
    suggestion it beats, strongest first; the others keep their order."""
    seen = dict(shown)
    sure = blend(said, {c: seen[c] for c in said if c in seen})
    mentioned = sorted(((c, sure[c]) for c in said), key=lambda item: (-item[1], item[0]))
    ranked: list[tuple[str, float]] = []
    for concept, score in shown:
        if concept in said:
            continue  # placed by its score with both models' evidence
        while mentioned and mentioned[0][1] > score:
            ranked.append(mentioned.pop(0))
        ranked.append((concept, score))
    return ranked + mentioned


@dataclass(frozen=True)
class HeldOut:
    """One hashtag hidden from one post: the post's index, the hidden concept, what counts
    as finding it (the concept, or the hashtag as typed when no reader knows the concept,
    see held_out), the post's concepts (none of the others is ranked), the caption
    model's scores for what is left, and whether the model was fitted on posts carrying
    the concept."""

    index: int
    concept: str
    answers: frozenset[str]
    carried: frozenset[str]
    scores: dict[str, float]
    seen: bool  # whether other owners' posts carry the concept (the model may score it)

    def found(self, scores: Mapping[str, float], k: int) -> bool:
        """Whether `scores` rank an answer among their top `k` concepts the post does not
        carry (the hidden one aside)."""
        left = [c for c in scores if c not in self.carried or c == self.concept]
        return bool(self.answers.intersection(sorted(left, key=lambda c: (-scores[c], c))[:k]))


def held_out(
    posts: list[Post],
    owners: list[object],
    *,
    general: frozenset[str] = frozenset(),
    related: Mapping[str, Iterable[str]] | None = None,
    regions: frozenset[str] = frozenset(),
    non_visual: frozenset[str] = frozenset(),
) -> Iterator[HeldOut]:
    """Leave-one-hashtag-out, split by owner: for each owner, fit on everyone else's
    posts, then hide each hashtag of each of their posts in turn and score what is left.
    A caption word names a concept only if other owners used it or it is in `general` (a
    vocabulary not drawn from these posts); otherwise it is a mention of itself, and the
    hidden hashtag is what was typed (its keys, `Post.keys`), not a concept."""
    for model, own in owners_out(posts, owners, related=related, regions=regions, non_visual=non_visual):
        for i in own:
            post = posts[i]
            for concept in post.concepts:
                typed = post.concepts - {concept}
                mentions = held_out_mentions(model, post.mentions, typed, general)
                known = _knows(model, general, concept)
                as_typed = set() if known else {key for key, c in post.keys if c == concept}
                yield HeldOut(
                    i,
                    concept,
                    frozenset({concept, *as_typed}),
                    post.concepts,
                    model.scores(Post(typed, post.words, mentions, language=post.language)),
                    concept in model.concept_posts,
                )


def owners_out(
    posts: list[Post],
    owners: list[object],
    *,
    related: Mapping[str, Iterable[str]] | None = None,
    regions: frozenset[str] = frozenset(),
    non_visual: frozenset[str] = frozenset(),
) -> Iterator[tuple[CaptionModel, list[int]]]:
    """For each owner (in the order of their first post), a model fitted on everyone
    else's posts, and the indices of their own: the split held_out scores by."""
    for owner in dict.fromkeys(owners):
        model = fit(
            (p for p, o in zip(posts, owners, strict=True) if o != owner),
            related=related,
            regions=regions,
            non_visual=non_visual,
        )
        yield model, [i for i, o in enumerate(owners) if o == owner]


def held_out_mentions(
    model: CaptionModel, mentions: frozenset[Mention], typed: frozenset[str], general: frozenset[str]
) -> frozenset[Mention]:
    """A held-out post's mentions as a model fitted without its owner reads them: a word
    naming a typed hashtag is that hashtag (never a candidate); one naming a concept the
    model never saw, and `general` lacks, is a hashtag of its own (an emoji then names
    nothing)."""
    kept = set()
    for m in mentions:
        if m.concept in typed:
            continue
        if not m.concept or _knows(model, general, m.concept):
            kept.add(m)
        elif m.form != EMOJI:
            kept.add(Mention(m.key, "", m.form, m.listed))
    return frozenset(kept)


def _knows(model: CaptionModel, general: frozenset[str], concept: str) -> bool:
    """Whether a held-out post's reader knows `concept`: other owners used it, or the
    general vocabulary lists it."""
    return concept in model.concept_posts or concept in general


@lru_cache(maxsize=4)
def function_words(language: str) -> frozenset[str]:
    """The keys FUNCTION_WORDS lists for captions in `language`."""
    with FUNCTION_WORDS.open(encoding="utf-8", newline="") as file:
        return frozenset(
            row["key"] for row in csv.DictReader(file, delimiter="\t") if row["language"] == language
        )


def _kind(mention: Mention, ordinary: frozenset[str]) -> str:
    """The mention's kind, an opening word written in lowercase elsewhere being a WORD."""
    kind = mention.kind
    return WORD if kind == OPENING and mention.key in ordinary else kind


def _rate(counts: list[int], prior: float) -> float:
    hits, seen = counts
    if not prior:
        return (hits + 0.5) / (seen + 1.0) if seen else 0.0
    return (hits + RATE_WEIGHT * prior) / (seen + RATE_WEIGHT)


def _tokens(post: Post) -> set[str]:
    return {f"#{c}" for c in post.concepts} | set(post.words)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))
