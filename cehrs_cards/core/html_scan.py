"""HTML tokenising for the sanitiser: html.parser's reading of markup, in linear time.

Python's html.parser raises AssertionError on some markup (`x <![ y`) and, at every '<' it
cannot close, searches the rest of the text again (`"</" * n` is quadratic: minutes for one
field). This tokenizer reads markup as html.parser does (Python 3.11) for whatever a browser
or Anki's editor writes, so a sanitised field comes out as before, but it never raises and
never reads a stretch of text more than a few times:

- each search for a closing '>', '-->' or ']]>' is remembered, so text without one is scanned
  once, not once per '<';
- a quoted attribute value that never closes runs to the end of the text, as in a browser,
  where html.parser fails the match and tries again at the next '<';
- once start tags have cost a few passes over the text, each is read only up to the next '>'
  (a quoted '>' inside an attribute value then ends the tag: text, escaped);
- an unknown `<![name` section (AssertionError in html.parser) is text.
"""

from __future__ import annotations

import html
import re
from typing import Protocol

Attrs = list[tuple[str, str | None]]


class Sink(Protocol):
    """What the tokenizer reports, in document order."""

    def start(self, tag: str, attrs: Attrs, self_closing: bool) -> None: ...
    def end(self, tag: str) -> None: ...
    def data(self, text: str) -> None: ...


# A '<' that may start markup; any other '<' is text (html.parser hands it on as data).
_MARKUP_START = re.compile(r"<[a-zA-Z/!?]")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_END = re.compile(r"[\t\n\r\f />\x00]")
# Everything after a start tag's name that html.parser reads as part of the tag.
_ATTRS = re.compile(
    r"""(?:[\s/]*
          (?:(?<=['"\s/])[^\s/>][^\s/=>]*
            (?:\s*=+\s*(?:'[^']*(?:'|\Z)|"[^"]*(?:"|\Z)|(?!['"])[^>\s]*)\s*)?
            (?:\s|/(?!>))*
          )*
        )?\s*""",
    re.VERBOSE,
)
_ATTR = re.compile(
    r"""((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*"""
)
_AFTER_NAME = re.compile(r"(?:\s|/(?!>))*")
_END_TAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")
_END_NAME = re.compile(r"[a-zA-Z][^\t\n\r\f />\x00]*")
_DECL_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*\s*")
_COMMENT_END = re.compile(r"--\s*>")
_SECTION_END = re.compile(r"]\s*]\s*>")  # <![CDATA[ ... ]]>
_MSO_SECTION_END = re.compile(r"]\s*>")  # <![if ...]> as Word writes it
_RAW_TEXT = ("script", "style")  # html.parser skips their content up to the closing tag
_WORK_PASSES = 4  # start tags may cost this many passes over the text before windowing


class _Next:
    """The first match of a pattern at or after a position, remembered between calls, so
    asking again from a later position costs nothing until that match is passed."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.text = text
        self.pattern = pattern
        self.since = len(text) + 1
        self.found: re.Match[str] | None = None

    def at(self, pos: int) -> re.Match[str] | None:
        found = self.found
        if not (self.since <= pos and (found is None or found.start() >= pos)):
            self.since = pos
            self.found = found = self.pattern.search(self.text, pos)
        return found


class _Gt:
    """Position of the next '>' at or after a position (-1: none), remembered likewise."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.since = len(text) + 1
        self.found = -1

    def at(self, pos: int) -> int:
        if not (self.since <= pos and (self.found < 0 or self.found >= pos)):
            self.since = pos
            self.found = self.text.find(">", pos)
        return self.found


def tokenize(text: str, sink: Sink) -> None:
    """Report the tags and text of `text` to `sink`; never raises, linear in len(text)."""
    _Scanner(text, sink).run()


class _Scanner:
    def __init__(self, text: str, sink: Sink) -> None:
        self.raw = text
        self.n = len(text)
        self.sink = sink
        self.gt = _Gt(text)
        self.name_end = _Next(text, _NAME_END)
        self.comment_end = _Next(text, _COMMENT_END)
        self.section_end = _Next(text, _SECTION_END)
        self.mso_end = _Next(text, _MSO_SECTION_END)
        self.budget = _WORK_PASSES * self.n + 4096
        self.raw_text: str | None = None  # inside <script> or <style>

    def run(self) -> None:
        raw, n, i = self.raw, self.n, 0
        last_amp = raw.rfind("&")
        while i < n:
            if self.raw_text is not None:
                i = self._skip_raw_text(i)
                continue
            if self.gt.at(i) < 0 and last_amp < i:
                self.sink.data(raw[i:])  # no '>' left: no markup, and no reference either
                return
            found = _MARKUP_START.search(raw, i)
            j = found.start() if found else n
            if i < j:
                self.sink.data(unescape(raw[i:j]))
            if j == n:
                return
            k = self._markup(j)
            if k < 0:
                k = self._as_text(j)
            i = k

    def _markup(self, i: int) -> int:
        """End of the construct at '<' (i), or -1 if it is not one (then it is text)."""
        raw = self.raw
        nxt = raw[i + 1 : i + 2]
        if nxt in _LETTERS:
            return self._start_tag(i)
        if nxt == "/":
            return self._end_tag(i)
        if raw.startswith("<!--", i):
            return self._search_end(self.comment_end, i + 4)
        if nxt == "?":
            return self._after_gt(i + 2)
        return self._declaration(i)  # "<!"

    def _as_text(self, i: int) -> int:
        """html.parser's reading of a construct that does not close: text up to the next '>'
        (or, without one, the next '<')."""
        gt = self.gt.at(i + 1)
        if gt >= 0:
            k = gt + 1
        else:
            k = self.raw.find("<", i + 1)
            k = k if k >= 0 else i + 1
        self.sink.data(unescape(self.raw[i:k]))
        return k

    def _after_gt(self, pos: int) -> int:
        gt = self.gt.at(pos)
        return gt + 1 if gt >= 0 else -1

    def _search_end(self, finder: _Next, pos: int) -> int:
        found = finder.at(pos)
        return found.end() if found else -1

    def _declaration(self, i: int) -> int:
        raw = self.raw
        if raw.startswith("<![", i):
            return self._marked_section(i)
        if raw[i : i + 9].lower() == "<!doctype":
            return self._after_gt(i + 9)
        return self._after_gt(i + 2)  # a bogus comment, up to the next '>'

    def _marked_section(self, i: int) -> int:
        m = _DECL_NAME.match(self.raw, i + 3)
        if m is None or m.end() == self.n:
            return -1
        name = m.group().strip().lower()
        if name in ("temp", "cdata", "ignore", "include", "rcdata"):
            return self._search_end(self.section_end, i + 3)
        if name in ("if", "else", "endif"):
            return self._search_end(self.mso_end, i + 3)
        return -1  # html.parser raises AssertionError here

    def _end_tag(self, i: int) -> int:
        raw = self.raw
        gt = self.gt.at(i + 1)
        if gt < 0:
            return -1
        m = _END_TAG.match(raw, i, gt + 1)
        if m is not None:
            self.sink.end(m.group(1).lower())
            return gt + 1
        name = _END_NAME.match(raw, i + 2, gt + 1)
        if name is None:
            return i + 3 if raw.startswith("</>", i) else gt + 1  # else a bogus comment
        self.sink.end(name.group().lower())
        return gt + 1

    def _skip_raw_text(self, i: int) -> int:
        """Past the end tag of a <script> or <style> (its content is never shown)."""
        assert self.raw_text is not None
        pattern = re.compile(rf"</\s*{self.raw_text}\s*>", re.IGNORECASE)
        found = pattern.search(self.raw, i)
        if found is None:
            return self.n  # html.parser drops an unclosed script's content as well
        self.sink.data(self.raw[i : found.start()])
        self.sink.end(self.raw_text)
        self.raw_text = None
        return found.end()

    def _start_tag(self, i: int) -> int:
        raw, n = self.raw, self.n
        found = self.name_end.at(i + 2)
        name_end = found.start() if found else n
        limit = n
        if self.budget < 0:  # windowed: the tag ends at the next '>'
            gt = self.gt.at(name_end)
            if gt < 0:
                return -1
            limit = gt + 1
        m = _ATTRS.match(raw, name_end, limit)
        j = m.end() if m else name_end
        self.budget -= j - i
        end = self._tag_end(i, j, limit)
        if end < 0:
            return -1
        tag = raw[i + 1 : name_end].lower()
        return self._emit_start(i, tag, name_end, end)

    def _tag_end(self, i: int, j: int, limit: int) -> int:
        """Where the tag read up to `j` ends (html.parser's check_for_whole_start_tag)."""
        nxt = self.raw[j : j + 1] if j < limit else ""
        if nxt == ">":
            return j + 1
        if nxt == "/":
            return j + 2 if self.raw.startswith("/>", j) and j + 2 <= limit else -1
        if nxt == "" or nxt in _LETTERS or nxt == "=":
            return -1
        return j if j > i else i + 1

    def _emit_start(self, i: int, tag: str, name_end: int, end: int) -> int:
        raw = self.raw
        after = _AFTER_NAME.match(raw, name_end, end)
        k = after.end() if after else name_end
        attrs: Attrs = []
        while k < end:
            m = _ATTR.match(raw, k, end)
            if m is None:
                break
            name, rest, value = m.group(1, 2, 3)
            if not rest:
                value = None
            elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
                value = value[1:-1]
            attrs.append((name.lower(), unescape(value) if value else value))
            k = m.end()
        close = raw[k:end].strip()
        if close not in (">", "/>"):
            self.sink.data(raw[i:end])
        elif close == "/>":
            self.sink.start(tag, attrs, True)
        else:
            self.sink.start(tag, attrs, False)
            if tag in _RAW_TEXT:
                self.raw_text = tag
        return end


_COMMON_REFS = (("nbsp;", "\xa0"), ("amp;", "&"), ("lt;", "<"), ("gt;", ">"), ("quot;", '"'))
_LONG_NUMBER = re.compile(r"&#(?:[0-9]{8,}|[xX][0-9a-fA-F]{7,});?")


def unescape(text: str) -> str:
    """html.unescape(text), quicker when every reference is one of the five common ones, and
    safe on numeric references of any length (html.unescape raises ValueError past 4,300
    digits: Python's limit on converting long digit strings).

    Each "&" starts at most one reference, which never reaches past the next "&", so the
    pieces between "&"s can be resolved one by one; anything else goes to html.unescape.
    """
    if "&" not in text:
        return text
    head, *pieces = text.split("&")
    out = [head]
    for piece in pieces:
        for name, char in _COMMON_REFS:
            if piece.startswith(name):
                out.append(char)
                out.append(piece[len(name) :])
                break
        else:
            return _unescape_any(text)
    return "".join(out)


def _unescape_any(text: str) -> str:
    if "&#" in text:
        text = _LONG_NUMBER.sub(_long_number, text)
    return html.unescape(text)


def _long_number(m: re.Match[str]) -> str:
    """A numeric reference with many digits made short (leading zeros dropped) for
    html.unescape to read, or U+FFFD, its reading of a number past the last code point."""
    ref = m.group()
    semi = ";" if ref.endswith(";") else ""
    hexa = ref[2:3] in ("x", "X")
    digits = ref[3 if hexa else 2 :].rstrip(";").lstrip("0") or "0"
    if len(digits) > 7:
        return "\ufffd"
    return f"&#{'x' if hexa else ''}{digits}{semi}"
