"""A note's searchable text: its fields joined by 0x1f with common markup taken out.

The text index (note_fts) holds the trigrams of this text; the schema's trigger computes it in
SQL (migrations.note_text_sql), the importer and the search in Python (note_text, equal to the
SQL on every input: tests/services/test_import_rows.py). The index keeps no copy of the text:
a search that must look at it computes it from the stored fields (text_of).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from cehrs_cards.db import migrations

FIELD_SEP = "\x1f"


def _python_markup() -> tuple[tuple[str, str], ...] | None:
    """The trigger's replace() pairs (migrations._MARKUP) as Python strings, None if unknown."""
    pairs = getattr(migrations, "_MARKUP", None)
    try:
        return tuple((_py_literal(old), _py_literal(new)) for old, new in pairs or ())
    except (TypeError, ValueError):
        return None


def _py_literal(sql: str) -> str:
    if m := re.fullmatch(r"char\((\d+)\)", sql):
        return chr(int(m.group(1)))
    if m := re.fullmatch(r"'((?:[^']|'')*)'", sql):
        return m.group(1).replace("''", "'")
    raise ValueError(f"unexpected SQL literal {sql!r}")


def _by_first_char(
    pairs: tuple[tuple[str, str], ...],
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Consecutive pairs grouped by their pattern's first character, order kept."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for old, new in pairs:
        if not groups or groups[-1][0] != old[0]:
            groups.append((old[0], []))
        groups[-1][1].append((old, new))
    return groups


MARKUP = _python_markup()
_GROUPS = _by_first_char(MARKUP or ())
_FIRSTS = tuple(c for c, _ in _GROUPS)


def note_text(values: Sequence[str]) -> str | None:
    """A note's searchable text, equal to what migrations.note_text_sql makes of its fields.

    The same replacements in the same order; a group of them is skipped when the character
    its patterns start with is absent at that point (none of them could match).
    """
    if not values:
        return None  # group_concat over no fields
    text = FIELD_SEP.join(values)
    if _has_any(text, _FIRSTS):
        for first, pairs in _GROUPS:
            if first in text:
                for old, new in pairs:
                    if old in text:
                        text = text.replace(old, new)
    return text


def text_of(fields: object) -> str:
    """note_text of a note's stored fields (its JSON list); "" for anything unreadable."""
    try:
        values = json.loads(fields) if isinstance(fields, str) else None
    except ValueError:
        return ""
    if not isinstance(values, list):
        return ""
    return note_text([v if isinstance(v, str) else "" for v in values]) or ""


def _has_any(text: str, chars: Sequence[str]) -> bool:
    """Whether `text` holds one of `chars`: a scan per character in C, three times quicker
    than a regular expression's character class on a note's text (two per imported note)."""
    for char in chars:  # noqa: SIM110 (any() over a generator: twice the time)
        if char in text:
            return True
    return False


def rich_kind(fields: str) -> int | None:
    """A note's row in note_rich, as migrations.rich_sql computes it from the stored JSON:
    1 if it holds a RICH_MARKS character, else 0 if it holds a character beyond ASCII (or a
    NUL, which SQLite's length() stops at), else None (plain ASCII: no row)."""
    if _has_any(fields, migrations.RICH_MARKS):
        return 1
    if not fields.isascii() or "\x00" in fields:
        return 0
    return None
