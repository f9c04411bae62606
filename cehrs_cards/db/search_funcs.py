"""SQL functions the search needs, registered on each connection that searches.

Each takes a regular expression as its first argument (bound by the translator, never SQL
text) and the text to test. Plain patterns run on Python's re with Unicode case folding;
the user's own regular expressions (re:) run on RE2, whose matching takes linear time, so a
pathological expression cannot freeze the window. Compiled expressions are cached.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cehrs_cards.core.search import SearchError
from cehrs_cards.core.search_text import (
    FIELD_SEP,
    compiled,
    strip_clozes,
    without_combining,
)
from cehrs_cards.db.note_text import text_of


@lru_cache(maxsize=64)
def user_regex(pattern: str) -> Any:
    """RE2 for an (already translated) user regex; SearchError naming the problem. (RE2 is
    imported on first use: loading it costs the app's start-up time for nothing otherwise.)"""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise SearchError(f"The regular expression is not valid: {detail}.") from None


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def cc_match(regex: str, text: object) -> bool:
    return compiled(regex).search(_text(text)) is not None


def cc_nc(regex: str, text: object) -> bool:
    return compiled(regex).search(without_combining(_text(text))) is not None


def cc_sc(regex: str, fields: object, sort_field: object) -> bool:
    rx = compiled(regex)
    return any(rx.search(strip_clozes(_text(t))) for t in (fields, sort_field))


def cc_re(regex: str, text: object) -> bool:
    return user_regex(regex).search(_text(text)) is not None


def cc_tags(regex: str, tags: object, nc: int) -> bool:
    rx = compiled(regex)
    words = _text(tags).split()
    return any(rx.match(without_combining(t) if nc else t) for t in words)


def cc_tags_re(regex: str, tags: object) -> bool:
    rx = user_regex(regex)
    return any(rx.search(t) for t in _text(tags).split())


def cc_flds(fields: object) -> str:
    """A note's fields (JSON list) joined by 0x1f, as Anki stores them."""
    try:
        values = json.loads(_text(fields))
    except ValueError:
        return ""
    return FIELD_SEP.join(v if isinstance(v, str) else "" for v in values)


FUNCTIONS: list[tuple[str, int, Callable[..., bool | str]]] = [
    ("cc_text", 1, text_of),
    ("cc_match", 2, cc_match),
    ("cc_nc", 2, cc_nc),
    ("cc_sc", 3, cc_sc),
    ("cc_re", 2, cc_re),
    ("cc_tags", 3, cc_tags),
    ("cc_tags_re", 2, cc_tags_re),
    ("cc_flds", 1, cc_flds),
]


def register(con: sqlite3.Connection) -> None:
    """Add the search functions (and pow/floor where SQLite lacks math) to a connection."""
    for name, arity, fn in FUNCTIONS:
        con.create_function(name, arity, fn, deterministic=True)
    try:
        con.execute("SELECT pow(2, 2), floor(1.5)")
    except sqlite3.OperationalError:  # SQLite built without math functions
        con.create_function("pow", 2, math.pow, deterministic=True)
        con.create_function("floor", 1, math.floor, deterministic=True)
