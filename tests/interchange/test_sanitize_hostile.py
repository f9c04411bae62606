"""Hostile markup (issue 14): the sanitiser never raises, stays linear, flattens deep nesting.

Each input is built at a size where the old html.parser-based sanitiser took minutes (it
searched the rest of the text again at every '<' it could not close); here each takes well
under a second, and the output holds only allowed markup.
"""

from __future__ import annotations

import re

import pytest

from cehrs_cards.core.sanitize import MAX_DEPTH, MAX_TABLES, sanitize_html, strip_html

TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*>")
N = 50_000
QUADRATIC_BEFORE = {
    "end tags that never close": "</" * N,
    "start tags that never close": "<a" * N,
    "attributes that never close": "<a " * N,
    "comments that never close": "<!--" * N,
    "processing instructions": "<?" * N,
    "marked sections": "<![cdata[" * (N // 4),
    "unclosed quotes": "<a<a<a b='" * (N // 5),
    "bare '<'": "<" * N,
    "quoted '>' in attributes": "<a b='>' c" * (N // 5) + "<a d",
}


def max_depth(html: str) -> int:
    depth = deepest = 0
    for m in TAG.finditer(html):
        if m.group(2) in ("br", "img", "hr"):
            continue
        depth += -1 if m.group(1) else 1
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("tail", ["", "&amp;", ">"])  # "&" and ">" keep the scanner going
@pytest.mark.parametrize("case", sorted(QUADRATIC_BEFORE))
def test_markup_that_never_closes_is_text_and_cheap(case, tail):
    text = QUADRATIC_BEFORE[case] + tail
    out = sanitize_html(text)
    assert "<" not in out.replace("&lt;", "")  # nothing here makes an allowed tag
    assert len(strip_html(text)) <= len(text)


def test_marked_section_that_html_parser_asserted_on_is_text():
    assert sanitize_html("x <![ y") == "x &lt;![ y"
    assert sanitize_html("<b>a</b><![ {{Front}}") == "<b>a</b>&lt;![ {{Front}}"
    assert sanitize_html("<![CDATA[x]]>z <![if !supportLists]>y") == "z y"


def test_numeric_references_of_any_length_read_as_html_unescape_reads_short_ones():
    assert sanitize_html("&#" + "1" * 5000 + ";x") == "\ufffdx"
    assert sanitize_html("&#" + "0" * 5000 + "65;<b>") == "A<b>"
    assert sanitize_html("&#x" + "0" * 5000 + "41") == "A"
    assert strip_html("a &#" + "9" * 9000 + " b") == "a \ufffd b"
    assert sanitize_html("&#0000000038amp;") == "&amp;amp;"  # "&" then "amp;", not "&"


def test_deep_nesting_is_flattened_and_its_text_kept():
    out = sanitize_html("<div>" * 20_000 + "deep" + "</div>" * 20_000)
    assert max_depth(out) == MAX_DEPTH
    assert out.count("<div>") == out.count("</div>") == MAX_DEPTH and "deep" in out
    mixed = "".join(f"<{t}>" for t in ("b", "i", "span", "div") * 100) + "x"
    assert max_depth(sanitize_html(mixed)) == MAX_DEPTH


def test_shallow_markup_with_unclosed_items_is_not_flattened():
    items = "<ul>" + "<li>item" * 300 + "</ul>"
    assert sanitize_html(items) == items
    table = "<table>" + "<tr><td>a<td>b" * 200 + "</table>"
    assert sanitize_html(table) == table
    paras = "<p>para" * 200
    assert sanitize_html(paras) == paras


def test_end_tags_of_flattened_elements_go_with_them():
    out = sanitize_html("<div>" * 70 + "<b>x</b>" + "</div>" * 70 + "<i>after</i>")
    assert max_depth(out) == MAX_DEPTH and out.endswith("</div><i>after</i>")
    assert out.count("<b>") == 0 and out.count("</b>") == 0  # <b> was the 71st level


def test_fast_path_declines_what_may_need_flattening():
    deep = "<span>" * (MAX_DEPTH + 5) + "x" + "</span>" * (MAX_DEPTH + 5)
    assert max_depth(sanitize_html(deep)) == MAX_DEPTH


@pytest.mark.parametrize("levels", [MAX_TABLES + 1, 21, 200])
def test_tables_nested_too_deep_are_flattened_with_their_parts(levels):
    """Qt's time to lay out nested tables doubles with each level past ten (20 levels 9 s,
    50 never ending); MAX_DEPTH alone let 21 through. Deeper tables lose their table, row
    and cell tags, their cells a space apart; the text and what follows stay. (A cell inside
    a table inside a cell is the inner table's, not a sibling closing the outer cell, as in a
    browser: else the tables are miscounted and this fails.)"""
    cells = "<td>in</td><td>c2</td></tr></table>" + "</td></tr></table>" * (levels - 1)
    out = sanitize_html("<table><tr><td>" * (levels - 1) + "<table><tr>" + cells + "<b>after</b>")
    assert out.count("<table>") == out.count("</table>") == MAX_TABLES
    assert out.count("<td>") == out.count("</td>") == MAX_TABLES
    assert re.search("<td> +in c2</td>", out) and out.endswith("</table><b>after</b>")
    assert max_depth(out) == 3 * MAX_TABLES
