"""HTML sanitiser for card fields: a small allow-list, no scripts, no remote loads.

Runs on import and again on display, so a hostile deck can neither run code nor phone home.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

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
    """A media reference we allow: a bare local file name, no scheme, no path, no '..'."""
    s = src.strip()
    if not s or _REMOTE.match(s) or "/" in s or "\\" in s or s.startswith("."):
        return None
    return s


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._drop_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT:
            self._drop_depth += 1
            return
        if self._drop_depth or tag not in ALLOWED_TAGS:
            return
        kept = self._attrs(tag, attrs)
        if tag == "img" and "src" not in dict(kept):
            return
        text = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in kept)
        self.out.append(f"<{tag}{text}>")

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
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

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_CONTENT:
            self._drop_depth = max(0, self._drop_depth - 1)
            return
        if not self._drop_depth and tag in ALLOWED_TAGS and tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._drop_depth:
            self.out.append(html.escape(data, quote=False))


def sanitize_html(text: str) -> str:
    """Return `text` with only allowed tags and attributes; text content is kept, escaped."""
    if "<" not in text and "&" not in text:
        return text
    cleaner = _Cleaner()
    cleaner.feed(text)
    cleaner.close()
    return "".join(cleaner.out)


def strip_html(text: str) -> str:
    """Plain text of an HTML fragment (for sorting, searching, CSV and summaries)."""
    no_tags = re.sub(r"<br\s*/?>|</(p|div|li)>", " ", text, flags=re.IGNORECASE)
    no_tags = re.sub(r"<[^>]*>", "", no_tags)
    return re.sub(r"\s+", " ", html.unescape(no_tags)).strip()
