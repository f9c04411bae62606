"""What a search's translation to SQL needs besides the syntax tree: the time, the FSRS
decay, and the catalogue of note types, decks and saved searches."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cehrs_cards.core import search as q
from cehrs_cards.core.sanitize import strip_html
from cehrs_cards.db.timefmt import to_db

FSRS_DEFAULT_DECAY = 0.1542


@dataclass(frozen=True)
class NoteTypeInfo:
    """What searches need to know of a note type: names of its fields and card templates."""

    id: int
    name: str
    kind: str
    fields: tuple[str, ...]
    templates: tuple[str, ...]


@dataclass(frozen=True)
class SearchContext:
    """What a translation needs besides the tree: the time, FSRS decay, the catalogue."""

    now: datetime
    day_start: datetime
    day_end: datetime
    learn_cutoff: datetime
    decay: float = FSRS_DEFAULT_DECAY
    leech_lapses: int = 8
    notetypes: tuple[NoteTypeInfo, ...] = ()
    decks: tuple[tuple[int, str], ...] = ()
    saved: Mapping[str, str] = field(default_factory=dict)
    first_fields: Mapping[int, Mapping[int, str]] = field(default_factory=dict)
    """Note type id -> {note id: first field}, only when dupe: asks (see catalogue)."""

    def base_params(self) -> dict[str, Any]:
        factor = 0.9 ** (1 / -self.decay) - 1
        return {
            "now": to_db(self.now),
            "day_start": to_db(self.day_start),
            "day0": to_db(self.day_start - timedelta(days=73_000)),
            "day_end": to_db(self.day_end),
            "learn_cutoff": to_db(self.learn_cutoff),
            "r_now": to_db(self.now),
            "r_factor": factor,
            "r_decay": self.decay,
        }

    def field_places(self, name: q.Pattern) -> list[tuple[int, list[int]]]:
        """(note type id, field indexes) of every field whose name matches (any case; *:
        every field; fr*: fields starting fr), as Anki resolves field names."""
        out = []
        for nt in self.notetypes:
            found = [i for i, f in enumerate(nt.fields) if name_matches(name, f)]
            if found:
                out.append((nt.id, found))
        return out

    def no_field_message(self, name: str) -> str:
        known = sorted({f for nt in self.notetypes for f in nt.fields}, key=str.lower)
        return (
            f"No note type has a field called '{name}' (fields: {', '.join(known) or 'none'}). "
            "To search for text containing ':', put a backslash before it (\\:)."
        )

    def dupes(self, notetype_id: int, text: str) -> list[int]:
        """Notes of that type whose first field, without markup, is `text` without markup."""
        wanted = strip_html(text)
        firsts = self.first_fields.get(notetype_id, {})
        return [nid for nid, first in firsts.items() if strip_html(first) == wanted]


def name_matches(pat: q.Pattern, name: str) -> bool:
    """A name against a glob, any case (Anki: unicase equality, or a regex with (?i))."""
    if not pat.has_wildcards:
        return pat.literal().casefold() == name.casefold()
    return re.fullmatch("(?is)" + pat.regex(), name) is not None
