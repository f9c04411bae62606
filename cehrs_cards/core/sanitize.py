"""HTML sanitiser for card fields: a small allow-list, no scripts, no remote loads.

Runs on import and again on display, so a hostile deck can neither run code nor phone home.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import unquote

from cehrs_cards.core.html_scan import Attrs, tokenize, unescape

ALLOWED_TAGS = frozenset(
    (
        "b i u em strong br p div span ul ol li sub sup img hr table thead tbody tr td th "
        "code pre blockquote h1 h2 h3 h4 small big s strike font center"
    ).split()
)
VOID_TAGS = frozenset({"br", "img", "hr"})
DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template"})
ALLOWED_ATTRS = {
    "img": {"src", "alt", "width", "height", "title"},
    "ol": {"type", "start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "font": {"color"},
    "*": {"class", "title", "id"},
}
_REMOTE = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def safe_media_src(src: str) -> str | None:
    """A media reference we allow: a bare local file name, no scheme, no path, no '..' —
    also once percent-decoded, as Qt decodes it before opening (%2F is a '/')."""
    s = src.strip()
    decoded = s
    for _ in range(4):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    for name in (s, decoded):
        if not name or _REMOTE.match(name) or any(c in name for c in "/\\\0:"):
            return None
        if name.startswith(".") or "%" in decoded:
            return None
    return s


MAX_DEPTH = 64  # deeper elements are flattened: Qt takes seconds to lay out deep nesting
MAX_TABLES = 8
"""Tables nested deeper are flattened (their cells' content kept, a space apart): Qt's time
to lay out nested tables doubles with each level past ten (16 levels 0.6 s, 20 levels 9 s,
50 never ending), and MAX_DEPTH alone lets 21 through."""
_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tr", "td", "th"})
# Elements a new one of the same name closes (as a browser does: <li>a<li>b are siblings),
# looked for among the few innermost open elements only.
_SIBLINGS = frozenset({"li", "p", "td", "th", "tr"})
_SIBLING_REACH = 8
_SCOPES = {"td": ("table",), "th": ("table",), "tr": ("table",), "li": ("ul", "ol")}
"""A sibling is looked for only inside the nearest open table (list), as a browser does."""


class _Cleaner:
    """Receives the tokenizer's tags and text; keeps the allowed ones, escaped.

    Tracks the open elements so nesting deeper than MAX_DEPTH is flattened: the start tag and
    its end tag are left out, their content kept. So are tables nested deeper than
    MAX_TABLES, with every part of them.
    """

    def __init__(self) -> None:
        self.out: list[str] = []
        self._drop_depth = 0
        self._open: list[tuple[str, bool]] = []  # (tag, written)
        self._open_count: dict[str, int] = {}
        self._written = 0
        self._tables = 0  # open tables written
        self._flat_tables = 0  # open tables flattened

    def start(self, tag: str, attrs: Attrs, self_closing: bool) -> None:
        if tag in DROP_CONTENT:
            self._drop_depth += 1
            return
        if self._drop_depth:
            return
        text = _start_tag(tag, attrs)
        if not text or tag in VOID_TAGS:
            self.out.append(text)
            return
        if tag in _SIBLINGS:
            self._close_sibling(tag)
        written = self._written < MAX_DEPTH and not self._table_too_deep(tag)
        self._open.append((tag, written))
        self._open_count[tag] = self._open_count.get(tag, 0) + 1
        if tag == "table":
            self._tables += written
            self._flat_tables += not written
        if written:
            self._written += 1
            self.out.append(text)
        elif tag in ("td", "th"):
            self.out.append(" ")  # a flattened table's cells stay apart

    def _table_too_deep(self, tag: str) -> bool:
        """A table MAX_TABLES deep, or a part of one that was flattened."""
        if tag == "table":
            return self._tables >= MAX_TABLES or self._flat_tables > 0
        return tag in _TABLE_PARTS and self._flat_tables > 0

    def end(self, tag: str) -> None:
        if tag in DROP_CONTENT:
            self._drop_depth = max(0, self._drop_depth - 1)
        elif not self._drop_depth:
            written = self._close(tag) if self._open_count.get(tag) else True
            if written:
                self.out.append(_end_tag(tag))

    def data(self, text: str) -> None:
        if not self._drop_depth:
            self.out.append(html.escape(text, quote=False))

    def _close_sibling(self, tag: str) -> None:
        scope = _SCOPES.get(tag, ())
        for depth, (name, _) in enumerate(reversed(self._open[-_SIBLING_REACH:])):
            if name in scope:
                return  # inside a table (or list) of its own: a new cell, not a sibling
            if name == tag:
                del_from = len(self._open) - depth - 1
                while len(self._open) > del_from:
                    self._pop()
                return

    def _close(self, tag: str) -> bool:
        """Close the innermost open `tag` and what is open inside it; whether it was written."""
        while True:
            name, written = self._pop()
            if name == tag:
                return written

    def _pop(self) -> tuple[str, bool]:
        name, written = self._open.pop()
        self._open_count[name] -= 1
        if name == "table":
            self._tables -= written
            self._flat_tables -= not written
        if written:
            self._written -= 1
        return name, written


def _start_tag(tag: str, attrs: Sequence[tuple[str, str | None]]) -> str:
    """An allowed tag with its allowed attributes; "" for any other tag, and for an image
    whose source is not a local file."""
    if tag not in ALLOWED_TAGS:
        return ""
    kept = _allowed_attrs(tag, attrs)
    if tag == "img" and "src" not in dict(kept):
        return ""
    text = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in kept)
    return f"<{tag}{text}>"


def _allowed_attrs(tag: str, attrs: Sequence[tuple[str, str | None]]) -> list[tuple[str, str]]:
    allowed = ALLOWED_ATTRS.get(tag, set()) | ALLOWED_ATTRS["*"]
    kept: list[tuple[str, str]] = []
    for k, v in attrs:
        if k not in allowed or v is None:
            continue
        if k == "src":
            src = safe_media_src(v)
            if src is None:
                continue
            v = src
        kept.append((k, v))
    return kept


def _end_tag(tag: str) -> str:
    return f"</{tag}>" if tag in ALLOWED_TAGS and tag not in VOID_TAGS else ""


def sanitize_html(text: str) -> str:
    """Return `text` with only allowed tags and attributes; text content is kept, escaped."""
    if "<" not in text and "&" not in text:
        return text
    simple = _sanitize_simple(text)
    if simple is not None:
        return simple
    cleaner = _Cleaner()
    tokenize(text, cleaner)
    return "".join(cleaner.out)


def sanitize_field(text: str) -> str:
    """sanitize_html(text), or `text` itself, byte for byte, when the two differ only in
    character references the sanitiser wrote as characters (`&nbsp;`, `&eacute;`, `&#233;`:
    never one that stands for markup, `<>&"'`). Both then read the same in any browser, and
    an imported field keeps the exact text its author wrote (issue 21 item 4)."""
    clean = sanitize_html(text)
    if clean == text or "&" not in text:
        return clean
    return text if _REFERENCE.sub(_plain_reference, text) == clean else clean


_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MARKUP_CHARS = frozenset("<>&\"'")


def _plain_reference(m: re.Match[str]) -> str:
    """A character reference as its character, unless that character is markup."""
    return _reference_text(m.group(0))


@lru_cache(maxsize=4096)
def _reference_text(ref: str) -> str:
    """_plain_reference of one reference, remembered: a deck repeats the same few (&nbsp;)."""
    char = html.unescape(ref)
    return ref if len(char) != 1 or char in _MARKUP_CHARS else char


# Tags of the plainest form: <b>, </div>, <br/>, <img src="a.png" alt="">. Attribute values
# hold no quote, markup, entity or line break, so the parser would read them as written.
_SIMPLE_TAG = re.compile(
    r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?: +[a-z][a-z-]*="[^"&<>\t\n\r]*")*)( ?/)?>'
)
# The same pattern with one group around the whole tag and none inside (for re.split).
_SIMPLE_TAG_WHOLE = re.compile("(" + re.sub(r"\((?!\?)", "(?:", _SIMPLE_TAG.pattern) + ")")
_SIMPLE_ATTR = re.compile(r'([a-z][a-z-]*)="([^"]*)"')
# Tags whose content some HTML parser reads as text or drops: always left to the parser.
_PARSER_ONLY = DROP_CONTENT | {"textarea", "title", "plaintext", "xmp", "noembed", "noframes"}


def _sanitize_simple(text: str) -> str | None:
    """What the parser makes of text whose tags all have the plainest form, else None.

    Most imported fields look like that, and the parser costs several times as much. Tags go
    through the same allow-list as the parser's (_start_tag, _end_tag); text between them
    is unescaped and escaped again as the parser's data is. test_sanitize_fast_path holds
    the two to the same output on generated text. A deck repeats the same few tags
    thousands of times, so each distinct tag's output is remembered (_TAG_OUT).
    """
    parts = _SIMPLE_TAG_WHOLE.split(text)  # text, tag, text, tag, ..., text
    texts = parts[0::2]
    joined = "".join(texts)
    if "<" in joined:
        return None  # markup the simple form does not cover
    get = _TAG_OUT.get
    tags = [get(t, _UNSEEN) for t in parts[1::2]]
    if _UNSEEN in tags:
        pairs = zip(parts[1::2], tags, strict=True)
        tags = [_remember_tag(t) if out is _UNSEEN else out for t, out in pairs]
    if None in tags or (len(tags) > MAX_DEPTH and _opened(tags) > MAX_DEPTH):
        return None  # None: the parser's reading; too many opened: it may need flattening
    if len(tags) > MAX_TABLES and text.lower().count("<table") > MAX_TABLES:
        return None  # tables that may be nested too deep: the parser flattens them
    if "&" in joined or ">" in joined:
        texts = [_as_data(t) if t else t for t in texts]
    parts[0::2] = texts
    parts[1::2] = tags
    return "".join(parts)  # type: ignore[arg-type]  # every tag output is a str here


def _opened(tags: list[str | None]) -> int:
    """How many of these tag outputs open an element (an upper bound on their depth)."""
    return sum(1 for t in tags if t and t[1] != "/" and t[1:3] not in ("br", "im", "hr"))


_TAG_OUT: dict[str, str | None] = {}  # a simple tag, as written -> its output (None: parser)
_TAG_OUT_MAX = 4096
_UNSEEN = "\x00unseen"  # never an output: outputs are tags or ""


def _remember_tag(whole: str) -> str | None:
    m = _SIMPLE_TAG.fullmatch(whole)
    assert m is not None  # `whole` was matched by the same pattern, wrapped in a group
    closing, name, attrs, self_closing = m.groups()
    tag = name.lower()
    out: str | None
    if tag in _PARSER_ONLY or (closing and (attrs or self_closing)):
        out = None
    elif closing:
        out = _END.get(tag, "")
    elif attrs:
        out = _start_tag(tag, _SIMPLE_ATTR.findall(attrs))
    else:
        out = _BARE.get(tag, "")
    if len(_TAG_OUT) >= _TAG_OUT_MAX:
        _TAG_OUT.clear()
    _TAG_OUT[whole] = out
    return out


def _as_data(chunk: str) -> str:
    """Text between tags as the parser hands it on: character references resolved, escaped."""
    if "&" in chunk:
        chunk = unescape(chunk)
    if "&" in chunk or "<" in chunk or ">" in chunk:
        return html.escape(chunk, quote=False)
    return chunk


_BARE = {tag: _start_tag(tag, []) for tag in ALLOWED_TAGS}  # "<b>"; "" for <img> (no src)
_END = {tag: _end_tag(tag) for tag in ALLOWED_TAGS}


_BREAKS = re.compile(r"<br\s*/?>|</(p|div|li)>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")


def strip_html(text: str) -> str:
    """Plain text of an HTML fragment (for sorting, searching, CSV and summaries): tags
    gone (line breaks and block ends as spaces), references resolved, runs of whitespace
    as one space (str.split's whitespace is the same set as the regex \\s)."""
    no_tags = text
    if "<" in text:
        no_tags = _BREAKS.sub(" ", text)
        last = no_tags.rfind(">")
        if no_tags.find("<", last + 1) < 0:  # every '<' has a '>' after it: the usual case
            no_tags = _ANY_TAG.sub("", no_tags)
        else:
            no_tags = _strip_before(no_tags, last)
    if "&" in no_tags:
        no_tags = unescape(no_tags)
    return " ".join(no_tags.split())


def _strip_before(text: str, last: int) -> str:
    """`text` without its tags when some '<' has no '>' after it: the pattern would scan to
    the end and fail from every such '<' ("<" * n: quadratic), so it is kept to the part up
    to the last '>' (the rest can hold no tag)."""
    if last < 0:
        return text
    return _ANY_TAG.sub("", text[: last + 1]) + text[last + 1 :]
