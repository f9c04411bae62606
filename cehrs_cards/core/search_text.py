"""How search text is compared: regular expressions for patterns, accents removed (nc:),
cloze markers removed (sc:), and Anki's regular expressions made to read as Anki reads them.

Case: every search folds case with Python's Unicode rules (re.IGNORECASE), whatever the
length of the query, so CAFÉ finds café and ελ finds Ελ. Pure: stdlib only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cehrs_cards.core.search import Pattern

FIELD_SEP = "\x1f"
"""Between the fields of a note in the searchable text (as Anki joins them)."""
SORT_SEP = "\x1e"
"""Between the fields and the sort field's plain text, when the index keeps both."""

_EXTRA_LETTERS = {
    "€": "E", "Æ": "AE", "Ð": "D", "Ø": "O", "Þ": "TH", "ß": "s", "æ": "ae", "ð": "d",
    "ø": "o", "þ": "th", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "ĸ": "k",
    "Ł": "L", "ł": "l", "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe", "Ŧ": "T", "ŧ": "t",
    "Ə": "E", "ǝ": "e", "ɑ": "a",
}  # fmt: skip
"""Letters nc: treats as plain ones although Unicode does not decompose them (as Anki)."""
_CLOZE = re.compile(r"\{\{c[\d,]+::(.*?)(?:::.*?)?\}\}", re.S)


def without_combining(text: str) -> str:
    """nc: text: compatibility-decomposed, combining marks dropped (über -> uber, ß -> s)."""
    if text.isascii():
        return text
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.category(ch)[0] != "M":
            out.append(_EXTRA_LETTERS.get(ch, ch))
    return "".join(out)


def strip_clozes(text: str) -> str:
    """sc: text: {{c1::answer::hint}} read as answer."""
    return _CLOZE.sub(r"\1", text) if "{{c" in text else text


def contains(pat: Pattern) -> str:
    """Regex for 'the pattern anywhere' (Anki's LIKE '%pattern%'; * and _ cross lines)."""
    return "(?is)" + pat.regex()


def whole(pat: Pattern) -> str:
    """Regex for 'the whole text is the pattern' (field searches)."""
    return r"(?is)\A" + pat.regex() + r"\Z"


def word(pat: Pattern) -> str:
    """Regex for w: the pattern between word boundaries (Unicode words, as Anki's engine)."""
    return r"(?i)\b" + pat.regex() + r"\b"


def in_tag(pat: Pattern) -> str:
    """Regex for one tag: the pattern is the tag or its parent (tag:a finds a::b); wildcards
    stay inside the tag."""
    return "(?i)" + pat.regex(any_run=r"\S*", one=r"\S") + r"(?:::|\Z)"


def like(pat: Pattern, anywhere: bool) -> str | None:
    """The pattern as SQLite LIKE (escape \\) when LIKE gives exactly the regex's answer:
    ASCII only, and none of i, s, k, whose Unicode case partners (İ ı ſ K) LIKE ignores.
    LIKE runs in C: a short search scans 100,000 notes several times faster."""
    text = "".join(p for p in pat.pieces if not p.startswith("\x00"))
    if not text.isascii() or any(ch in "iskISK" for ch in text):
        return None
    body = pat.like()
    return f"%{body}%" if anywhere else body


def no_accents(pat: Pattern) -> Pattern:
    return Pattern(tuple(p if p.startswith("\x00") else without_combining(p) for p in pat.pieces))


@lru_cache(maxsize=256)
def compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


# ----- Anki's regular expressions (Rust's regex crate) for RE2 ----------------------------------

_UNICODE_CLASSES = {
    "d": r"\p{Nd}",
    "w": r"\p{L}\p{M}\p{Nd}\p{Pc}",
    "s": r"\t\n\v\f\r \x{85}\p{Z}",
}


def anki_regex(pattern: str) -> str:
    """An Anki regex (case-insensitive unless it says (?-i)) for RE2, whose \\d \\w \\s
    are ASCII only: they become the Unicode classes Anki's engine means by them."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(_class_escape(nxt, in_class) or ch + nxt)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            i += 1
            for lead in ("^", "]"):  # '[]...]' and '[^]...]': a leading ] is literal
                if pattern.startswith(lead, i):
                    out.append(lead)
                    i += 1
            continue
        if ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "(?i)" + "".join(out)


def _class_escape(letter: str, in_class: bool) -> str | None:
    body = _UNICODE_CLASSES.get(letter.lower())
    if body is None:
        return None
    if letter.islower():
        return body if in_class else f"[{body}]"
    return None if in_class else f"[^{body}]"
