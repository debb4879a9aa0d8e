import json

import pytest
from rest_framework.test import APIClient

from socialapp.accounts.models import Follow
from socialapp.accounts.services import user_update_profile
from socialapp.hashtags.models import Concept, ConceptAlias
from socialapp.photos.models import Photo
from tagging import caption_suggestions, selectors
from tagging.models import ConceptStat, ModelVersion
from tagging.services.caption_model import caption_model_build
from tests.factories import UserFactory, client_for, make_photo, suggestion_stored

pytestmark = pytest.mark.django_db

URL = "/api/hashtags/suggest/"


def _scores(client: APIClient, caption: str) -> dict[str, float]:
    """The hashtags suggested for `caption`, with their scores."""
    return {h["name"]: h["score"] for h in client.get(URL, {"caption": caption}).json()["hashtags"]}


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [h["name"] for h in response.json()["hashtags"]]


def test_prefix_completes_in_the_persons_language_through_aliases():
    make_photo(UserFactory(), caption="Morning walk #dogs #doggo")

    spanish = client_for(UserFactory(language="es"))
    english = client_for(UserFactory(language="en"))

    assert _names(spanish.get(URL, {"q": "#pe"}))[:1] == ["perro"]  # alias of dog, shown in Spanish
    assert _names(english.get(URL, {"q": "do"}))[:1] == ["dog"]
    assert _names(english.get(URL, {"q": "perr"}))[:1] == ["perro"]  # completes what was typed
    first = english.get(URL, {"q": "perr"}).json()["hashtags"][0]
    assert first["concept"] == "dog" and 0 <= first["score"] <= 1


def test_completions_alike_in_score_and_use_read_in_order_own_names_first_then_shortest():
    # Nobody has used these and no caption model knows them: before, they came in the
    # order of their concepts' internal names, which a person never sees ("#ri" gave
    # #ringbinder #ringarmor #riverhorse #ringtailedlemur #rickshaw #rifle).
    for name, display, alias in [
        ("aqzxother", "other", "qzxring"),  # matched only by an alias: its spelling is shown
        ("bqzxlong", "qzxlongname", "qzxlongname"),
        ("cqzx", "qzxs", "qzxs"),
        ("dqzx", "qzxt", "qzxt"),
    ]:
        concept = Concept.objects.create(name=name, display_en=display, display_es=display)
        ConceptAlias.objects.create(concept=concept, key=alias)

    names = _names(client_for(UserFactory()).get(URL, {"q": "#qzx"}))

    assert names == ["qzxs", "qzxt", "qzxlongname", "qzxring"]


def test_completions_alike_in_score_and_use_come_in_the_persons_language_first():
    # "#ga" typed in Spanish listed #gar (the garfish's English name, which completes the
    # prefix as its Spanish one, pejelagarto, does not) before #gallo and #ganso.
    for name, english, spanish in [("qzxgar", "qzxgar", "pejeqzx"), ("qzxcock", "qzxrooster", "qzxgallo")]:
        concept = Concept.objects.create(name=name, display_en=english, display_es=spanish)
        for key in {english, spanish}:
            ConceptAlias.objects.get_or_create(concept=concept, key=key)

    spanish_names = _names(client_for(UserFactory(language="es")).get(URL, {"q": "#qzxga"}))
    english_names = _names(client_for(UserFactory(language="en")).get(URL, {"q": "#qzxga"}))

    assert spanish_names == ["qzxgallo", "qzxgar"]
    assert english_names == ["qzxgar", "qzxgallo"]


def test_each_hashtag_says_how_many_posts_you_may_see_carry_it_as_its_page_does():
    make_photo(UserFactory(), caption="#beach")
    make_photo(UserFactory(), caption="Low tide #beaches")  # the same concept
    private = UserFactory()
    user_update_profile(user=private, is_private=True)
    make_photo(private, caption="#beach")
    follower = UserFactory()
    Follow.objects.create(follower=follower, followee=private, status=Follow.Status.ACCEPTED)

    def posts(client: APIClient) -> dict[str, int]:
        response = client.get(URL, {"q": "bea"})
        assert response.status_code == 200, response.json()
        return {h["name"]: h["posts"] for h in response.json()["hashtags"]}

    assert posts(client_for(UserFactory()))["beach"] == 2
    assert posts(client_for(follower))["beach"] == 3  # the hashtag page shows them 3
    assert posts(APIClient())["beach"] == 2
    assert posts(client_for(UserFactory()))["beagle"] == 0  # the vocabulary's: no post yet


def test_visitors_get_the_browsers_language():
    response = APIClient().get(URL, {"q": "castil"}, HTTP_ACCEPT_LANGUAGE="es")

    assert _names(response)[:1] == ["castillo"]


def test_private_and_hidden_hashtags_are_never_completed():
    private = UserFactory()
    user_update_profile(user=private, is_private=True)
    make_photo(private, caption="#secretgarden")
    hidden = make_photo(UserFactory(), caption="#secretbeach")
    hidden.is_hidden = True
    hidden.save()

    for client in (APIClient(), client_for(UserFactory())):
        assert _names(client.get(URL, {"q": "secret"})) == []


def test_never_suggests_a_hashtag_already_in_the_caption():
    make_photo(UserFactory(), caption="#beach #beachlife")
    client = client_for(UserFactory())

    names = _names(client.get(URL, {"q": "bea", "caption": "Sunny day #Beaches"}))

    assert "beach" not in names and "beachlife" in names


def test_blocked_concepts_are_never_suggested():
    make_photo(UserFactory(), caption="#beach #beachlife")
    ConceptStat.objects.create(concept=Concept.objects.get(name="beachlife"), override="blocked")

    names = _names(client_for(UserFactory()).get(URL, {"q": "bea"}))

    assert names[0] == "beach" and "beachlife" not in names


def test_photo_scores_come_from_its_suggestions_and_never_a_rejected_one():
    owner = UserFactory()
    photo = make_photo(owner, caption="Garden visitor")
    photo.tagging_model_version = "v1"
    photo.save()
    for rank, (name, state) in enumerate([("bee", "open"), ("beach", "rejected"), ("flower", "accepted")]):
        suggestion_stored(
            photo, Concept.objects.get(name=name), score=0.9 - rank / 10, rank=rank, state=state
        )

    response = client_for(owner).get(URL, {"photo": photo.pk, "caption": "Garden visitor"})

    assert response.json()["hashtags"] == [
        {"name": "bee", "concept": "bee", "score": 0.9, "posts": 0},
        {"name": "flower", "concept": "flower", "score": 0.7, "posts": 0},  # suggested, never written
    ]


def test_a_photo_the_viewer_may_not_see_is_not_found():
    private = UserFactory()
    user_update_profile(user=private, is_private=True)
    photo = make_photo(private)

    response = client_for(UserFactory()).get(URL, {"photo": photo.pk})

    assert response.status_code == 404
    assert response.json() == {"detail": "No such post."}


def test_a_photos_tagger_scores_are_its_owners_alone():
    # The suggestions API and the chips show them to the owner only; photo= read them for
    # anyone who could see the post.
    owner = UserFactory()
    photo = make_photo(owner, caption="Garden visitor")
    Photo.objects.filter(pk=photo.pk).update(tagging_model_version="v1")
    bee = Concept.objects.get(name="bee")
    suggestion_stored(photo, bee)

    for client in (client_for(UserFactory()), APIClient()):
        response = client.get(URL, {"photo": photo.pk, "caption": "Garden visitor"})
        assert response.status_code == 404
        assert response.json() == {"detail": "No such post."}
    assert _names(client_for(owner).get(URL, {"photo": photo.pk, "caption": "Garden visitor"})) == ["bee"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"photo": "abc"}, "photo: A valid integer is required."),
        ({"photo": "0"}, "photo: Ensure this value is greater than or equal to 1."),
        ({"q": "x" * 101}, "q: Ensure this field has no more than 100 characters."),
        ({"limit": "21"}, "limit: Ensure this value is less than or equal to 20."),
    ],
)
def test_bad_parameters_answer_400_saying_what_to_fix(params, detail):
    response = client_for(UserFactory()).get(URL, params)

    assert response.status_code == 400
    assert response.json()["detail"] == detail


def _active_version_with_caption_model(tmp_path, settings):
    settings.MODELS_DIR = tmp_path
    caption_suggestions._caption_model.cache_clear()  # loaded once per folder name and process
    model = caption_model_build(directory=tmp_path / "versions" / "v1-test")
    ModelVersion.objects.create(name="v1", backbone="b", folder="versions/v1-test", is_active=True)
    return model


def test_the_caption_model_learns_only_from_consenting_public_posts(tmp_path, settings):
    public = UserFactory(training_consent=True)
    for day in range(3):
        make_photo(public, caption=f"Day {day} on the old castle walls #castle #medieval")
    private = UserFactory(training_consent=True)
    user_update_profile(user=private, is_private=True)
    make_photo(private, caption="#castle #secretcove")
    make_photo(UserFactory(training_consent=False), caption="#castle #surf")

    model = _active_version_with_caption_model(tmp_path, settings)

    assert model.posts == 3
    assert model.concept_posts == {"castle": 3, "medieval": 3}
    assert model.mention_targets["named:castle"] == [3, 3]  # "castle" in the caption, and as hashtag
    assert not {"secretcove", "surf"} & {t.split(":")[1] for t in model.mention_targets}


def test_suggestions_follow_the_caption_and_never_repeat_it(tmp_path, settings):
    author = UserFactory(training_consent=True)
    for day in range(3):
        make_photo(author, caption=f"Day {day} on the old castle walls #castle #medieval")
    make_photo(author, caption="Lunch #food")
    _active_version_with_caption_model(tmp_path, settings)
    spanish = client_for(UserFactory(language="es"))

    by_hashtag = spanish.get(URL, {"caption": "#castillo"}).json()
    by_word = spanish.get(URL, {"caption": "A castle by the sea"}).json()

    assert by_hashtag["model_version"] == "v1"
    assert [h["name"] for h in by_hashtag["hashtags"]][:1] == ["medieval"]
    assert "castillo" not in [h["name"] for h in by_hashtag["hashtags"]]
    assert [h["name"] for h in by_word["hashtags"]][:1] == ["castillo"]  # named in the caption


def test_a_non_visual_hashtag_is_offered_by_habit_not_by_subject(tmp_path, settings):
    # #goodday, marked non-visual by an admin, was only written under castles, by one
    # habit; #tbt (on the stop list) beside it. Caption words say nothing of either.
    author = UserFactory(training_consent=True)
    for day in range(3):
        make_photo(author, caption=f"Day {day} on the old castle walls #castle #goodday #tbt")
        make_photo(author, caption=f"Lunch number {day} #food")
    goodday = Concept.objects.get(name="goodday")
    ConceptStat.objects.create(concept=goodday, status=ConceptStat.Status.RARE, override="non_visual")
    model = _active_version_with_caption_model(tmp_path, settings)
    client = client_for(UserFactory())
    lunch = _scores(client, "Lunch at noon")["goodday"]

    assert _scores(client, "The old castle walls")["goodday"] == lunch
    assert _scores(client, "Lunch at noon #tbt")["goodday"] > lunch
    assert model.non_visual == ["goodday", "tbt"]


def test_a_concept_measured_non_visual_on_a_few_photos_is_no_habit():
    # On the demo's 3 to 5 photos each the visualness measure called #forest and #nature
    # non-visual: as habits the autocomplete offered them on every caption, #forest under
    # "New drill for the workshop". A verdict on a few photos is noise; on many it holds,
    # and an admin's mark or the stop list always does.
    stats = {"woodland": (3, ""), "goodvibes": (selectors.HABIT_MIN_PHOTOS, ""), "mymood": (2, "non_visual")}
    for name, (count, override) in stats.items():
        concept = Concept.objects.create(name=name, display_en=name, display_es=name)
        status = ConceptStat.Status.NON_VISUAL if not override else ConceptStat.Status.RARE
        ConceptStat.objects.create(concept=concept, count=count, status=status, override=override)

    habits = selectors.non_visual_concepts()

    assert "woodland" not in habits and {"goodvibes", "mymood", "tbt"} <= habits


def test_names_in_the_caption_and_the_places_they_are_in_are_suggested(tmp_path, settings):
    author = UserFactory(training_consent=True)
    for town in ("Avignon", "Reims", "Lyon"):
        make_photo(author, caption=f"A long walk in {town} today #{town.lower()} #france")
        make_photo(author, caption="Lunch with friends #food")
    _active_version_with_caption_model(tmp_path, settings)

    found = client_for(UserFactory()).get(URL, {"caption": "Evening light over Kolkata"}).json()["hashtags"]

    names = [h["name"] for h in found]

    def rank(name: str) -> int:  # a word too unlikely a hashtag is not offered at all
        return names.index(name) if name in names else len(names)

    assert names[:1] == ["kolkata"]  # a name the caption writes, not a hashtag anyone used yet
    assert rank("kolkata") < rank("evening")  # names become hashtags, words less
    assert rank("india") < rank("light")  # the place WordNet says Kolkata is part of


def test_a_concept_the_caption_names_is_offered_as_the_caption_writes_it(tmp_path, settings):
    # "jetty" is an alias of the concept breakwater: someone who wrote "jetty" gets #jetty.
    author = UserFactory(training_consent=True)
    for caption in ("Fishing off the jetty #jetty #fishing", "Waves over the jetty #jetty", "Lunch #food"):
        make_photo(author, caption=caption)
    _active_version_with_caption_model(tmp_path, settings)

    found = client_for(UserFactory()).get(URL, {"caption": "Sunset from the old jetty"}).json()["hashtags"]

    offered = {h["name"]: h["concept"] for h in found}
    assert offered["jetty"] == "breakwater" and "breakwater" not in offered


def test_a_caption_model_of_an_older_format_is_ignored(tmp_path, settings, caplog):
    settings.MODELS_DIR = tmp_path
    caption_suggestions._caption_model.cache_clear()
    folder = tmp_path / "versions" / "v0-old"
    folder.mkdir(parents=True)
    (folder / "caption.json").write_text(json.dumps({"format": 1, "posts": 3}))
    ModelVersion.objects.create(name="v0", backbone="b", folder="versions/v0-old", is_active=True)

    answer = client_for(UserFactory()).get(URL, {"q": "cas", "caption": "A castle"})

    assert answer.status_code == 200 and answer.json()["model_version"] == "v0"
    assert "written by an older version" in caplog.text


def test_an_emoji_in_the_caption_suggests_what_it_shows(tmp_path, settings):
    author = UserFactory(training_consent=True)
    for day in range(3):
        make_photo(author, caption=f"Day {day} 🐝 #bee")
        make_photo(author, caption=f"Day {day} 🍋 #lemon")
    _active_version_with_caption_model(tmp_path, settings)
    spanish = client_for(UserFactory(language="es"))

    # The same base rate for both: only the emoji (HONEYBEE, LEMON) tells them apart.
    assert _names(spanish.get(URL, {"caption": "Mi jardín 🐝"}))[:1] == ["abeja"]
    assert _names(spanish.get(URL, {"caption": "Limonada 🍋"}))[:1] == ["limón"]


def test_a_word_the_persons_language_uses_as_something_else_suggests_no_concept(tmp_path, settings):
    # Spanish "hay" is "there is", not English #hay (#heno); "te" is "you", not "té" (tea).
    author = UserFactory(training_consent=True)
    for day in range(3):
        make_photo(author, caption=f"Day {day}: hay bales in the barn #hay #farm")
        make_photo(author, caption=f"Day {day}: green tea at five #tea")
    _active_version_with_caption_model(tmp_path, settings)
    spanish, english = client_for(UserFactory(language="es")), client_for(UserFactory(language="en"))

    hay, no_hay = _scores(english, "Hay bales today"), _scores(english, "Bales today")

    assert not {"heno", "té", "hay", "tea"} & _scores(spanish, "Hoy hay sol, te espero").keys()
    assert hay["hay"] > no_hay.get("hay", 0.0) + 0.2  # in English it is the hay


def test_function_words_are_never_offered_even_on_a_new_platform(tmp_path, settings):
    # On a platform of a few posts every word of a caption still has the rate of words in
    # general: "the", "at" and "my" were offered as hashtags until enough posts taught
    # the model that no one writes them. Apertium's analysers list each language's
    # function words (prepositions, determiners, pronouns, conjunctions, auxiliaries);
    # a caption's words never name a hashtag by them.
    author, autor = UserFactory(training_consent=True), UserFactory(training_consent=True, language="es")
    make_photo(author, caption="Sunset at the beach with my dog #beach #dog")
    make_photo(author, caption="A walk in the park #park")
    make_photo(autor, caption="Un café con mi hermana en la playa #cafe #playa")
    _active_version_with_caption_model(tmp_path, settings)
    english, spanish = client_for(UserFactory(language="en")), client_for(UserFactory(language="es"))

    offered = _scores(english, "Morning swim at the lake with my sister")
    ofrecidos = _scores(spanish, "Un paseo por el lago con mi perro")

    assert not {"at", "the", "with", "my"} & offered.keys(), offered
    assert not {"un", "por", "el", "con", "mi"} & ofrecidos.keys(), ofrecidos
    assert {"lake", "swim", "sister"} <= offered.keys()  # the words that can be hashtags still are
    assert {"paseo", "lago"} <= ofrecidos.keys()


def test_a_caption_is_read_in_the_language_it_is_written_in_not_the_profiles(tmp_path, settings):
    # An English profile writing "Mi perro en el parque" was offered #tools at 12% on the
    # demo: its Spanish words were read against every post, and most Spanish captions
    # there are of tools. The caption's own function words say it is Spanish.
    herramientas = UserFactory(training_consent=True, language="es")
    for tool in ("martillo", "destornillador", "alicates"):
        make_photo(herramientas, caption=f"Mi {tool} en el taller #herramientas #{tool}")
    walker = UserFactory(training_consent=True, language="en")
    for place in ("woods", "hills", "park", "beach", "city", "lake"):
        make_photo(walker, caption=f"My walk in the {place} #nature")
    bilingual = UserFactory(training_consent=True, language="en")  # writes in Spanish too
    make_photo(bilingual, caption="Un gato en el sofá #gato")
    model = _active_version_with_caption_model(tmp_path, settings)

    for viewer in (UserFactory(language="en"), UserFactory(language="es")):
        offered = _scores(client_for(viewer), "Mi perro en el parque")
        assert not {"tools", "herramientas"} & offered.keys(), (viewer.language, offered)
    assert model.language_posts == {"es": 4, "en": 6}  # the bilingual post counts as Spanish


def test_hashtags_are_named_in_the_language_the_caption_is_written_in(tmp_path, settings):
    # An English profile writing in Spanish gets #perro, as the rest of their caption
    # reads; in English, #dog.
    author = UserFactory(training_consent=True, language="es")
    for day in range(3):
        make_photo(author, caption=f"Día {day} con mi perro en el parque #perro #parque")
    _active_version_with_caption_model(tmp_path, settings)
    english = client_for(UserFactory(language="en"))

    assert "perro" in _scores(english, "Mi perro en el parque con la pelota")
    assert "dog" in _scores(english, "My dog in the park with the ball")
