import gc
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import unavailable
from translation.ml.apertium import ApertiumEngine, apertium_installed, spanish_opening_marks
from translation.ml.translator import Translation, Translator

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _apertium_present() -> None:
    if not (apertium_installed("eng-spa") and apertium_installed("spa-eng")):
        unavailable("Apertium with apertium-eng-spa is not installed (.ci/run installs it)")


@pytest.fixture
def eng_spa():
    engine = ApertiumEngine("eng-spa")
    yield engine
    engine.close()


def test_translates_both_directions(eng_spa):
    spa_eng = ApertiumEngine("spa-eng")

    assert eng_spa.translate(["The cat is black.", "The dog is white."]) == [
        "El gato es negro.",
        "El perro es blanco.",
    ]
    assert spa_eng.translate(["El gato es negro."]) == ["The cat is black."]
    assert (eng_spa.name, eng_spa.model_id) == ("apertium", "apertium-eng-spa")
    spa_eng.close()


def test_a_word_left_untranslated_leaves_no_double_blank(eng_spa):
    # Spanish drops the subject pronoun: Apertium answers "Puede  lo elijo", two blanks
    # where "I" was, which a chat bubble (white-space: pre-wrap) shows as a gap.
    [dropped, spaced] = eng_spa.translate(["Can I pick it up tomorrow?", "The cat  is black."])

    assert dropped.startswith("Puede lo ") and "  " not in dropped
    assert spaced == "El gato  es negro."  # a gap the writer left stays


def test_spanish_questions_and_exclamations_open_as_spanish_writes_them(eng_spa):
    # Apertium answered "Es todavía para venta?" and "Qué una lámpara buena!": Spanish
    # opens each with ¿ or ¡, and a reader of the demo's chats (Apertium there) saw none.
    spa_eng = ApertiumEngine("spa-eng")

    sentences = ["Is it still for sale?", "Thanks. Can you ship it to Madrid? It costs 3.5 euros!"]
    translated = [t.text for t in Translator(eng_spa).translate([*sentences, "The cat is black."])]
    english = [t.text for t in Translator(spa_eng).translate(["¿Todavía está disponible?"])]

    assert translated == [
        "¿Es todavía para venta?",
        "Gracias. ¿Puede lo embarcas a Madrid? ¡Cuesta 3.5 euros!",
        "El gato es negro.",
    ]
    assert english == ["Still it is available?"]  # English opens with nothing
    spa_eng.close()


def test_opening_marks_go_where_each_sentence_starts():
    assert spanish_opening_marks("Hola. Qué tal?\nMuy bien!!") == "Hola. ¿Qué tal?\n¡Muy bien!!"
    assert spanish_opening_marks('Dice "en serio?" y se va') == 'Dice "¿en serio?" y se va'
    assert spanish_opening_marks('"En serio?"') == '"¿En serio?"'
    assert spanish_opening_marks("Cuesta 3.5? Vale") == "¿Cuesta 3.5? Vale"
    assert spanish_opening_marks("mira http://x.es/a?b=1 ahora") == "mira http://x.es/a?b=1 ahora"
    assert spanish_opening_marks("¿Ya? Sí, ¡genial!") == "¿Ya? Sí, ¡genial!"
    assert spanish_opening_marks("En serio?!") == "¿En serio?!"
    assert spanish_opening_marks("") == ""
    # an emoji or a @mention before the first word stays before the mark; a number, a
    # price, a link or a #hashtag is the sentence's first word
    assert spanish_opening_marks("😀 Es para venta?") == "😀 ¿Es para venta?"
    assert spanish_opening_marks("@ana vienes?") == "@ana ¿vienes?"
    assert spanish_opening_marks("Precio? $20!") == "¿Precio? ¡$20!"
    assert spanish_opening_marks("3 personas vienen?") == "¿3 personas vienen?"
    assert spanish_opening_marks("10% de descuento!") == "¡10% de descuento!"
    assert spanish_opening_marks("www.x.com está caído?") == "¿www.x.com está caído?"
    assert spanish_opening_marks("#Madrid es bonito!") == "¡#Madrid es bonito!"
    assert spanish_opening_marks("😀!") == "¡😀!"
    assert spanish_opening_marks("😀 3 personas vienen?") == "😀 ¿3 personas vienen?"
    assert spanish_opening_marks("@ana $20!") == "@ana ¡$20!"


def test_an_emoji_or_mention_opening_a_question_comes_before_its_mark(eng_spa):
    translator = Translator(eng_spa)

    found = translator.translate(
        ["😀 Is it for sale?", "@bruno is it for sale?", "Price? $20!", "3 people are coming?", "😀"]
    )

    assert [t.text for t in found] == [
        "😀 ¿Es para venta?",
        "@bruno ¿Es para venta?",
        "¿Precio? ¡$20!",
        "¿3 Las personas están viniendo?",  # Apertium's words; the mark is ours
        "😀",  # nothing to translate: as it is
    ]


def test_protected_text_and_reserved_characters_come_back_unchanged(eng_spa):
    translator = Translator(eng_spa)

    [protected, reserved] = translator.translate(
        ["The cat is black 😀 #sale $20", "The [cat] is <black> / ^ $ ~"]
    )

    assert protected == Translation("El gato es negro 😀 #sale $20", "apertium", "apertium-eng-spa")
    assert reserved.text == "El [gato] es <negro> / ^ $ ~"


def test_one_process_for_many_messages_restarted_when_it_dies(eng_spa):
    eng_spa.translate(["The cat is black."])
    first = eng_spa.pid

    eng_spa.translate(["The dog is white."])
    same = eng_spa.pid
    os.killpg(first, signal.SIGKILL)
    after_restart = eng_spa.translate(["The dog is white."])

    assert same == first
    assert after_restart == ["El perro es blanco."]
    assert eng_spa.pid not in (None, first)


def test_concurrent_callers_get_their_own_answers(eng_spa):
    texts = ["The cat is black.", "The dog is white.", "Hello!", "The house is big."] * 4
    expected = eng_spa.translate(texts)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda t: eng_spa.translate([t])[0], texts))

    assert results == expected


def _gone(group: int, seconds: float = 10) -> bool:
    """Whether every process of the group has exited (killed stages take a moment)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_the_pipeline_goes_with_its_engine():
    engine = ApertiumEngine("eng-spa")
    engine.translate(["The cat is black."])
    pid = engine.pid

    del engine
    gc.collect()

    assert pid is not None and _gone(pid)


def test_an_engine_alive_at_exit_takes_its_pipeline_quietly(tmp_path):
    # As a server or `manage.py seed_demo` leaves it: cached by translator_for when the
    # interpreter exits, after module teardown has begun.
    script = (
        "from pathlib import Path\n"
        "from translation.ml.translator import translator_for\n"
        "translator = translator_for('en', 'es', model_dir=Path('no-such-folder'))\n"
        "translator.translate(['The cat is black.'])\n"
        "print(translator.engine.pid)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "socialapp.settings.base", "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Exception ignored" not in result.stderr
    assert _gone(int(result.stdout.split()[-1]))
