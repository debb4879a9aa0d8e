from translation.ml.protect import mask, needs_translation, split_join, unmask


def test_prices_and_numbers_in_both_languages_formats():
    masked = mask("The lamp costs $20, the chair 15 € and the sofa 1.500,00 € (20% off, 3 left).")

    assert masked.text == (
        "The lamp costs __P0__, the chair __P1__ and the sofa __P2__ (__P3__ off, __P4__ left)."
    )
    assert masked.spans == ("$20", "15 €", "1.500,00 €", "20%", "3")


def test_currency_codes_and_symbols_before_or_after():
    masked = mask("Pay 250 USD or EUR 30 or €30 or $1,200.")

    assert masked.spans == ("250 USD", "EUR 30", "€30", "$1,200")


def test_digits_inside_words_are_not_masked():
    assert mask("I have an mp3 player and a 4K screen").spans == ()


def test_urls_and_emails_without_trailing_punctuation():
    masked = mask("See https://shop.example.com/item/42?id=7. Or write to luis.perez@mail.example.org!")

    assert masked.text == "See __P0__. Or write to __P1__!"
    assert masked.spans == ("https://shop.example.com/item/42?id=7", "luis.perez@mail.example.org")


def test_mentions_hashtags_and_emoji():
    masked = mask("@juan_22 love it #vintage 😀❤️ 👍🏽 🇪🇸")

    assert masked.text == "__P0__ love it __P1__ __P2__ __P3__ __P4__"
    assert masked.spans == ("@juan_22", "#vintage", "😀❤️", "👍🏽", "🇪🇸")


def test_keep_terms_case_insensitive_whole_words_longest_first():
    masked = mask("Is the sunny lamp Model 3000 in stock? Sunnylamps are not.", ["Sunny Lamp", "Model 3000"])

    assert masked.text == "Is the __P0__ __P1__ in stock? Sunnylamps are not."
    assert masked.spans == ("sunny lamp", "Model 3000")


def test_text_that_looks_like_a_placeholder_is_protected_too():
    assert mask("write __P0__ here").spans == ("__P0__",)


def test_unmask_restores_spans_in_the_engine_order():
    masked = mask("Is it $20 or 15 €?")

    assert unmask(masked, "¿Cuesta __P1__ o __P0__?") == "¿Cuesta 15 € o $20?"


def test_unmask_accepts_a_placeholder_split_by_spaces():
    assert unmask(mask("Pay $5."), "Paga __ P0 __.") == "Paga $5."


def test_unmask_drops_duplicates_and_unknown_placeholders():
    masked = mask("The lamp costs $20.")

    assert unmask(masked, "La lámpara cuesta __P0__ __P0__ __P3__.") == "La lámpara cuesta $20."


def test_unmask_reports_a_dropped_placeholder():
    assert unmask(mask("The lamp costs $20."), "La lámpara cuesta.") is None


def test_split_join_keeps_spans_and_whitespace():
    masked = mask("Hello @maria, the lamp costs $20.")

    assert masked.pieces == ("Hello ", ", the lamp costs ", ".")
    assert split_join(masked, ["Hola", ", la lámpara cuesta", "."]) == "Hola @maria, la lámpara cuesta $20."


def test_needs_translation_only_when_letters_remain():
    assert needs_translation(mask("$20 😀 #sale").text) is False
    assert needs_translation(mask("only $20").text) is True
