from translation.ml.detect import language_detect


def test_confident_english_and_spanish_are_detected():
    assert language_detect("Is the bike still available?", fallback="es") == "en"
    assert language_detect("¿La bicicleta sigue disponible?", fallback="en") == "es"


def test_short_text_falls_back_to_the_senders_language():
    assert language_detect("ok", fallback="es") == "es"
    assert language_detect("hola", fallback="en") == "en"  # unsure on one short word
    assert language_detect("👍 20€", fallback="es") == "es"


def test_links_handles_and_numbers_do_not_count_as_words():
    assert language_detect("https://example.com/bike @lucia #bici 250", fallback="en") == "en"
    assert language_detect("see https://example.com/la-bicicleta-roja", fallback="es") == "es"
