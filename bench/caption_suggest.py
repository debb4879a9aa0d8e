"""Caption-aware hashtag suggestions, scored on the dev posts: leave one hashtag out,
split by owner (owners as `seed_demo` gives them), hit@5 of the hidden hashtag.

    python bench/caption_suggest.py [--posts posts.csv --images DIR] [--vision]

Concepts come from the alias table as the app maps them. A caption word names a concept
only if other owners used it or the cold-start vocabulary (WordNet, not drawn from these
posts) has it, and only the general table counts as listed, so the demo-fitted part of
the alias table earns nothing: a demo place name in a caption is a mention of the word
itself. --vision blends the cold-start tagger's suggestions for each photo, as stored
(what a post's `photo=` adds), --vision-from a learned version's. Beside each blend it
reports the tagger's suggestions alone, how often either model alone has the hidden
hashtag in its top 5 (what a blend of the two can hope to find) and how often either
offers it at all (what any ranking of their candidates can hope to find), and, for the
caption model, how often it does not offer the hidden hashtag at all (caption_unreachable).
With a tagger's suggestions it also scores the chips a captioned post is shown
(chips_<name>, see _chips), and each model at a post's first "#", after its caption's
words or with none (first_hashtag_*, see _first_hashtag). Writes
bench/results/caption_suggest.json."""

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.test")

import django  # noqa: E402

django.setup()

from socialapp.demo import seeding  # noqa: E402
from socialapp.hashtags import canonical  # noqa: E402
from socialapp.hashtags.starter import starter_concepts  # noqa: E402
from tagging.caption_suggestions import caption_language, caption_post, caption_words  # noqa: E402
from tagging.ml.captions import HeldOut, Post, blend, held_out, held_out_mentions, owners_out, with_mentions  # noqa: E402
from tagging.ml.coldstart import load_concepts  # noqa: E402
from tagging.ml.coldstart_data import regions, related_concepts  # noqa: E402
from tagging.ml.inference import cold_start_tagger  # noqa: E402
from tagging.ml.stop_list import STOP_LIST  # noqa: E402
from tagging.templatetags.suggestions import chips_split  # noqa: E402

DEMO = ROOT / "socialapp" / "demo" / "data"


class Chip(NamedTuple):
    """A chip as chips_split reads it."""

    concept: str
    score: float


def _posts(rows: list[dict[str, str]], languages: list[str]) -> list[Post]:
    # As the app maps them after seed_demo: the general table and the demo's place names.
    general = starter_concepts()
    alias = {key: c.name for c in [*general, *starter_concepts(DEMO / "concepts.csv")] for key in c.aliases}
    listed = {key for c in general for key in c.aliases}  # the demo's own table is not vocabulary
    posts = []
    for row, language in zip(rows, languages, strict=True):
        words = caption_words(row["caption"])
        named = {k: alias[k] for k in words.keys if k in alias}
        typed = [canonical.key_for(t) for t in canonical.parse(row["caption"])]
        posts.append(
            caption_post(
                frozenset(alias.get(k, k) for k in typed),
                words,
                named,
                listed,
                language=caption_language(words, language),  # as the app reads it
                keys=frozenset((k, alias.get(k, k)) for k in typed),
            )
        )
    return posts


def _owners(rows: list[dict[str, str]]) -> list[str]:
    class Person:  # what seed_demo's owner rule reads of a user
        def __init__(self, demo: seeding.DemoUser) -> None:
            self.username, self.language = demo.username, demo.language

    people = {u.username: Person(u) for u in seeding.USERS}
    return [seeding._owner_for(row, i, people).username for i, row in enumerate(rows)]  # type: ignore[arg-type]


def _vision(rows: list[dict[str, str]], images: Path) -> list[dict[str, float]]:
    """The cold-start tagger's suggestions for each photo, as the app stores them and
    `photo=` blends them (calibrated and ranked, the strongest TAGGING_MAX_SUGGESTIONS)."""
    tagger = cold_start_tagger()
    paths = [images / row["filename"] for row in rows]
    scores = []
    for start in range(0, len(paths), 16):
        for prediction in tagger.predict(paths[start : start + 16]):
            scores.append({s.concept: s.score for s in prediction.hashtags})
    return scores


def _hit_at_5(cases: list[HeldOut], scores: Callable[[HeldOut], dict[str, float]]) -> dict[str, float]:
    """How often `scores` of each case rank its hidden hashtag in their top 5."""
    hits = sum(case.found(scores(case), 5) for case in cases)
    return {"hidden": len(cases), "hit@5": round(hits / len(cases), 4)}


def _chips(
    posts: list[Post],
    owners: list[str],
    vision: list[dict[str, float]],
    *,
    general: frozenset[str],
    related: dict[str, list[str]],
    regions: frozenset[str],
) -> dict[str, object]:
    """The chips a captioned post is shown: the tagger's suggestions (as served) with the
    concepts its caption's words name merged in (captions.with_mentions, as
    suggestions_with_captions stores them), the caption model fitted without the post's
    owner and the post's own hashtags taken out of its caption. P@5 (over 5) and hit@1
    against those hashtags, beside the tagger's suggestions alone, and how many of the
    concepts the words name are among them (what a caption adds that people accept)."""
    found: dict[str, list[float]] = {"tagger": [], "with_caption": []}
    first: dict[str, list[bool]] = {"tagger": [], "with_caption": []}
    at_first = {"tagger": [0, 0], "with_caption": [0, 0]}  # [right, chips] the page shows at first
    named = right = 0
    for model, own in owners_out(posts, owners, related=related, regions=regions, non_visual=STOP_LIST):
        for i in own:
            post = posts[i]
            if not post.concepts:
                continue
            mentions = held_out_mentions(model, post.mentions, frozenset(), general)
            concepts = {m.concept for m in mentions if m.concept} - STOP_LIST
            said = model.scores(Post(frozenset(), post.words, mentions, language=post.language), concepts)
            named += len(said)
            right += len(said.keys() & post.concepts)
            shown = list(vision[i].items())  # in the order served
            for name, chips in (("tagger", shown), ("with_caption", with_mentions(shown, said))):
                top = [c for c, _score in chips[:5]]
                found[name].append(sum(c in post.concepts for c in top) / 5)
                first[name].append(bool(top) and top[0] in post.concepts)
                # as the post page shows them, on the chips' scores as stored
                shown_first, _more = chips_split([Chip(concept, score) for concept, score in chips])
                at_first[name][0] += sum(chip.concept in post.concepts for chip in shown_first)
                at_first[name][1] += len(shown_first)
    return {
        "posts": len(found["tagger"]),
        **{f"{name}_p@5": round(sum(v) / len(v), 4) for name, v in found.items()},
        **{f"{name}_hit@1": round(sum(v) / len(v), 4) for name, v in first.items()},
        "caption_named": named,
        "caption_named_among_hashtags": right,
        **{f"{name}_shown_at_first": counts for name, counts in at_first.items()},
    }


def _first_hashtag(
    posts: list[Post],
    owners: list[str],
    vision: list[dict[str, float]] | None,
    *,
    general: frozenset[str],
    related: dict[str, list[str]],
    regions: frozenset[str],
    words: bool = True,
) -> dict[str, object]:
    """The autocomplete at a post's first "#": its caption's words typed (none when not
    `words`: a post of hashtags alone), none of its hashtags yet, the caption model fitted
    without the post's owner, blended with the photo's tagger scores where `vision` is
    given (what the new-post form's analysis= adds). hit@5: one of the post's hashtags in
    the top 5; P@5: how many of the 5 are (over 5)."""
    hits: list[bool] = []
    found: list[float] = []
    for model, own in owners_out(posts, owners, related=related, regions=regions, non_visual=STOP_LIST):
        for i in own:
            post = posts[i]
            if not post.concepts:
                continue
            mentions = held_out_mentions(model, post.mentions, frozenset(), general) if words else frozenset()
            typed = Post(frozenset(), post.words if words else frozenset(), mentions, language=post.language)
            scores = model.scores(typed)
            if vision is not None:
                scores = blend(scores, vision[i])
            top = sorted(scores, key=lambda c: (-scores[c], c))[:5]
            right = {c for c in top if c in post.concepts or c in {k for k, _c in post.keys}}
            hits.append(bool(right))
            found.append(len(right) / 5)
    return {
        "posts": len(hits),
        "hit@5": round(sum(hits) / len(hits), 4),
        "p@5": round(sum(found) / len(found), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=Path, default=DEMO / "posts.csv")
    parser.add_argument("--images", type=Path, default=DEMO / "photos")
    parser.add_argument("--vision", action="store_true", help="blend cold-start scores of each photo")
    parser.add_argument(
        "--vision-from",
        type=Path,
        help="blend these scores instead ({filename: {concept: score}}, as bench/tagger_quality.py "
        "--vision-out writes them: each photo scored by a version trained without its owner)",
    )
    args = parser.parse_args()
    with args.posts.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    owners = _owners(rows)
    language = {user.username: user.language for user in seeding.USERS}
    posts = _posts(rows, [language[owner] for owner in owners])
    general, related, regions_ = frozenset(load_concepts()), related_concepts(), regions()
    cases = list(
        held_out(
            posts,
            owners,
            general=general,
            related=related,
            regions=regions_,
            non_visual=STOP_LIST,  # the app's vocabulary adds those a training finds non-visual
        )
    )
    results: dict[str, object] = {
        "posts": len(posts),
        "caption_only": _hit_at_5(cases, lambda case: case.scores),
        # hidden hashtags the caption model does not offer: no other owner wrote them, no
        # vocabulary lists them, and the caption does not name them (or only as a word
        # rarely a hashtag, under captions.MIN_SCORE)
        "caption_unreachable": round(
            sum(not c.seen and not (c.answers & c.scores.keys()) for c in cases) / len(cases), 4
        ),
        "target_hit@5": 0.6,
    }
    # The new-post form at its first "#", before the photo was analysed: the caption's
    # words alone, and for a post of hashtags alone nothing but the platform's habits.
    results["first_hashtag_caption_only"] = _first_hashtag(
        posts, owners, None, general=general, related=related, regions=regions_
    )
    results["first_hashtag_no_words_caption_only"] = _first_hashtag(
        posts, owners, None, general=general, related=related, regions=regions_, words=False
    )
    visions = {}
    if args.vision:
        visions["vision"] = _vision(rows, args.images)
    if args.vision_from:
        learned = json.loads(args.vision_from.read_text())
        visions["learned_vision"] = [learned[row["filename"]] for row in rows]
    for name, vision in visions.items():
        results[f"caption_and_{name}"] = _hit_at_5(cases, lambda c, v=vision: blend(c.scores, v[c.index]))
        results[f"{name}_only"] = _hit_at_5(cases, lambda c, v=vision: v[c.index])
        # the bound of any blend of the two: found in the top 5 of either model
        either = sum(c.found(c.scores, 5) or c.found(vision[c.index], 5) for c in cases)
        results[f"caption_or_{name}_top5"] = round(either / len(cases), 4)
        # the bound of any ranking of what the two offer: either scores the hidden hashtag at all
        offered = sum(bool(c.answers & {*c.scores, *vision[c.index]}) for c in cases)
        results[f"caption_or_{name}_offered"] = round(offered / len(cases), 4)
        results[f"first_hashtag_caption_and_{name}"] = _first_hashtag(
            posts, owners, vision, general=general, related=related, regions=regions_
        )
        results[f"first_hashtag_no_words_caption_and_{name}"] = _first_hashtag(
            posts, owners, vision, general=general, related=related, regions=regions_, words=False
        )
        results[f"chips_{name}"] = _chips(
            posts, owners, vision, general=general, related=related, regions=regions_
        )
    out = ROOT / "bench" / "results" / "caption_suggest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
