import pytest
import torch

from tagging.ml.alt_text import Name, alt_text
from tagging.ml.heads import ConceptLabel
from tagging.ml.inference import Tagger, Thresholds
from tagging.ml.ranking import Calibration
from tests.tagging.conftest import BEE, CASTLE, CUPS, DEMO


def test_predictions_rank_hashtags_with_scores_in_unit_range(cold_start):
    [bee] = cold_start.predict([BEE])

    names = [s.hashtag for s in bee.hashtags]
    scores = [s.score for s in bee.hashtags]
    assert names[0] == "bee"
    assert scores == sorted(scores, reverse=True)
    assert all(0.1 <= s <= 1.0 for s in scores)
    assert len(bee.embedding) == 1280
    assert bee.model_version == "coldstart-1-lite0"


def test_hashtags_and_alt_text_in_spanish(cold_start):
    [castle] = cold_start.predict([CASTLE], language="es")

    assert "castillo" in [s.hashtag for s in castle.hashtags]
    assert castle.alt_text == "Foto de un castillo."


def test_shop_category_for_things_none_for_scenery(cold_start):
    cups, castle = cold_start.predict([CUPS, CASTLE])

    assert cups.shop_category is not None and cups.shop_category.name == "home"
    assert cups.shop_category.score >= 0.3
    assert castle.shop_category is None


def test_limits_and_exclusions(backbone, cold_start):
    few = Tagger(backbone, cold_start.head, Thresholds(max_suggestions=2, min_score=0.01))

    [limited] = few.predict([CASTLE])
    [excluded] = cold_start.predict([BEE], exclude={"bee", "animal"})

    assert len(limited.hashtags) == 2
    assert {"bee", "animal"} & {s.concept for s in excluded.hashtags} == set()
    assert "insect" in [s.concept for s in excluded.hashtags]


def test_batched_and_single_predictions_agree(cold_start):
    batched = cold_start.predict([BEE, CASTLE])
    single = [cold_start.predict([BEE])[0], cold_start.predict([CASTLE])[0]]

    for a, b in zip(batched, single, strict=True):
        assert [s.concept for s in a.hashtags] == [s.concept for s in b.hashtags]
        assert a.hashtags[0].score == pytest.approx(b.hashtags[0].score, abs=1e-3)


def test_unreadable_file_raises_oserror(cold_start, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a photo")

    with pytest.raises(OSError):
        cold_start.predict([broken])


@pytest.mark.parametrize(
    ("names", "language", "text"),
    [
        ([Name("pliers", plural=True)], "en", "Photo of pliers."),
        ([Name("bee"), Name("aster")], "en", "Photo of a bee and an aster."),
        (
            [Name("suspension bridge"), Name("pier"), Name("palace")],
            "en",
            "Photo of a suspension bridge, a pier and a palace.",
        ),
        ([Name("abacus"), Name("tools", plural=True)], "en", "Photo of an abacus and tools."),
        ([Name("alicates", "m", plural=True)], "es", "Foto de unos alicates."),
        ([Name("castillo", "m"), Name("foso", "m")], "es", "Foto de un castillo y un foso."),
        (
            [Name("cocina", "f"), Name("gafas de sol", "f", plural=True)],
            "es",
            "Foto de una cocina y unas gafas de sol.",
        ),
        ([Name("águila calva", "f"), Name("hacha", "f")], "es", "Foto de un águila calva y un hacha."),
        ([Name("águilas", "f", plural=True)], "es", "Foto de unas águilas."),
        ([Name("zorblax"), Name("puente", "m")], "es", "Foto de zorblax y un puente."),
        ([], "es", "Foto."),
        ([Name("castle"), Name("Denmark", article=False, where=True)], "en", "Photo of a castle in Denmark."),
        ([Name("Denmark", article=False, where=True)], "en", "Photo of Denmark."),  # nothing else to name
        (
            [Name("cúpula", "f"), Name("Washington, D.C.", article=False, where=True)],
            "es",
            "Foto de una cúpula en Washington, D.C.",
        ),
    ],
)
def test_alt_text(names, language, text):
    assert alt_text(names, language) == text


def test_alt_text_in_spanish_uses_the_concept_tables_names(cold_start):
    [bridge] = cold_start.predict([DEMO / "dev_010.jpg"], language="es")  # Tower Bridge

    assert bridge.alt_text == "Foto de un puente colgante."  # a kind of bridge: not both


def test_alt_text_names_the_specific_concepts_in_words(cold_start):
    [bridge] = cold_start.predict([DEMO / "dev_010.jpg"])  # Tower Bridge

    assert bridge.alt_text == "Photo of a suspension bridge."


def test_flip_tta_is_recorded_in_the_versions(backbone, cold_start):
    flip = Tagger(backbone, cold_start.head, Thresholds(), tta="flip")

    [bee] = flip.predict([BEE])

    assert (flip.version, flip.embedding_version) == (
        "coldstart-1-lite0+flip",
        "efficientnet_lite0-57934424+flip",
    )
    assert (cold_start.version, cold_start.embedding_version) == (
        "coldstart-1-lite0",
        "efficientnet_lite0-57934424",
    )
    assert bee.model_version == "coldstart-1-lite0+flip"
    assert bee.hashtags[0].concept == "bee"
    assert bee.embedding != cold_start.predict([BEE])[0].embedding


BLACK_AND_WHITE = DEMO / "dev_013.jpg"  # a lighthouse on a breakwater, black and white


class _Says:
    """The cold-start head with one more concept it gives every photo `score`: a head
    trained on hashtags that guesses from what the photo shows (one put #blackandwhite on
    party cups)."""

    def __init__(self, head, label, score=0.9):
        self.head, self.version, self.score = head, head.version, score
        self.concepts = [*head.concepts, label]
        old = head.calibration
        self.calibration = Calibration(
            base_rates=torch.cat([old.base_rates, torch.zeros(1)]),
            thresholds=torch.cat([old.thresholds, torch.full((1,), float("nan"))]),
            general=torch.cat([old.general, torch.zeros(1, dtype=torch.bool)]),
            covers=torch.nn.functional.pad(old.covers, (0, 1, 0, 1)),
        )

    def concept_scores(self, embeddings, photo_ids=None):
        extra = torch.full((len(embeddings), 1), self.score)
        return torch.cat([self.head.concept_scores(embeddings, photo_ids), extra], 1)

    def category_scores(self, embeddings):
        return self.head.category_scores(embeddings)


BLACK_AND_WHITE_LABEL = ConceptLabel("blackandwhite", "blackandwhite", "blancoynegro")


def test_a_black_and_white_photo_is_suggested_blackandwhite_first(cold_start):
    [english] = cold_start.predict([BLACK_AND_WHITE])
    [spanish] = cold_start.predict([BLACK_AND_WHITE], language="es")

    # the cold-start head has no class for it: named as the concept table names it
    assert "blackandwhite" not in [c.name for c in cold_start.head.concepts]
    assert (english.hashtags[0].concept, english.hashtags[0].hashtag, english.hashtags[0].score) == (
        "blackandwhite",
        "blackandwhite",
        1.0,
    )
    assert spanish.hashtags[0].hashtag == "blancoynegro"
    assert len(english.hashtags) <= cold_start.thresholds.max_suggestions
    assert "blanco y negro" not in spanish.alt_text  # a style, as alt text leaves colours out


def test_blackandwhite_comes_from_the_pixels_not_the_heads_guess(backbone, cold_start):
    guessing = Tagger(backbone, _Says(cold_start.head, BLACK_AND_WHITE_LABEL), Thresholds())

    colour, black_and_white = guessing.predict([CUPS, BLACK_AND_WHITE])
    [blocked] = guessing.predict([BLACK_AND_WHITE], exclude={"blackandwhite"})
    embeddings = guessing.embed([CUPS])
    [unknown] = guessing.predictions(embeddings, languages=["en"], excludes=[frozenset()])

    assert "blackandwhite" not in [s.concept for s in colour.hashtags]
    assert [s.concept for s in black_and_white.hashtags].count("blackandwhite") == 1
    assert black_and_white.hashtags[0].concept == "blackandwhite"
    assert "blackandwhite" not in [s.concept for s in blocked.hashtags]
    # with no pixels to tell (monochrome not given), the head's guess stands
    assert "blackandwhite" in [s.concept for s in unknown.hashtags]


def test_alt_text_never_names_a_place_the_tagger_guessed(backbone, cold_start):
    # A head trained on the platform's hashtags guesses places the concept table does not
    # list (#denmark beside Egeskov): "Photo of a castle and a denmark." named a guessed
    # country as a thing in view, with an article.
    placing = Tagger(
        backbone, _Says(cold_start.head, ConceptLabel("denmark", "denmark", "dinamarca")), Thresholds()
    )

    [english] = placing.predict([CASTLE])
    [spanish] = placing.predict([CASTLE], language="es")

    assert "denmark" in [s.concept for s in english.hashtags]
    assert english.alt_text == "Photo of a castle."
    assert spanish.alt_text == "Foto de un castillo."
