"""The card browser's reads: search (ids first, rows fetched lazily by window), note details,
the side panel's lists and saved searches. Edits live in browse_edit.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cehrs_cards.core import search as q
from cehrs_cards.core.note_fields import EditError
from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.ops import Changes, OpResult
from cehrs_cards.core.records import CardState
from cehrs_cards.core.scheduling import study_day_end, study_day_start
from cehrs_cards.db import notes as note_rows
from cehrs_cards.db import repo, search_sql
from cehrs_cards.db.models import Card
from cehrs_cards.db.search_sql import SORTS, RawRow, SearchContext
from cehrs_cards.db.session import Session
from cehrs_cards.db.settings import load_section, load_settings, save_section
from cehrs_cards.db.timefmt import from_db
from cehrs_cards.services.card_text import decay_of as decay_of
from cehrs_cards.services.card_text import question_text as question_text
from cehrs_cards.services.collection import Collection

if TYPE_CHECKING:
    from cehrs_cards.services.browse_info import CardInfo, Leech

SearchError = q.SearchError
SORT_KEYS = tuple(SORTS)
SAVED_KEY = "browser_saved_searches"
"""Setting row holding {name: query}; the typed Settings ignore keys they do not know."""
LEARN_AHEAD_MINUTES = 20  # as the review queue: learning cards due this soon count as due


@dataclass(frozen=True)
class BrowseRow:
    """One row of the browser table, display-ready values only."""

    card_id: int
    note_id: int
    question: str
    domain: int
    deck: str
    tags: str
    due: datetime | None  # None for new cards
    state: CardState
    interval: float | None  # days between the last review and the due date
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    lapses: int
    reps: int
    created: datetime
    suspended: bool
    buried: bool
    flag: int
    held_out: bool = False  # a held-out diagnostic item (never studied; kept for mocks)


@dataclass(frozen=True)
class SidebarData:
    decks: list[str]
    tags: list[str]
    notetypes: list[str]
    saved: dict[str, str]


class BrowseService:
    """Reads only (saved searches aside): no undo stack needed."""

    def __init__(self, col: Collection) -> None:
        self.col = col

    # ----- searching -----------------------------------------------------------------------
    def context(self, s: Session, query: str = "") -> SearchContext:
        """Time, study day, FSRS decay, the names of note types, fields, templates and decks,
        and the saved searches (preset:NAME) a translation needs."""
        settings = load_settings(s)
        now = self.col.now()
        hour = settings.rollover_hour
        return SearchContext(
            now=now,
            day_start=study_day_start(now, self.col.tz, hour),
            day_end=study_day_end(now, self.col.tz, hour),
            learn_cutoff=now + timedelta(minutes=LEARN_AHEAD_MINUTES),
            decay=decay_of(settings.parameters),
            leech_lapses=settings.leech_lapses,
            saved=self._saved(s),
            **search_sql.catalogue(s, query),
        )

    def search(self, query: str, sort: str = "created", desc: bool = False) -> list[int]:
        """Card ids matching `query` in order; raises SearchError for a query it cannot read."""
        node = q.parse(query)
        with self.col.read() as s:
            return search_sql.card_ids(s, node, self.context(s, query), sort, desc)

    def one_per_note(self, card_ids: Sequence[int]) -> list[int]:
        """One of `card_ids` per note, the notes in the order their first card comes (the
        browser's notes mode: one row per note). The row shows the note through its
        matching card of lowest ordinal: the front of a reversed pair, cloze 1."""
        with self.col.read() as s:
            where = note_rows.card_notes_ords(s, card_ids)
        best: dict[int, tuple[int, int]] = {}  # note -> (ordinal, card) of its front-most match
        order: list[int] = []  # notes, by their first card's place
        for cid in card_ids:
            if cid not in where:
                continue
            nid, ord_ = where[cid]
            if nid not in best:
                order.append(nid)
                best[nid] = (ord_, cid)
            elif ord_ < best[nid][0]:
                best[nid] = (ord_, cid)
        return [best[nid][1] for nid in order]

    def cards_of_notes(self, card_ids: Sequence[int]) -> list[int]:
        """Every card of the notes of `card_ids` (what a notes-mode selection stands for)."""
        with self.col.read() as s:
            return note_rows.sibling_card_ids(s, card_ids)

    def rows(self, card_ids: Sequence[int]) -> list[BrowseRow]:
        """Rows for a window of ids, in that order (ids deleted meanwhile are left out)."""
        with self.col.read() as s:
            raws = search_sql.fetch_rows(s, card_ids, self.context(s))
            types = _notetypes(s, {r.notetype_id for r in raws})
        return [_row(r, types[r.notetype_id]) for r in raws]

    def note_guids(self, query: str) -> set[str]:
        """GUIDs of the notes with a card matching `query` (for `cehrs-cards cards --search`)."""
        ids = self.search(query)
        with self.col.read() as s:
            return note_rows.guids_of_cards(s, ids)

    def now(self) -> datetime:
        return self.col.now()

    def card_info(self, card_id: int) -> CardInfo:
        from cehrs_cards.services.browse_info import card_info

        return card_info(self.col, card_id)

    def leeches(self) -> tuple[int, list[Leech]]:
        from cehrs_cards.services.browse_info import leeches

        return leeches(self.col)

    def tag_leeches(self) -> OpResult[int]:
        from cehrs_cards.services.browse_info import tag_leeches

        return tag_leeches(self.col)

    def exists(self, card_id: int) -> bool:
        with self.col.read() as s:
            return s.get(Card, card_id) is not None

    # ----- side panel --------------------------------------------------------------------------
    def sidebar(self) -> SidebarData:
        """Deck names, distinct tags and note type names, and the saved searches."""
        with self.col.read() as s:
            decks = [name for _id, name in repo.deck_names(s)]
            tags = repo.distinct_tags(s)
            types = repo.notetype_names(s)
        return SidebarData(decks, sorted(tags, key=str.lower), types, self.saved_searches())

    def saved_searches(self) -> dict[str, str]:
        with self.col.read() as s:
            return self._saved(s)

    @staticmethod
    def _saved(s: Session) -> dict[str, str]:
        stored = load_section(s, SAVED_KEY)
        return dict(stored) if isinstance(stored, dict) else {}

    def save_search(self, name: str, query: str) -> OpResult[None]:
        """Keep a search under a name (replacing one of the same name); the query must parse."""
        name = name.strip()
        if not name:
            raise EditError("A saved search needs a name.")
        q.parse(query)
        self._write_saved(self.saved_searches() | {name: query})
        return OpResult(None, Changes(settings=True))

    def delete_search(self, name: str) -> OpResult[None]:
        saved = self.saved_searches()
        saved.pop(name, None)
        self._write_saved(saved)
        return OpResult(None, Changes(settings=True))

    def _write_saved(self, saved: dict[str, str]) -> None:
        with self.col.transaction() as s:
            save_section(s, SAVED_KEY, dict(sorted(saved.items())))


def _notetypes(s: Session, ids: set[int]) -> dict[int, NoteTypeDef]:
    """Note type definitions by id (there are only a handful: load them all)."""
    return {i: nt for i, nt in repo.notetypes(s).items() if i in ids}


def _row(r: RawRow, nt: NoteTypeDef) -> BrowseRow:
    created = from_db(r.created)
    assert created is not None
    return BrowseRow(
        card_id=r.card_id,
        note_id=r.note_id,
        question=question_text(nt, r.fields, r.ord),
        domain=r.domain,
        deck=r.deck,
        tags=r.tags,
        due=None if r.state == CardState.NEW else from_db(r.due),
        state=CardState(r.state),
        interval=r.interval,
        stability=r.stability,
        difficulty=r.difficulty,
        retrievability=r.retrievability,
        lapses=r.lapses,
        reps=r.reps,
        created=created,
        suspended=bool(r.suspended),
        buried=bool(r.buried),
        flag=r.flag,
        held_out=bool(r.held_out),
    )
