"""The caption model on its own: mentions, related concepts, and what it learns of each."""

import json

import pytest

from tagging.caption_suggestions import caption_mentions, caption_post, caption_words
from tagging.ml.captions import (
    EMOJI,
    NAME,
    OPENING,
    PART,
    CaptionModel,
    Mention,
    Post,
    fit,
    held_out,
    held_out_mentions,
    with_mentions,
)


def _post(caption: str, *concepts: str, listed: frozenset[str] = frozenset()) -> Post:
    words = caption_words(caption)
    named = {key: key for key in listed}
    return Post(
        frozenset(concepts), frozenset(words.forms), caption_mentions(words, named, listed, language="en")
    )


def test_caption_forms_tell_names_from_sentence_openings():
    forms = caption_words("Sunset at Egeskov. Castles everywhere, Tower Bridge too! #denmark @anna").forms

    assert forms == {
        "sunset": OPENING,
        "at": "",
        "egeskov": NAME,
        "castle": OPENING,
        "everywhere": "",
        "tower": NAME,
        "bridge": NAME,
        "too": "",
    }


def test_two_words_written_as_a_name_are_one_mention():
    mentions = caption_mentions(caption_words("Tower Bridge after dark"), {}, (), language="en")

    assert Mention("towerbridge", "", NAME) in mentions
    assert not any(m.key == "bridgeafter" for m in mentions)  # not a name, not in the vocabulary


def test_a_function_word_opening_a_sentence_starts_no_name():
    # Capitalised only because it opens the sentence: "The Ajanta caves" offered
    # #theajanta, "La Torre Eiffel" #latorre. Capitalised inside one, it may start a name.
    def keys(caption: str, language: str) -> set[str]:
        return {m.key for m in caption_mentions(caption_words(caption), {}, (), language=language)}

    english = keys("The Ajanta caves carved into the cliff. A weekend in The Hague.", "en")
    spanish = keys("La Torre Eiffel desde el Campo de Marte. Un finde en Los Ángeles.", "es")

    assert "theajanta" not in english and "ajanta" in english
    assert "thehague" in english
    assert "latorre" not in spanish and "torreeiffel" in spanish
    assert "losangeles" in spanish


def test_only_words_written_side_by_side_make_a_pair():
    caption = "Victoria Memorial, Kolkata. White marble at Notre-Dame."
    mentions = caption_mentions(caption_words(caption), {}, (), language="en")
    keys = {m.key for m in mentions}

    assert {"victoriamemorial", "notredame"} <= keys
    assert "memorialkolkata" not in keys and "kolkatawhite" not in keys  # a comma, a full stop


def test_a_word_of_a_longer_name_is_no_name_of_its_own():
    # People write #sandiego or #cabrillo, rarely #san or #diego: a capitalised word next to
    # another is part of a name, a kind that learns its own rate.
    posts = [
        _post(f"A statue in {place} at dawn with {name} looking out", name.lower(), hashtag)
        for name, place, hashtag in (
            ("Cabrillo", "San Diego", "sandiego"),
            ("Columbus", "New York", "newyork"),
            ("Lincoln", "Los Angeles", "losangeles"),
        )
    ]

    mentions = {m.key: m.kind for m in posts[0].mentions}
    scores = fit(posts).scores(_post("A statue in Santa Fe with Juarez looking out"))

    assert (mentions["cabrillo"], mentions["san"], mentions["diego"], mentions["sandiego"]) == (
        NAME,
        PART,
        PART,
        NAME,
    )
    assert scores["juarez"] > 0.6 and scores["santafe"] > 0.6  # names, and the name the two make
    assert scores["santa"] < 0.2 and scores["fe"] < 0.2  # a part of a name


def test_names_people_write_become_hashtags_and_common_words_do_not():
    posts = [
        _post(f"A morning walk in {town} with the dog", town.lower(), "travel")
        for town in ("Avignon", "Reims", "Lyon", "Porto")
    ]

    scores = fit(posts).scores(_post("An evening walk in Kolkata", "travel"))

    assert scores["kolkata"] > 0.6  # a name the model never saw, at the rate names become hashtags
    assert scores.get("walk", 0.0) < 0.2 and scores.get("in", 0.0) < 0.2  # seen four times, never a hashtag
    assert max(scores, key=scores.get) == "kolkata"


def test_a_concept_present_makes_the_general_ones_above_it_likely_at_their_own_rate():
    related = {"plier": ["tool", "object"], "hammer": ["tool", "object"], "wrench": ["tool", "object"]}
    posts = [_post("", "hammer", "tool"), _post("", "wrench", "tool"), _post("", "hammer", "diy")]

    model = fit(posts, related=related)
    scores = model.scores(Post(frozenset({"plier"})))

    assert model.related_targets == {"tool": [2, 3], "object": [0, 3]}
    assert scores["tool"] > 0.5 > scores["object"]  # #tool is often written beside a tool, #object never
    assert scores["tool"] > scores.get("diy", 0.0)


def test_a_region_never_seen_takes_the_rate_regions_have_not_the_rate_of_every_candidate():
    # People hashtag the country of a place they name (#berlin #germany) far more often
    # than its continent or an island it lies on; #sydney -> #australia was never seen.
    related = {
        "berlin": ["germany", "europe"],
        "kolkata": ["india", "asia"],
        "sydney": ["newsouthwales", "australia"],
        "plier": ["tool", "object"],
    }
    posts = [_post("", "berlin", "germany"), _post("", "kolkata", "india"), _post("", "berlin", "germany")]
    posts += [_post("", "plier") for _ in range(3)]
    regions = frozenset({"germany", "india", "australia", "newsouthwales"})

    model = fit(posts, related=related, regions=regions)
    scores = model.scores(Post(frozenset({"sydney"})))
    alike = fit(posts, related=related).scores(Post(frozenset({"sydney"})))

    assert model.related_kinds == {"region": [3, 3], "other": [0, 9]}
    assert model.regions == ["australia", "germany", "india", "newsouthwales"]
    assert scores["australia"] > 0.7  # a region, as germany and india were each time
    assert alike["australia"] < 0.4  # pooled with europe, asia, tool and object: rarely


def test_a_model_saved_before_regions_pools_every_candidate(tmp_path):
    related = {"berlin": ["germany", "europe"], "sydney": ["australia"]}
    posts = [_post("", "berlin", "germany"), _post("", "berlin")]
    path = tmp_path / "caption.json"
    fit(posts, related=related, regions=frozenset({"germany", "australia"})).save(path)
    saved = json.loads(path.read_text())
    del saved["regions"], saved["related_kinds"]  # as versions trained before them wrote it
    path.write_text(json.dumps(saved))

    old = CaptionModel.load(path)

    assert old.related_rate("australia") == fit(posts, related=related).related_rate("australia") == 0.3


def test_a_concept_already_typed_is_never_scored():
    castles = [_post("Castle walls", "castle", "medieval", listed=frozenset({"castle"}))] * 3
    model = fit([*castles, _post("Lunch", "food"), _post("Dinner", "food")])

    scores = model.scores(_post("Castle at dawn #castle", "castle", listed=frozenset({"castle"})))

    assert "castle" not in scores and scores["medieval"] > 0.5


def test_a_known_concept_the_post_says_nothing_of_is_not_scored_however_common():
    # Eight diving posts and two of castles: a castle caption says nothing of the sea, so
    # #underwater, on most posts, is no suggestion; #medieval, written beside castles, is.
    diving = [_post("Down at the reef", "underwater", "fish")] * 8
    castles = [_post("Castle walls", "castle", "medieval")] * 2
    model = fit([*diving, *castles])

    scores = model.scores(_post("Castle walls at dawn", "castle"))

    assert "medieval" in scores and not {"underwater", "fish"} & scores.keys()
    assert model.base_rate("underwater") > model.base_rate("medieval")


def test_a_concept_seen_beside_what_was_typed_on_one_post_only_is_no_suggestion():
    # #mountain was written beside #lake on two posts, and once beside #china (a trip):
    # one post is an anecdote, however much it lifts a rare concept's odds.
    posts = [
        _post("Morning", "mountain", "lake"),
        _post("Evening", "mountain", "lake"),
        _post("Trip", "mountain", "china"),
        *[_post("Lunch", "food")] * 8,
    ]
    model = fit(posts)

    scores = model.scores(_post("Up early", "mountain"))

    assert "lake" in scores and "china" not in scores


def test_a_non_visual_hashtag_follows_the_writers_habits_not_the_subject(tmp_path):
    # #tbt was only ever written beside dives, #photooftheday beside #instagood: a habit
    # of whoever wrote them, not a fact about the sea. A castle caption gets #tbt at the
    # rate a dive caption does, and typing #instagood makes #photooftheday likelier.
    diving = [_post("Down at the reef", "underwater", "tbt")] * 4
    castles = [_post("Castle walls", "castle")] * 4
    habits = [_post("Sunny day", "instagood", "photooftheday")] * 2 + [_post("Lunch", "food")] * 2
    non_visual = frozenset({"tbt", "instagood", "photooftheday"})
    model = fit([*diving, *castles, *habits], non_visual=non_visual)

    on_castle = model.scores(_post("Castle walls at dawn", "castle"))
    on_reef = model.scores(_post("Down at the reef", "underwater"))
    with_instagood = model.scores(_post("Castle walls at dawn", "castle", "instagood"))

    assert on_castle["tbt"] == on_reef["tbt"] == model.scores(_post("Anything"))["tbt"]
    assert with_instagood["photooftheday"] > on_castle["photooftheday"]
    model.save(tmp_path / "caption.json")  # what is non-visual is saved with the model
    loaded = CaptionModel.load(tmp_path / "caption.json")
    assert loaded.scores(_post("Castle walls at dawn", "castle")) == on_castle


def test_a_model_survives_saving_and_loading(tmp_path):
    model = fit([_post("Walk in Avignon", "avignon", "france")], related={"avignon": ["france"]})
    model.save(tmp_path / "caption.json")

    assert CaptionModel.load(tmp_path / "caption.json") == model


def test_a_function_word_names_no_concept_even_where_it_is_an_alias():
    named = {"sobre": "envelope", "lago": "lake"}  # "sobre" is Spanish for envelope, and for "on"
    mentions = caption_mentions(caption_words("Niebla azul sobre el lago"), named, set(named), language="es")

    assert Mention("lago", "lake", "", listed=True) in mentions
    assert not any(m.key == "sobre" for m in mentions)  # not a hashtag of its own either
    assert not any(m.target == "envelope" for m in mentions)


def test_a_word_a_caption_of_its_language_uses_as_something_else_names_no_concept():
    # English #hay is Spanish "there is"; "te" (the key of "té", tea) is "you"; "sea", a
    # form of "ser"; "red" a net. In an English caption the sea is the sea and red red, and
    # "taller" is no Spanish taller (workshop).
    named = {"hay": "hay", "te": "tea", "sea": "sea", "niebla": "fog", "red": "red", "taller": "workshop"}
    spanish = caption_mentions(
        caption_words("Hoy hay niebla, te espero aunque sea tarde con la red"),
        named,
        set(named),
        language="es",
    )
    english = caption_mentions(
        caption_words("Red hay bales by the sea, taller than me"), named, set(named), language="en"
    )

    assert {m.target for m in spanish} & {"hay", "tea", "te", "sea", "red", "fog"} == {"fog"}
    assert {m.concept for m in english} & {"hay", "sea", "red", "workshop"} == {"hay", "sea", "red"}


def test_held_out_a_word_naming_a_typed_hashtag_is_no_candidate():
    # "amanecer" beside #amanecer: no other owner used #sunrise, so the word would be
    # read as a hashtag of its own, and suggested next to the one the post carries.
    model = fit([_post("Lake at dawn", "lake")])
    mentions = frozenset({Mention("amanecer", "sunrise", listed=True), Mention("kolkata", "kolkata")})

    kept = held_out_mentions(model, mentions, frozenset({"sunrise", "lake"}), general=frozenset())

    assert kept == {Mention("kolkata")}  # a concept nobody used yet: the word itself


def test_an_opening_word_written_in_lowercase_elsewhere_is_an_ordinary_word():
    # Opening words were names here (they became hashtags); "little" is also written in
    # lowercase, where it never became one: opening a caption, it is an ordinary word.
    model = fit(
        [
            _post("Egeskov at dawn", "egeskov"),
            _post("Konark at noon", "konark"),
            _post("Ajanta by night", "ajanta"),
            _post("A little bird", "bird"),
            _post("The little boat", "boat"),
        ]
    )

    scores = model.scores(_post("Little weir. Rocamadour too"))

    assert scores["rocamadour"] > 0.5  # an opening word never written in lowercase: a name
    assert scores["little"] < 0.2, scores["little"]  # read as a plain word (none became hashtags)


def test_held_out_a_hashtag_nobody_else_used_is_matched_as_typed():
    # #pliers is the concept "plier" in the table; with no other owner using it and no
    # general vocabulary listing it, the caption's "pliers" is suggested as #pliers:
    # exactly the hashtag the owner typed, so it counts as found.
    pliers = Post(
        frozenset({"plier", "red"}),
        frozenset({"classic", "red", "pliers"}),
        frozenset({Mention("pliers", "plier", listed=True), Mention("red", "red", listed=True)}),
        frozenset({("pliers", "plier"), ("red", "red")}),
    )
    other = Post(
        frozenset({"red", "tool"}), frozenset({"red"}), frozenset({Mention("red", "red", listed=True)})
    )

    cases = list(held_out([pliers, other], ["ana", "ben"]))

    # Hidden on ana's post: plier (found as typed, #pliers, after #tool) and red (the
    # word "red"); on ben's: red (found by the word) and tool (only plier is left to
    # suggest there: a miss).
    found = {(case.index, case.concept): case.found(case.scores, 2) for case in cases}
    assert found == {(0, "plier"): True, (0, "red"): True, (1, "red"): True, (1, "tool"): False}
    assert cases[[c.concept for c in cases].index("plier")].answers == {"plier", "pliers"}


def test_an_emoji_names_what_it_shows_and_a_flag_its_country():
    words = caption_words("Windmill at the harbour 🇬🇷 🐠🐠 ☀️ 😂")

    # By their Unicode names: TROPICAL FISH (the whole, then its head noun), BLACK SUN
    # WITH RAYS (the sun); a face names nothing; a flag, its country.
    assert words.emoji == (("greece",), ("tropicalfish", "fish"), ("sun",))
    named = {"greece": "greece", "fish": "fish", "sun": "sun"}
    mentions = caption_mentions(words, named, set(named), language="en")
    assert {m for m in mentions if m.form == EMOJI} == {
        Mention("greece", "greece", EMOJI),
        Mention("fish", "fish", EMOJI),
        Mention("sun", "sun", EMOJI),
    }


def _written(caption: str, language: str, *concepts: str) -> Post:
    return caption_post(frozenset(concepts), caption_words(caption), {}, (), language=language)


def _mostly_english() -> list[Post]:
    """Few captions are Spanish, and three of them are of tools, all with "mi", "en" and "el"."""
    spanish = [
        _written("Mi martillo en el taller", "es", "tool", "hammer"),
        _written("Mi llave inglesa en el garaje", "es", "tool", "wrench"),
        _written("Mi destornillador en el banco", "es", "tool", "screwdriver"),
        _written("Atardecer en la playa", "es", "sea", "sunset"),
        _written("La catedral de noche", "es", "architecture"),
        _written("Un gato dormido", "es", "cat"),
    ]
    english = [
        _written(f"My {walk} in the {place}", "en", "nature")
        for walk in ("walk", "run", "ride")
        for place in ("woods", "hills", "park", "rain")
    ]
    english += [_written("Dinner with friends", "en", "food")] * 6
    return [*spanish, *english, _written("My hammer on the bench", "en", "tool", "hammer")]


def test_the_words_of_a_language_say_which_language_not_what_the_photo_shows():
    # Read as evidence against every post, words that mostly say the caption is Spanish
    # offered #herramientas under "Mi perro en el parque" (the demo did, at 12%). Against
    # the other Spanish captions they say little.
    model = fit(_mostly_english())

    dog = model.scores(_written("Mi perro en el parque", "es", "dog"))
    hammer = model.scores(_written("Mi martillo nuevo", "es", "hammer"))

    assert "tool" not in dog
    assert "tool" in hammer  # the word that names what the photo shows still counts


def test_a_model_saved_before_languages_reads_every_word_against_every_post(tmp_path):
    path = tmp_path / "caption.json"
    fit(_mostly_english()).save(path)
    saved = json.loads(path.read_text())
    del saved["language_posts"], saved["language_concepts"]  # as versions trained before them wrote it
    path.write_text(json.dumps(saved))
    unwritten = [Post(p.concepts, p.words, p.mentions) for p in _mostly_english()]  # no language
    dog = _written("Mi perro en el parque", "es", "dog")

    old = CaptionModel.load(path)

    assert old.scores(dog) == fit(unwritten).scores(dog)
    assert "tool" in old.scores(dog)


def test_scoring_only_some_concepts_gives_each_the_score_it_has_among_all():
    related = {"pliers": ["tool"], "hammer": ["tool"]}
    posts = [
        _post("Red pliers on the bench", "pliers", "tool", "red", listed=frozenset({"pliers", "red"})),
        _post("My hammer", "hammer", "tool", "diy", listed=frozenset({"hammer"})),
        _post("The bench again", "diy", "red"),
    ]
    model = fit(posts, related=related)
    post = _post("New pliers, red and shiny", listed=frozenset({"pliers", "red"}))

    every = model.scores(post)
    some = model.scores(post, ["pliers", "red", "nothing"])

    assert {"pliers", "red", "tool"} <= every.keys()  # mentioned, and related to one mentioned
    assert some == {c: every[c] for c in ("pliers", "red")}


def test_what_a_caption_names_joins_the_suggestions_by_its_score_and_theirs_keep_their_order():
    # The tagger's order: #architecture, a general concept, after the #bridge it covers.
    shown = [("bridge", 0.6), ("architecture", 0.7), ("pier", 0.3)]

    merged = with_mentions(shown, {"rain": 0.5, "pier": 0.4})
    sure = with_mentions(shown, {"rain": 0.9})

    # #pier, named and seen: 1 - (1 - 0.4)(1 - 0.3) = 0.58, after what is surer.
    assert merged == [("bridge", 0.6), ("architecture", 0.7), ("pier", pytest.approx(0.58)), ("rain", 0.5)]
    assert sure == [("rain", 0.9), ("bridge", 0.6), ("architecture", 0.7), ("pier", 0.3)]
    assert with_mentions(shown, {}) == shown
