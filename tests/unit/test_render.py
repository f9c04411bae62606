from cehrs_cards.core.notetypes import BASIC, CLOZE, MCQ, REVERSED
from cehrs_cards.core.render import cloze_numbers, render_template


def test_basic_front_and_back():
    front, back = BASIC.render({"Front": "Q?", "Back": "A!"}, 0)
    assert front == "Q?"
    assert back.startswith("Q?<hr") and back.endswith("A!")


def test_reversed_makes_two_cards_and_skips_empty_fronts():
    assert REVERSED.ords({"Front": "MPI", "Back": "Master patient index"}) == [0, 1]
    assert (
        REVERSED.render({"Front": "MPI", "Back": "Master patient index"}, 1)[0]
        == "Master patient index"
    )
    assert REVERSED.ords({"Front": "only front", "Back": ""}) == [0]


def test_cloze_one_card_per_number_with_hints():
    text = "{{c1::HIPAA}} passed in {{c2::1996::year}}; {{c1::HIPAA}} again"
    fields = {"Text": text, "Back Extra": "extra"}
    assert cloze_numbers(text) == [1, 2]
    assert CLOZE.ords(fields) == [0, 1]
    q2, a2 = CLOZE.render(fields, 1)
    assert "[year]" in q2 and "HIPAA passed" in q2
    assert "1996" in a2 and "extra" in a2
    q1, _ = CLOZE.render(fields, 0)
    assert q1.count("[...]") == 2 and "1996" in q1


def test_conditionals_and_frontside():
    tpl = "{{#Extra}}has {{Extra}}{{/Extra}}{{^Extra}}no extra{{/Extra}}"
    assert render_template(tpl, {"Extra": "x"}, 0, True) == "has x"
    assert render_template(tpl, {"Extra": ""}, 0, True) == "no extra"
    assert render_template("{{FrontSide}}|{{B}}", {"B": "b"}, 0, False, front_side="f") == "f|b"


def test_text_filter_strips_html_and_unknown_fields_render_empty():
    assert render_template("{{text:F}}", {"F": "<b>bold</b> &amp; co"}, 0, True) == "bold &amp; co"
    assert render_template("[{{Missing}}]", {}, 0, True) == "[]"


def test_mcq_card_asks_stem_with_options():
    fields = {
        "Stem": "Which?",
        "A": "one",
        "B": "two",
        "C": "three",
        "D": "four",
        "Answer": "C",
        "Explanation": "why",
    }
    front, back = MCQ.render(fields, 0)
    assert "Which?" in front and all(o in front for o in ("one", "two", "three", "four"))
    assert "Answer: <b>C</b>" in back and "why" in back
