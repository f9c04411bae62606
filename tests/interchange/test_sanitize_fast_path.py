"""sanitize_html's parser-free path for fields whose tags all have the plainest form, and its
tokenizer against Python's html.parser.

The fast path must give exactly what the tokenizer gives, the tokenizer what html.parser
gives (wherever html.parser does not fail), and whatever either is fed, the output may hold
only allowed tags with allowed attributes.
"""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

from cehrs_cards.core.sanitize import (
    ALLOWED_ATTRS,
    ALLOWED_TAGS,
    _Cleaner,
    _sanitize_simple,
    sanitize_html,
    tokenize,
)

PIECES = [
    "<b>", "</b>", "<div>", "</div>", "<br>", "<hr>", "<p>", "</li>", "<li>", "<ul>", "<span>",
    "</br>", "<img>", "<B>", "</B>", "<br/>", "<br />", "<a>", "</a>", "<x>", "<h1>", "</h1>",
    '<img src="pic.png">', '<img src="pic.png"/>', '<img src="http://evil.test/t.gif">',
    '<img src="../x.png" alt="">', '<img alt="x" src="a b.jpg" width="10">',
    '<span style="color: red">', '<font color="red">', '<div class="c" id="i">',
    '<ol type="A" start="3">', '<td colspan="2">', '<a href="javascript:alert(1)">',
    '<b onclick="x()">', "<b onclick='x()'>", '<img src="a&amp;b.png">', "<b >",
    "<script>", "</script>", "<style>", "</style>", "<title>", "<textarea>", "<!-- c -->",
    "&amp;", "&nbsp;", "&lt;", "&gt;", "&#39;", "&#0;", "&amp", "&bogus;", "&", ";", "<", ">",
    "a", "b ", "text ", "\n", "\t", "é", '"', "'", "=", "/", "src", "{{c1::", "}}",
]  # fmt: skip
TAG = re.compile(r"<(/?)([^\s/>]+)([^>]*)>")
ATTR = re.compile(r' ([a-z-]+)="')


def _parser(text: str) -> str:
    cleaner = _Cleaner()
    tokenize(text, cleaner)
    return "".join(cleaner.out)


class _Reference(HTMLParser):
    """Python's html.parser feeding the same cleaner: what the sanitiser used to be."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cleaner = _Cleaner()

    def handle_starttag(self, tag, attrs):
        self.cleaner.start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self.cleaner.start(tag, attrs, True)

    def handle_endtag(self, tag):
        self.cleaner.end(tag)

    def handle_data(self, data):
        self.cleaner.data(data)


def _reference(text: str) -> str | None:
    """html.parser's output, or None where it raises (AssertionError on `<![ x`)."""
    parser = _Reference()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):
        return None
    return "".join(parser.cleaner.out)


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(PIECES, k=rng.randint(1, 14))) for _ in range(count)]


def test_fast_path_gives_what_the_parser_gives():
    taken = 0
    for text in _texts(11, 20_000):
        fast = _sanitize_simple(text)
        if fast is not None:
            taken += 1
            assert fast == _parser(text), text
        if "<" in text or "&" in text:  # (without either, sanitize_html returns text as is)
            assert sanitize_html(text) == _parser(text), text
    assert taken > 1000  # the generator does reach the fast path


MALFORMED = ["'", '"', "<a b='", '<a b="', "<![", "<!", "<?", "</", "<", ">", "-->", "]]>",
             "<!--", "<![CDATA[", "<![if x]>", "<x y=z>", "\x00", " ", "/>", "&#", "&#x41;",
             "<p>", "<td>", "<tr>", "<!doctype html>", "<?xml?>", "</ b>", "</>"]  # fmt: skip


def test_tokenizer_reads_markup_as_html_parser_does():
    rng = random.Random(14)
    compared = 0
    for _ in range(20_000):
        text = "".join(rng.choices(PIECES + MALFORMED, k=rng.randint(1, 14)))
        expected = _reference(text)
        if expected is not None:
            compared += 1
            assert _parser(text) == expected, text
    assert compared > 15_000


def test_fast_path_output_holds_only_allowed_tags_and_attributes():
    for text in _texts(12, 5_000):
        fast = _sanitize_simple(text)
        if fast is None:
            continue
        assert fast.count("<") == len(TAG.findall(fast)), fast
        for m in TAG.finditer(fast):
            tag = m.group(2)
            assert tag in ALLOWED_TAGS, fast
            allowed = ALLOWED_ATTRS.get(tag, set()) | ALLOWED_ATTRS["*"]
            assert set(ATTR.findall(m.group(3))) <= allowed, fast
        assert "http:" not in fast and "../" not in fast and "javascript" not in fast, fast


def test_fast_path_declines_what_needs_the_parser():
    for text in ("<img src='a.png'>", "<b onclick='x()'>", "<script>x</script>", "a < b",
                 "<b >", '<img src="a&amp;b.png">', "<!-- c -->", "<title>t</title>",
                 '</b class="x">'):  # fmt: skip
        assert _sanitize_simple(text) is None, text
    assert _sanitize_simple('<div>a &amp; b&nbsp;c &gt; d<img src="x.png"></div>') == (
        '<div>a &amp; b\xa0c &gt; d<img src="x.png"></div>'
    )
    assert _sanitize_simple('<span style="color:red">x</span><img src="//evil/t.gif">') == (
        "<span>x</span>"
    )


def test_quick_unescape_is_html_unescape():
    import html

    from cehrs_cards.core.sanitize import unescape

    pieces = ["&nbsp;", "&amp;", "&lt;", "&gt;", "&quot;", "&amp", "&nbsp", "&ampx;", "&#39;",
              "&#x41;", "&bogus;", "&", ";", "amp;", "a", " ", "é", "&AMP;", "&LT;"]  # fmt: skip
    rng = random.Random(5)
    for _ in range(20_000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 10)))
        assert unescape(text) == html.unescape(text), text


def test_strip_html_is_the_regex_formula_it_replaced():
    import html

    from cehrs_cards.core.sanitize import strip_html

    breaks = re.compile(r"<br\s*/?>|</(p|div|li)>", re.IGNORECASE)
    spaces = re.compile(r"\s+")

    def old(text: str) -> str:
        no_tags = re.sub(r"<[^>]*>", "", breaks.sub(" ", text))
        return spaces.sub(" ", html.unescape(no_tags)).strip()

    extra = ["\xa0", "\u2028", "\x1f", "\x0b", " \t ", "<br/>", "<a <br>", "&nbsp;&nbsp;"]
    for text in _texts(13, 10_000) + ["".join(random.Random(i).choices(PIECES + extra, k=9))
                                      for i in range(5_000)]:  # fmt: skip
        assert strip_html(text) == old(text), text
