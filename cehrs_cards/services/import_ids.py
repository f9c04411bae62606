"""Ids and times of imported Anki notes and cards (issue 21 item 4): kept, so that Anki's
`nid:` and `cid:` searches, saved searches and links still find them, and `added:` and
`edited:` mean what they meant in Anki.

An Anki id is its row's creation time in milliseconds. It is kept where the collection does
not use it yet; otherwise (and for rows without one) the next number above every id the
collection and the package hold is used, so no two new rows can meet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from cehrs_cards.db.import_rows import taken_ids
from cehrs_cards.db.timefmt import ms_text, to_ms

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows

FIRST_ANKI = datetime(2006, 1, 1, tzinfo=UTC)  # before Anki's first release: not a real time
LAST_ANKI = datetime(2100, 1, 1, tzinfo=UTC)
_FIRST_MS, _LAST_MS = to_ms(FIRST_ANKI), to_ms(LAST_ANKI)


class IdPlan:
    """The ids one import gives its new notes (or cards)."""

    def __init__(self, session: Rows, table: str, wanted: Sequence[int], max_id: int) -> None:
        # only an id up to the table's largest can be taken already
        self.free = set(wanted) - taken_ids(session, table, [i for i in wanted if 0 < i <= max_id])
        self.free.discard(0)
        self.next = max(max_id, max(wanted, default=0)) + 1

    def take(self, anki_id: int = 0) -> int:
        """`anki_id` if it is free (once), else the next number."""
        if anki_id in self.free:
            self.free.discard(anki_id)
            return anki_id
        self.next += 1
        return self.next - 1


def own_times(anki_id: int, anki_mod: int, stamp: str) -> tuple[str, str]:
    """An imported Anki note's or card's (created, modified) as database text: the creation
    time its id holds if that is a plausible one (2006 to 2100), its modification time
    (seconds) if it has one; `stamp` (the import's time) for either it lacks."""
    created = ms_text(anki_id) if _FIRST_MS <= anki_id < _LAST_MS else stamp
    return created, _mod_text(anki_mod) if anki_mod else stamp


@lru_cache(maxsize=64)
def _mod_text(seconds: int) -> str:
    """An Anki modification time as text (notes and cards made or changed together share
    one: a deck built or edited in bulk)."""
    return ms_text(seconds * 1000)
