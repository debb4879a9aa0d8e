"""Reads for hashtag autocomplete: captions as evidence for the caption model, and the
suggestions for what someone is typing (prefix, caption, optionally their photo)."""

import csv
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from socialapp.accounts.models import User
from socialapp.accounts.selectors import Viewer, visible_owner_q
from socialapp.hashtags import canonical
from socialapp.hashtags.models import Concept, ConceptAlias, Hashtag
from socialapp.photos.models import Photo, PhotoHashtag
from socialapp.photos.selectors import concept_post_counts
from tagging.artifacts import version_directory
from tagging.ml.captions import (
    EMOJI,
    FLAGS,
    NAME,
    OPENING,
    PART,
    CaptionModel,
    Mention,
    Post,
    blend,
    function_words,
    with_mentions,
)
from tagging.ml.predictions import Prediction, Suggestion
from tagging.ml.stop_list import STOP_LIST

from .models import DRAFT_ANALYSIS_KEPT, ConceptStat, DraftAnalysis, ModelVersion, PhotoSuggestion

CAPTION_MODEL_FILE = "caption.json"
logger = logging.getLogger(__name__)
MAX_SUGGESTIONS = 20
# A caption is read in the other language when it uses this many more of its function
# words than of its writer's (caption_language).
LANGUAGE_LEAD = 2
_NOT_WORDS = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"[.!?¡¿:;\n]")
_SIDE_BY_SIDE = re.compile(r"\s*[-‐'’]?\s*")
_FLAG = re.compile("[\U0001f1e6-\U0001f1ff]{2}")  # two regional indicators: 🇬🇷 is G R
# Words of emoji names that say how the glyph is drawn, not what it shows.
_GLYPH_WORDS = frozenset({"black", "white", "heavy", "sign", "symbol"})


@dataclass(frozen=True)
class HashtagSuggestion:
    name: str  # the hashtag to insert, without '#'
    concept: str
    score: float
    posts: int  # posts the viewer may see that carry the concept, as its hashtag page counts them


@dataclass(frozen=True)
class CaptionWords:
    """A caption's words (hashtags, @mentions and links aside) as matching keys."""

    # key -> how it was first written: captions.NAME (capitalised inside a sentence),
    # captions.OPENING (capitalised, opening a sentence) or "" (lowercase)
    forms: dict[str, str]
    # two words written side by side (only a space, a hyphen or an apostrophe between)
    # run together ("Tower Bridge" -> towerbridge) -> (key, form) of each of its two words
    pairs: dict[str, tuple[tuple[str, str], tuple[str, str]]]
    # key of a word or pair -> as first written, in lowercase (`Reims` -> reims, key reim)
    written: dict[str, str]
    # capitalised words written side by side with another ("San Diego": san, diego)
    parts: frozenset[str] = frozenset()
    # per emoji, once each in the caption's order: the keys it may name a concept by,
    # the likeliest first (🐠 TROPICAL FISH: tropicalfish, then fish; 🇬🇷: greece)
    emoji: tuple[tuple[str, ...], ...] = ()

    @property
    def keys(self) -> list[str]:
        """Every key the caption's words may name a hashtag by: each word, each pair and
        what each emoji may name."""
        return [*self.forms, *self.pairs, *(key for keys in self.emoji for key in keys)]


def caption_words(caption: str) -> CaptionWords:
    text = _NOT_WORDS.sub("\0", unicodedata.normalize("NFC", caption))
    forms: dict[str, str] = {}
    pairs: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {}
    written: dict[str, str] = {}
    previous: tuple[str, str, str] | None = None  # the last word's key, form and spelling
    parts: set[str] = set()
    end = 0
    for match in _WORD.finditer(text):
        gap = text[end : match.start()]
        opening = not end or bool(_SENTENCE_END.search(gap))
        word = match.group()
        key = canonical.key_for(word)
        form = (OPENING if opening else NAME) if word[0].isupper() else ""
        forms.setdefault(key, form)
        written.setdefault(key, word.lower())
        if previous is not None and _SIDE_BY_SIDE.fullmatch(gap):
            pair = previous[0] + key
            pairs.setdefault(pair, ((previous[0], previous[1]), (key, form)))
            written.setdefault(pair, previous[2] + word.lower())
            if previous[1] and form:
                parts.update((previous[0], key))
        previous, end = (key, form, word.lower()), match.end()
    return CaptionWords(forms, pairs, written, frozenset(parts), emoji_keys(caption))


def emoji_keys(caption: str) -> tuple[tuple[str, ...], ...]:
    """What each emoji of `caption` may name, by its Unicode name (Python's unicodedata):
    the whole name run together, then its last two words and its last word ("tropical
    fish": tropicalfish, fish); "X with Y" names X (BLACK SUN WITH RAYS: sun), words that
    say how the glyph is drawn are left out, and faces name nothing. A flag names its
    country (FLAGS). Once each, in the caption's order."""
    found: dict[tuple[str, ...], None] = {}
    countries = _flags()
    for flag in _FLAG.findall(caption):
        code = "".join(chr(ord("A") + ord(letter) - 0x1F1E6) for letter in flag)
        if code in countries:
            found[(canonical.key_for(countries[code]),)] = None
    for char in _FLAG.sub("", caption):
        if unicodedata.category(char) != "So":
            continue
        words = unicodedata.name(char, "").lower().split()
        if "with" in words:
            words = words[: words.index("with")]
        words = [w for w in words if w not in _GLYPH_WORDS]
        if not words or "face" in words:
            continue
        runs = dict.fromkeys(
            canonical.key_for("".join(words[i:])) for i in (0, len(words) - 2, len(words) - 1)
        )
        found[tuple(key for key in runs if key)] = None
    return tuple(found)


@lru_cache(maxsize=1)
def _flags() -> dict[str, str]:
    """ISO 3166 code -> the country's English name (FLAGS)."""
    with FLAGS.open(encoding="utf-8", newline="") as file:
        return {row["code"]: row["name"] for row in csv.DictReader(file, delimiter="\t")}


def concepts_for_keys(keys: Iterable[str], *, public_only: bool = False) -> dict[str, str]:
    """Hashtag key -> concept name, through the hashtags people used and the alias table.
    `public_only` keeps only hashtags some public post carries (and every alias)."""
    keys = set(keys)
    if not keys:
        return {}
    hashtags = Hashtag.objects.filter(key__in=keys)
    if public_only:
        hashtags = hashtags.filter(_public_use_q("photo_links__")).distinct()
    found = dict(ConceptAlias.objects.filter(key__in=keys).values_list("key", "concept__name"))
    found.update(hashtags.values_list("key", "concept__name"))
    return found


def caption_mentions(
    words: CaptionWords, named: Mapping[str, str], listed: Iterable[str], *, language: str
) -> frozenset[Mention]:
    """The candidate hashtags a caption's words make (see captions.Mention): each word,
    and each pair that `named` (key -> concept: public hashtags and the alias table)
    names or that reads as a name ("Tower Bridge"). `listed`: the keys the alias table
    lists. A word that a caption in `language` (its writer's) uses as something else is
    no mention, whatever it aliases: "sobre" (on, about), or "hay" (there is) in a
    Spanish caption (captions.function_words)."""
    function = function_words(language)
    listed = set(listed) - function
    named = {key: concept for key, concept in named.items() if key not in function}
    mentions = {
        Mention(key, named.get(key, ""), PART if form and key in words.parts else form, key in listed)
        for key, form in words.forms.items()
        if key not in function
    }
    for key, ((first, first_form), (_second, second_form)) in words.pairs.items():
        # A function word opening a sentence is capitalised for that alone: "The Ajanta
        # caves" or "La Torre Eiffel" is no name #theajanta or #latorre; "to Los Angeles"
        # or "in The Hague", capitalised inside a sentence, may be one.
        opening_function_word = first_form == OPENING and first in function
        if key in named or (first_form and second_form == NAME and not opening_function_word):
            mentions.add(Mention(key, named.get(key, ""), NAME, key in listed))
    for keys in words.emoji:  # an emoji names a concept, else nothing
        shown = next((k for k in keys if k in named), None)
        if shown is not None:
            mentions.add(Mention(shown, named[shown], EMOJI))
    return frozenset(mentions)


def caption_post(
    concepts: frozenset[str],
    words: CaptionWords,
    named: Mapping[str, str],
    listed: Iterable[str],
    *,
    language: str,
    keys: frozenset[tuple[str, str]] = frozenset(),
) -> Post:
    """A post of a caption in `language` as evidence: its hashtags' `concepts`, its words
    and the mentions they make (caption_mentions). A word that language uses as something
    other than the alias it is, "hay" in Spanish, is not the English one other posts
    wrote: it is left out. Its other function words ("the", "on") name no hashtag, but
    stay words: beside the rest they say how a post is written, which co-occurrence may
    learn from (dropping them lost 7 of 510 hidden hashtags on the dev posts)."""
    listed = frozenset(listed)
    return Post(
        concepts,
        frozenset(words.forms) - (function_words(language) & listed),
        caption_mentions(words, named, listed, language=language),
        keys,
        language,
    )


def caption_evidence(caption: str, words: CaptionWords, *, language: str) -> Post:
    """What a caption written in `language` (caption_language) says (`words`: its
    caption_words): the concepts of its hashtags, its other words, and the mentions
    those words make."""
    typed = [canonical.key_for(t) for t in canonical.parse(caption)]
    known = concepts_for_keys(typed)
    named = concepts_for_keys(words.keys, public_only=True)
    concepts = frozenset(known.get(key, key) for key in typed)
    return caption_post(concepts, words, named, _listed(words.keys), language=language)


def caption_language(words: CaptionWords, writer: str) -> str:
    """The language a caption is written in: the writer's, unless it uses LANGUAGE_LEAD
    more function words of the other (captions.function_words: "the", "my", "in" / "el",
    "mi", "en"; those both share aside). One is not enough: "hay" and "sea" are Spanish
    function words and English nouns ("Hay bales today"). An English profile writes in
    Spanish too: read as English, "Mi perro en el parque" was a Spanish caption against
    every post, and on the demo, where most Spanish captions are of tools, it was
    offered #tools at 12%."""
    english, spanish = function_words("en"), function_words("es")
    keys = words.forms.keys()
    hits = {"en": len(keys & (english - spanish)), "es": len(keys & (spanish - english))}
    other = max(hits, key=hits.__getitem__)
    return other if hits[other] - hits.get(writer, 0) >= LANGUAGE_LEAD else writer


def photos_evidence(photos: list[Photo]) -> list[Post]:
    """Each photo as evidence: its hashtags' concepts (accepted suggestions included),
    its caption's words and the mentions they make, in the language it is written in
    (caption_language, its owner's where the words do not tell), in a few queries."""
    links = PhotoHashtag.objects.filter(photo__in=photos).values_list("photo_id", "hashtag__concept__name")
    concepts: dict[int, set[str]] = {}
    for photo_id, name in links:
        concepts.setdefault(photo_id, set()).add(name)
    words = {p.pk: caption_words(p.caption) for p in photos}
    keys = {k for w in words.values() for k in w.keys}
    named, listed = concepts_for_keys(keys, public_only=True), _listed(keys)
    return [
        caption_post(
            frozenset(concepts.get(p.pk, ())),
            words[p.pk],
            named,
            listed,
            language=caption_language(words[p.pk], p.owner.language),
        )
        for p in photos
    ]


def suggestions_with_captions(
    predictions: Mapping[int, Prediction], photos: Sequence[Photo], *, excluded: frozenset[str], limit: int
) -> dict[int, Prediction]:
    """Each photo's prediction (by photo id) with what its caption says merged in: a
    concept the caption's words or emoji name ("Mis alicates rojos", 🐶) is suggested
    where the tagger did not see it (the cold start knows no pliers: it said #abrelatas),
    and one it did see is surer. Each is scored by both models as independent evidence
    and placed among the tagger's suggestions by that score, which otherwise keep their
    order (captions.with_mentions); at most `limit` in all.
    Never one the post carries, a non-visual one (the stop list: "Love this view" is no
    #love) or one in `excluded` (selectors.excluded_concepts); a mentioned concept is
    named in the caption's language, and keeps what the photo alone said of it
    (Suggestion.photo_score). Without an active caption model (no version trained yet),
    the predictions as they are. `photos` need their owner loaded; a few queries in all."""
    captioned = [photo for photo in photos if photo.caption.strip() and photo.pk in predictions]
    model = caption_model_active()[0] if captioned else None
    if model is None:
        return dict(predictions)
    merged = dict(predictions)
    for photo_id, ranked in captions_merged(
        model, captioned, {p.pk: predictions[p.pk].hashtags for p in captioned}, excluded=excluded
    ).items():
        merged[photo_id] = replace(predictions[photo_id], hashtags=ranked[:limit])
    return merged


def captions_merged(
    model: CaptionModel,
    photos: Sequence[Photo],
    suggestions: Mapping[int, Sequence[Suggestion]],
    *,
    excluded: frozenset[str],
) -> dict[int, list[Suggestion]]:
    """Photo id -> the tagger's `suggestions` for it with what its caption names merged
    in (see suggestions_with_captions), for the photos whose caption names a concept the
    `model` scores; none cut. Never one the post carries, a non-visual one or one in
    `excluded`. `photos` need their owner loaded."""
    excluded = excluded | STOP_LIST
    said: dict[int, tuple[str, dict[str, float]]] = {}  # photo id -> (its caption's language, scores)
    for photo, post in zip(photos, photos_evidence(list(photos)), strict=True):
        named = {m.concept for m in post.mentions if m.concept} - excluded - post.concepts
        if named:
            scores = model.scores(post, named)
            said[photo.pk] = (post.language, {c: scores[c] for c in named if c in scores})
    displays = {
        name: (english, spanish)
        for name, english, spanish in Concept.objects.filter(
            name__in={c for _language, scores in said.values() for c in scores}
        ).values_list("name", "display_en", "display_es")
    }
    merged = {}
    for photo_id, (language, caption) in said.items():
        caption = {c: score for c, score in caption.items() if c in displays}
        # each of the tagger's as the photo alone says it, where a later caption puts it back
        shown = {
            s.concept: replace(s, photo_score=s.seen, photo_rank=rank)
            for rank, s in enumerate(suggestions[photo_id])
        }
        merged[photo_id] = [
            shown[c]
            if c not in caption
            else Suggestion(
                c,
                displays[c][language == "es"],
                round(score, 4),
                *displays[c],
                photo_score=shown[c].seen if c in shown else 0.0,
                photo_rank=shown[c].photo_rank if c in shown else None,
            )
            for c, score in with_mentions([(s.concept, s.seen) for s in shown.values()], caption)
        ]
    return merged


def _listed(keys: Iterable[str]) -> set[str]:
    """The keys the alias table lists."""
    return set(ConceptAlias.objects.filter(key__in=set(keys)).values_list("key", flat=True))


def caption_model_active() -> tuple[CaptionModel | None, str]:
    """The active version's caption model and the version's name; (None, "") while no
    version is active, and None for a version trained before caption models existed."""
    active = ModelVersion.objects.filter(is_active=True).values_list("name", "folder").first()
    if active is None:
        return None, ""
    return _caption_model(active[1]), active[0]


def caption_model_of(*, version: str) -> CaptionModel | None:
    """The caption model of the version named `version`; None for cold start or a
    version trained before caption models existed."""
    folder = ModelVersion.objects.filter(name=version).values_list("folder", flat=True).first()
    return None if folder is None else _caption_model(folder)


@lru_cache(maxsize=2)
def _caption_model(folder: str) -> CaptionModel | None:
    # A version's files never change once published, so one load per process.
    path = version_directory(folder=folder) / CAPTION_MODEL_FILE
    try:
        return CaptionModel.load(path)
    except FileNotFoundError:
        return None
    except ValueError:
        logger.warning("%s was written by an older version; retrain to use caption suggestions", path)
        return None


def _public_use_q(prefix: str) -> Q:
    return visible_owner_q(viewer=AnonymousUser(), owner_field=f"{prefix}photo__owner") & Q(
        **{f"{prefix}photo__is_hidden": False}
    )


def photo_vision_scores(*, viewer: Viewer, photo_id: int) -> dict[str, float]:
    """What the tagger's current suggestions for one of `viewer`'s own photos say from the
    photo alone (PhotoSuggestion.photo_score: a chip its caption named also carries the
    caption's evidence, which the autocomplete reads from the caption being typed),
    rejected ones left out: like its suggestions, they are its owner's alone. Raises
    Http404 for any other."""
    # Only the version is read (photo_get_owned loads counts and hashtags besides): this
    # runs on every keystroke.
    owner = viewer if isinstance(viewer, User) else None
    owned = Photo.objects.filter(pk=photo_id, owner=owner) if owner else Photo.objects.none()
    version = owned.values_list("tagging_model_version", flat=True).first()
    if version is None:
        raise Http404(_("No such post."))
    rows = (
        PhotoSuggestion.objects.filter(photo_id=photo_id, model_version=version)
        .exclude(state=PhotoSuggestion.State.REJECTED)
        .filter(photo_score__gt=0)  # the caption's evidence is the caller's to add
    )
    return dict(rows.values_list("concept__name", "photo_score"))


def draft_vision_scores(*, viewer: Viewer, analysis_id: int) -> dict[str, float]:
    """What the tagger saw in a photo `viewer` is about to post (a DraftAnalysis of
    theirs): none while it is still being analysed. Raises Http404 for any other, and
    for one expired."""
    owner = viewer if isinstance(viewer, User) else None
    kept = DraftAnalysis.objects.filter(created_at__gte=timezone.now() - DRAFT_ANALYSIS_KEPT)
    found = kept.filter(pk=analysis_id, owner=owner) if owner else DraftAnalysis.objects.none()
    scores = found.values_list("scores", flat=True).first()
    if scores is None:
        raise Http404(_("No such analysis; choose the photo again."))
    return dict(scores)


def hashtag_suggestions(
    *,
    viewer: Viewer,
    language: str,
    prefix: str = "",
    caption: str = "",
    photo_id: int | None = None,
    analysis_id: int | None = None,
    limit: int = 10,
) -> tuple[list[HashtagSuggestion], str]:
    """Hashtags to add to `caption`, strongest first, in `language`: with a prefix, those
    whose hashtag (in either language) starts with it. Never one the caption already
    carries, nor a blocked one. Blended with what the tagger saw in `photo_id`, a post
    of `viewer`'s, or in `analysis_id`, a photo they are about to post. Returns them and
    the caption model's version ("" for none). Raises Http404 for a photo or an analysis
    that is not `viewer`'s own. A caption written in the other language
    (caption_language) is read, and its hashtags named, in that one: an English profile
    writing "Mi perro en el parque" gets #perro."""
    words = caption_words(caption)
    language = caption_language(words, language)
    evidence = caption_evidence(caption, words, language=language)
    model, version = caption_model_active()
    vision = {}
    if photo_id is not None:
        vision = photo_vision_scores(viewer=viewer, photo_id=photo_id)
    elif analysis_id is not None:
        vision = draft_vision_scores(viewer=viewer, analysis_id=analysis_id)
    scores = blend(model.scores(evidence) if model else {}, vision)
    key = canonical.fold(prefix.strip().lstrip("#"))
    uses: dict[str, int] = {}
    if key:
        uses = _prefix_candidates(key)
        for candidate in uses:
            scores.setdefault(candidate, model.base_rate(candidate) if model else 0.0)
        scores = {c: s for c, s in scores.items() if c in uses or c.startswith(key)}
    blocked = _blocked() | evidence.concepts
    order = sorted((c for c in scores if c not in blocked), key=lambda c: (-scores[c], -uses.get(c, 0), c))
    if not key:
        order = order[: limit * 2]  # with a prefix, all of them: ties are broken by the hashtag shown
    concepts = Concept.objects.in_bulk(order, field_name="name")
    # Other spellings only for those whose own names do not complete the prefix (_name)
    unnamed = [c.pk for c in concepts.values() if not _completes(c, key)] if key else []
    spellings = _spellings(unnamed) if unnamed else {}
    as_written = _as_written(evidence, words, key, language)
    # (concept, hashtag, 0: its name in `language` or as written, 1: its name in the other
    # language, 2: another spelling of it)
    named: list[tuple[str, str, int]] = []
    for name in order:
        concept = concepts.get(name)
        if concept is not None and name in as_written:
            named.append((name, as_written[name], 0))
        elif concept is not None:
            named.append((name, *_name(concept, language, key, spellings.get(concept.pk, []))))
        elif name.isalpha():  # a word of the caption, or a place it names: no hashtag yet
            named.append((name, words.written.get(name, name), 0))
    if key:
        # Alike in score and use, a completion reads as a person expects: a concept's name
        # in their language, then in the other (for "#ga" in Spanish, #gallo before #gar,
        # the garfish, whose Spanish name is pejelagarto), then another spelling of it
        # (#chainmail's alias #ringarmor), then the shortest, then alphabetically.
        named.sort(key=lambda n: (-scores[n[0]], -uses.get(n[0], 0), n[2], len(n[1]), n[1]))
    chosen: dict[str, str] = {}  # hashtag -> concept
    for name, hashtag, _own in named:
        chosen.setdefault(hashtag, name)
    chosen = dict(list(chosen.items())[:limit])
    ids = {name: concepts[name].pk for name in chosen.values() if name in concepts}
    counts = concept_post_counts(viewer=viewer, concept_ids=list(ids.values()))
    posts = {name: counts.get(concept_id, 0) for name, concept_id in ids.items()}  # a word: none yet
    suggestions = [
        HashtagSuggestion(hashtag, name, round(scores[name], 4), posts.get(name, 0))
        for hashtag, name in chosen.items()
    ]
    return suggestions, version


def _as_written(evidence: Post, words: CaptionWords, key: str, language: str) -> dict[str, str]:
    """Concept -> how the caption writes it, for the concepts its words name by a spelling
    in `language` that starts with `key`: "the old jetty" offers #jetty, not the concept's
    own name, #breakwater; a Spanish speaker's "castle" still gets #castillo (an emoji's
    is its concept's name)."""
    mentions = [m for m in evidence.mentions if m.concept and m.form != EMOJI and m.key in words.written]
    aliases = ConceptAlias.objects.filter(key__in=[m.key for m in mentions]).values_list("key", "language")
    foreign = {alias for alias, spoken in aliases if spoken and spoken != language}
    written: dict[str, str] = {}
    for mention in sorted(mentions, key=lambda m: m.key):
        spelled = words.written[mention.key]
        if mention.key not in foreign and canonical.fold(spelled).startswith(key):
            written.setdefault(mention.concept, spelled)
    return written


def _prefix_candidates(key: str) -> dict[str, int]:
    """Concepts with a public hashtag, an alias or a display name starting with `key`,
    and how many public posts carry each (a concept only aliases know counts 0)."""
    public_hashtags = Hashtag.objects.filter(_public_use_q("photo_links__"))
    hashtags = public_hashtags.filter(key__startswith=key)
    aliases = ConceptAlias.objects.filter(key__startswith=key)
    displays = Concept.objects.filter(Q(display_en__istartswith=key) | Q(display_es__istartswith=key)).filter(
        Q(aliases__isnull=False) | Q(hashtags__in=public_hashtags)
    )
    names = (
        set(hashtags.values_list("concept__name", flat=True))
        | set(aliases.values_list("concept__name", flat=True))
        | set(displays.values_list("name", flat=True))
    )
    counted = (
        Concept.objects.filter(name__in=names)
        .annotate(uses=Count("hashtags__photo_links", filter=_public_use_q("hashtags__photo_links__")))
        .values_list("name", "uses")
    )
    return dict(counted)


def _spellings(concept_ids: list[int]) -> dict[int, list[str]]:
    """Concept id -> its public hashtags (most used first), then its aliases."""
    spellings: dict[int, list[str]] = {}
    hashtags = (
        Hashtag.objects.filter(concept_id__in=concept_ids)
        .annotate(uses=Count("photo_links", filter=_public_use_q("photo_links__")))
        .filter(uses__gt=0)
        .order_by("-uses", "name")
    )
    for concept_id, name in hashtags.values_list("concept_id", "name"):
        spellings.setdefault(concept_id, []).append(name)
    aliases = ConceptAlias.objects.filter(concept_id__in=concept_ids).order_by("key")
    for concept_id, alias in aliases.values_list("concept_id", "key"):
        spellings.setdefault(concept_id, []).append(alias)
    return spellings


def _completes(concept: Concept, key: str) -> bool:
    """Whether one of the concept's own names (English or Spanish) starts with `key`."""
    return any(canonical.fold(name).startswith(key) for name in (concept.display_en, concept.display_es))


def _name(concept: Concept, language: str, key: str, spellings: list[str]) -> tuple[str, int]:
    """The concept's hashtag in `language`, unless a prefix asks for another spelling, and
    which it is: 0 its name in `language`, 1 in the other language, 2 another spelling."""
    other = "en" if language == "es" else "es"
    for rank, name in enumerate((concept.display(language), concept.display(other), *spellings)):
        if canonical.fold(name).startswith(key):
            return name, min(rank, 2)
    return concept.display(language), 0


def _blocked() -> set[str]:
    blocked = Q(override=ConceptStat.Status.BLOCKED) | Q(override="", status=ConceptStat.Status.BLOCKED)
    return set(ConceptStat.objects.filter(blocked).values_list("concept__name", flat=True))
