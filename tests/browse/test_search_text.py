"""How text is compared: case folding for every alphabet at any query length, accents (nc:),
cloze markers (sc:), whole words (w:), raw regexes (re:) and Anki's regex classes on RE2."""

from __future__ import annotations

import pytest

from cehrs_cards.core import search_text as st
from cehrs_cards.core.search import pattern
from cehrs_cards.db.search_funcs import user_regex


def test_accents_and_special_letters_fold_for_nc():
    assert st.without_combining("Über naïve ß Æther") == "Uber naive s AEther"
    assert st.without_combining("ばぱ") == "はは"
    assert st.without_combining("plain") == "plain"


def test_cloze_markers_strip_to_their_answers():
    text = 'The {{c1::moon::🌛}} {{c2::orbits::a hint with "::" in it}} the {{c3::🌏}}.'
    assert st.strip_clozes(text) == "The moon orbits the 🌏."
    assert st.strip_clozes("{{c1::mn}}{{c2::e}}monic") == "mnemonic"


@pytest.mark.parametrize(
    ("query", "text"),
    [("CAFÉ", "un café"), ("CAFÉ*", "un café noir"), ("ελ", "Ελλάδα"), ("ΣΊΣ", "σίσυφος"),
     ("straße", "STRASSE straße".lower()), ("д_м", "ДОМ")],
)  # fmt: skip
def test_case_folds_for_every_alphabet_whatever_the_length(query, text):
    assert st.compiled(st.contains(pattern(query))).search(text)


def test_word_boundaries_are_unicode_words():
    rx = st.compiled(st.word(pattern("café")))
    assert rx.search("un café noir") and not rx.search("cafés")
    assert st.compiled(st.word(pattern("dog*"))).search("doggy")
    assert not st.compiled(st.word(pattern("dog"))).search("underdog")


def test_anki_regex_classes_mean_unicode_on_re2():
    assert user_regex(st.anki_regex(r"\d{3}")).search("٣٤٥")  # Arabic-Indic digits, as Rust
    assert user_regex(st.anki_regex(r"^\w+$")).search("naïve")
    assert user_regex(st.anki_regex(r"[\w-]+x")).search("é-x")
    assert user_regex(st.anki_regex(r"\\d")).search("\\d")  # an escaped backslash stays
    assert user_regex(st.anki_regex("hipaa")).search("HIPAA")
    assert not user_regex(st.anki_regex("(?-i)hipaa")).search("HIPAA")


def test_a_pathological_regex_runs_in_linear_time():
    rx = user_regex(st.anki_regex("(a+)+$"))
    assert rx.search("a" * 10_000 + "b") is None  # backtracking engines take years here
