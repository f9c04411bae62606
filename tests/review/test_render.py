"""Rendering: fields, sections, FrontSide, cloze; and (issue 14) the single-pass renderer
against the regex renderer it replaced, and hostile templates and fields."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

import pytest

from cehrs_cards.core import render
from cehrs_cards.core.notetypes import BASIC, CLOZE, MCQ, REVERSED
from cehrs_cards.core.render import (
    MAX_SECTION_DEPTH,
    cloze_numbers,
    render_cloze,
    render_template,
    template_problem,
)
from cehrs_cards.core.sanitize import sanitize_html, strip_html


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


# ----- the single-pass renderer against the regex renderer it replaced (issue 14) -----------


OLD_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
OLD_SECTION = re.compile(r"\{\{([#^])\s*([^}]+?)\s*\}\}(.*?)\{\{/\s*\2\s*\}\}", re.DOTALL)
OLD_TAG = re.compile(r"\{\{\s*([^#^/}][^}]*?)\s*\}\}")


def old_cloze(text: str, ord_: int, question: bool) -> str:
    def sub(m: re.Match[str]) -> str:
        n, answer, hint = int(m.group(1)), m.group(2), m.group(3)
        if n != ord_:
            return answer
        if question:
            return f'<span class="cloze">[{hint or "..."}]</span>'
        return f'<span class="cloze">{answer}</span>'

    return OLD_CLOZE.sub(sub, text)


def old_render(tpl: str, fields: Mapping[str, str], card_ord: int, question: bool, front=""):
    """The regex renderer as it was before issue 14 (quadratic to cubic on hostile input)."""

    def sections(t: str) -> str:
        def sub(m: re.Match[str]) -> str:
            kind, name, body = m.group(1), m.group(2), m.group(3)
            value = fields.get(name, "")
            show = bool(strip_html(value) or "<img" in value) == (kind == "#")
            return sections(body) if show else ""

        prev = None
        while prev != t:
            prev, t = t, OLD_SECTION.sub(sub, t)
        return t

    def tag(m: re.Match[str]) -> str:
        spec = m.group(1)
        if spec == "FrontSide":
            return front
        *filters, name = [p.strip() for p in spec.split(":")]
        value = fields.get(name, "")
        for f in reversed(filters):
            value = render._apply_filter(f, value, card_ord, question)
        return value

    return sanitize_html(OLD_TAG.sub(tag, sections(tpl)))


NAMES = ["Front", "Back", "Text", "Extra", "Back Extra", "Empty", "Missing", "Pic"]
FIELDS = {
    "Front": "What is <b>PHI</b>?",
    "Back": "Protected health information",
    "Text": "{{c1::HIPAA}} in {{c2::1996::year}}; {{c1::again}} {{c3::x::}} {{c12::twelve}}",
    "Extra": "<i>see &amp; note</i>",
    "Back Extra": "",
    "Empty": "<br><div> </div>",
    "Pic": '<img src="a.png">',
}


def _random_template(rng: random.Random, depth: int = 0, inside: frozenset[str] = frozenset()):
    """A well-formed template: text, fields with filters, and properly nested sections (a
    section never inside one of the same name: the regexes paired those differently)."""
    parts = []
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        name = rng.choice(NAMES)
        if roll < 0.3:
            parts.append(rng.choice(["<div>", "</div>", "text ", "<hr id=answer>", " { } ", ":"]))
        elif roll < 0.6:
            spec = rng.choice(["", "text:", "hint:", "type:", "cloze:", "unknown:", " "]) + name
            parts.append("{{" + rng.choice(["", " "]) + spec + rng.choice(["", " "]) + "}}")
        elif roll < 0.7:
            parts.append("{{FrontSide}}")
        elif depth < 4 and name not in inside:
            kind = rng.choice("#^")
            inner = _random_template(rng, depth + 1, inside | {name})
            parts.append(f"{{{{{kind}{name}}}}}{inner}{{{{/{name}}}}}")
    return "".join(parts)


def test_single_pass_renderer_gives_what_the_regex_renderer_gave():
    from cehrs_cards.core.notetypes import BUILTINS

    rng = random.Random(14)
    templates = [t for nt in BUILTINS for tpl in nt.templates for t in (tpl.front, tpl.back)]
    templates += [_random_template(rng) for _ in range(3000)]
    for tpl in templates:
        for ord_, question in ((0, True), (1, False), (2, True)):
            expected = old_render(tpl, FIELDS, ord_, question, front="F<b>S</b>")
            assert render.render_template(tpl, FIELDS, ord_, question, "F<b>S</b>") == expected, tpl


def test_cloze_scan_gives_what_the_cloze_regex_gave():
    pieces = ["{{c1::", "{{c2::", "{{c10::", "::", "}}", "}", "{{", "a", " b ", ":", "{{c", "c3"]
    rng = random.Random(15)
    for _ in range(20_000):
        text = "".join(rng.choices(pieces, k=rng.randint(1, 12)))
        for ord_, question in ((1, True), (2, False), (10, True)):
            assert render_cloze(text, ord_, question) == old_cloze(text, ord_, question), text
        assert render.cloze_numbers(text) == sorted(
            {int(m.group(1)) for m in OLD_CLOZE.finditer(text)}
        )


# ----- hostile templates and fields: linear time, caps, no errors -----------------------------


def test_cloze_openings_that_never_close_are_read_once():
    text = "{{c1::" * 166_000  # 1M characters: hours for the regex
    assert render_cloze(text, 1, True) == text
    assert render.cloze_numbers(text + "}}") == [1]


def test_huge_cloze_numbers_make_no_card_and_raise_nothing():
    text = "{{c" + "9" * 5000 + "::x}} {{c10000::y}} {{c2::z}}"
    assert render.cloze_numbers(text) == [2]
    assert render_cloze(text, 2, True) == 'x y <span class="cloze">[...]</span>'


def test_deeply_nested_sections_render_in_one_pass():
    depth = MAX_SECTION_DEPTH
    names = [f"F{i}" for i in range(depth)]
    tpl = (
        "".join(f"{{{{#{n}}}}}" for n in names)
        + "x"
        + "".join(f"{{{{/{n}}}}}" for n in reversed(names))
    )
    assert render.render_template(tpl, dict.fromkeys(names, "y"), 0, True) == "x"
    assert render.render_template(tpl, {}, 0, True) == ""


@pytest.mark.parametrize(
    "tpl",
    [
        "{{#F}}" * (MAX_SECTION_DEPTH + 1) + "x",
        "".join(f"{{{{#F{i}}}}}" for i in range(1000)) + "x",
        "x" * (render.MAX_TEMPLATE_CHARS + 1),
    ],
    ids=["unclosed", "depth 1000", "too long"],
)
def test_templates_past_the_caps_are_named_and_show_a_notice(tpl):
    assert template_problem(tpl) is not None
    out = render.render_template(tpl, {"F": "y"}, 0, True)
    assert out.startswith('<div class="template-error">') and len(out) < 200


def test_large_template_of_unclosed_sections_renders_as_text():
    tpl = "{{#Front}}" * 20_000  # 200 KB: 15 s a side with the regexes
    assert template_problem(tpl) is not None  # too deep: refused when a package is read
    tpl = "{{#Front}}" + "{{/Back}} {{Front}} {{^Back}}{{/Back}}" * 6_000
    assert template_problem(tpl) is None
    out = render.render_template(tpl, {"Front": "q"}, 0, True)
    assert out == "{{#Front}}" + "{{/Back}} q " * 6_000


def test_template_with_marked_section_renders():
    assert render.render_template("<![ {{Front}}", {"Front": "x"}, 0, True) == "&lt;![ x"
