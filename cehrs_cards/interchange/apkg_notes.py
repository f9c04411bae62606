"""An Anki package's notes with their cards, read from the unpacked collection as they are
walked, never all held at once (issue 22).

Notes come in id order and their cards in (note id, ordinal) order: two cursors merged, so a
walk over a million notes holds one note at a time, whatever the package's size. Every walk
reads the file again; changes callers make to the notes (domains, meta tags, media renames)
are registered with transform() and applied to each note as it is read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.interchange.package import CardIn, NoteIn
from cehrs_cards.interchange.zipsafe import Limits, PackageError

FIELD_SEP = "\x1f"
MAX_ANKI_ID = 10**15
"""Anki's ids are creation times in ms (about 1.7e12 today); larger ones are not kept."""
_NOTES = "SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id"


class AnkiNotes:
    """The notes of an unpacked package collection, read afresh on each walk (a NoteStream).

    `con` is the connection the next walk reads through; the reader swaps it when the
    package's file changes hands (apkg_read). `crt` (the collection's creation time) is
    given when the cards' scheduling is wanted."""

    def __init__(
        self,
        con: sqlite3.Connection,
        notetypes: dict[int, NoteTypeDef],
        decks: dict[int, str],
        crt: int | None,
        limits: Limits,
        count: int,
    ) -> None:
        self.con, self.notetypes, self.decks, self.crt = con, notetypes, decks, crt
        self.limits, self.count = limits, count
        self.transforms: list[Callable[[NoteIn], None]] = []
        self.close: Callable[[], None] = lambda: None
        self._keys: tuple[list[str], list[int], list[int]] | None = None  # read by check()

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[NoteIn]:
        try:
            for note in self.raw():
                for change in self.transforms:
                    change(note)
                yield note
        except sqlite3.Error as exc:
            raise PackageError(f"the package's notes cannot be read ({exc})") from exc
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise PackageError(f"the collection in the package has malformed rows ({exc})") from exc

    def raw(self) -> Iterator[NoteIn]:
        """The notes as the package has them (no transforms; errors as they come)."""
        return read_notes(self.con, self.notetypes, self.decks, self.crt, self.limits)

    def check(self, walk: bool = True) -> NoteIn | None:
        """Refuse now what a walk would refuse (errors as they come); the first note, if any.

        Walks every note with its cards' ordinal and deck, as the import will; the cards'
        scheduling, which the import also reads, is vetted in SQL instead (a walk without
        it takes about 40% of the time): every value the import's walk turns into a number
        must be one already, and every FSRS memory text must read as text.

        Without `walk` only the first note is read: for a caller whose next step is one
        all-or-nothing walk (an import), which refuses the same notes with the same errors,
        so that a package is not read twice (issue 15: the import's time)."""
        first = None
        notes = read_notes(self.con, self.notetypes, self.decks, None, self.limits)
        for note in notes:
            first = first or note
            if not walk:
                break
        if self.crt is not None:
            _check_scheduling(self.con)
        # read now, on the guarded connection, while SQLite's check of the file runs on its
        # own thread (apkg_read waits for it next): the import's plan needs them first
        self._keys = self._read_keys()
        return first

    def transform(self, change: Callable[[NoteIn], None]) -> None:
        self.transforms.append(change)

    def keys(self) -> tuple[list[str], list[int], list[int]]:
        """Every note's GUID, and the Anki ids of the notes and cards worth keeping (some
        may belong to rows the import drops: ids to keep free, read without a full walk);
        the cards' ids only with their scheduling (else as many zeros). Those check() read
        are handed out once (a million GUIDs are not kept through the import)."""
        got, self._keys = self._keys, None
        return got or self._read_keys()

    def _read_keys(self) -> tuple[list[str], list[int], list[int]]:
        con = self.con
        sql = "SELECT json_group_array(CASE typeof(guid) WHEN 'text' THEN guid END) FROM notes"
        guids = json.loads(con.execute(sql).fetchone()[0])
        if None in guids:  # a GUID that is not text: as the walk reads it
            guids = [str(g) for (g,) in con.execute("SELECT guid FROM notes")]
        if self.crt is None:
            cards = [0] * int(con.execute("SELECT count(*) FROM cards").fetchone()[0])
        else:
            cards = _anki_ids(con, "cards")
        return guids, _anki_ids(con, "notes"), cards

    def has_tag_text(self, text: str) -> bool:
        """Whether some note's tags contain `text` (ASCII, any case)."""
        sql = "SELECT 1 FROM notes WHERE instr(lower(tags), ?) LIMIT 1"
        return self.con.execute(sql, (text.lower(),)).fetchone() is not None


def read_notes(
    con: sqlite3.Connection,
    notetypes: dict[int, NoteTypeDef],
    decks: dict[int, str],
    crt: int | None,
    limits: Limits,
) -> Iterator[NoteIn]:
    """Each note with its cards (the ones its type can show), in note id order: the cards
    are read alongside (both in note id order), one note's at a time."""
    cards = _cards(con, decks, crt)
    pending = next(cards, None)
    last: tuple[object, list[CardIn]] = (None, [])
    for row in con.execute(_NOTES):
        nid = row[0]
        if nid != last[0]:
            own: list[CardIn] = []
            while pending is not None and pending[0] <= nid:
                if pending[0] == nid:
                    own.append(pending[1])
                pending = next(cards, None)
            last = (nid, own)
        yield _note(notetypes, limits, last[1], row)


def _note(
    notetypes: dict[int, NoteTypeDef],
    limits: Limits,
    own: list[CardIn],
    row: tuple[Any, ...],
) -> NoteIn:
    """One notes row (id, guid, mid, mod, tags, flds) with its cards, as a NoteIn."""
    nid, guid, mid, mod, tags, flds = row
    text = str(flds)
    values = text.split(FIELD_SEP)
    if len(text) > limits.max_field_chars:
        _check_size(values, str(guid), limits)
    nt = notetypes.get(int(mid))
    if nt is None:
        return NoteIn(str(guid), f"missing note type {mid}", "Default", {}, [])
    valid = _valid_cards(nt, own) if own else []
    names = nt.fields
    if len(values) < len(names):
        values += [""] * (len(names) - len(values))
    fields = dict(zip(names, values, strict=False))  # extra values (no field) are dropped
    deck = valid[0].deck if valid else "Default"
    note = NoteIn(str(guid), nt.name, deck, fields, str(tags).split(), cards=valid)
    note.anki_id, note.anki_mod = anki_id(nid), _mod_of(mod)
    return note


def _anki_ids(con: sqlite3.Connection, table: str) -> list[int]:
    """Each row's id as anki_id() reads it, the list made by SQLite's JSON (no Python per
    row: a fifth of the time)."""
    sql = f"SELECT json_group_array(CASE typeof(id) WHEN 'integer' THEN id END) FROM {table}"
    got = json.loads(con.execute(sql).fetchone()[0])
    return [i if i is not None and 0 < i < MAX_ANKI_ID else 0 for i in got]


def anki_id(value: object) -> int:
    """An Anki note or card id worth keeping as ours, else 0 (the importer numbers it)."""
    got = int(value) if isinstance(value, int) else 0
    return got if 0 < got < MAX_ANKI_ID else 0


def _mod_of(seconds: object) -> int:
    """A usable Anki modification time (seconds since the epoch, before year 10000), else 0."""
    return seconds if isinstance(seconds, int) and 0 < seconds < _MAX_MOD else 0


_MAX_MOD = 253_402_300_800  # the first second of year 10000 (beyond datetime's range)


def _valid_cards(nt: NoteTypeDef, own: list[CardIn]) -> list[CardIn]:
    """The note's cards (in ordinal order) that its type can show: any cloze number, a
    template that exists."""
    if nt.kind == "cloze" or own[-1].ord < len(nt.templates):
        return own
    return [c for c in own if c.ord < len(nt.templates)]


def _check_size(values: list[str], guid: str, limits: Limits) -> None:
    longest = max((len(v) for v in values), default=0)
    if longest > limits.max_field_chars:
        raise PackageError(
            f"note {guid!r} has a field of {longest:,} characters; the limit is "
            f"{limits.max_field_chars:,}"
        )


def scheduled_cards(con: sqlite3.Connection, below: int) -> Iterator[CardIn]:
    """Every card with an id below `below`, with its scheduling, as a walk of the notes
    reads it (decks aside), in note and ordinal order: what a replay of the review log
    needs (services/anki_replay)."""
    row = con.execute("SELECT crt FROM col").fetchone()
    for _, card in _cards(con, {}, int(row[0] or 0) if row else 0, below):
        yield card


def _cards(
    con: sqlite3.Connection, decks: dict[int, str], crt: int | None, below: int | None = None
) -> Iterator[tuple[int, CardIn]]:
    """(note id, card) in note and ordinal order."""
    if crt is None:  # no scheduling wanted: ordinal and deck are all we need
        return _card_places(con, decks)
    return _scheduled(con, decks, crt, below)


def _scheduled(
    con: sqlite3.Connection, decks: dict[int, str], crt: int, below: int | None
) -> Iterator[tuple[int, CardIn]]:
    where, params = ("", ()) if below is None else (" WHERE id < ?", (below,))
    rows = con.execute(
        "SELECT id, nid, did, odid, ord, type, queue, due, odue, ivl, factor, reps, lapses, "
        f"flags, data, mod FROM cards{where} ORDER BY nid, ord",
        params,
    )
    dues: dict[tuple[int, int, int], datetime | None] = {}  # many cards share a due day
    for row in rows:
        cid, nid, did, odid, ord_, ctype, queue, due, odue, ivl, factor, reps, lapses = row[:13]
        kind, queue, due = int(ctype), int(queue), int(odue) if odid else int(due)
        when = dues.get((kind, queue, due), _NO_DUE)
        if when is _NO_DUE:
            when = dues[(kind, queue, due)] = _due(kind, queue, due, crt)
        card = CardIn(
            int(ord_),
            decks.get(int(odid) or int(did), "Default"),
            kind,
            queue,
            when,
            max(0, int(ivl)),
            int(factor),
            int(reps),
            int(lapses),
            int(row[13]) & 7,
            anki_id=anki_id(cid),
            anki_mod=_mod_of(row[15]),
        )
        if kind != 0 and row[14]:
            _memory_from_data(card, row[14])
        yield int(nid), card


_SCHEDULING = "type queue due odue ivl factor reps lapses flags".split()
_NOT_A_NUMBER = (
    "SELECT 1 FROM cards WHERE "
    + " OR ".join(f"typeof({c}) NOT IN ('integer', 'real') OR abs({c}) > 9e18" for c in _SCHEDULING)
    + " LIMIT 1"
)  # fmt: skip


def _check_scheduling(con: sqlite3.Connection) -> None:
    """What _cards reads with scheduling beyond _card_places: numbers (a text, a NULL or a
    number too big for an integer column is refused), and data read as text."""
    if con.execute(_NOT_A_NUMBER).fetchone() is not None:
        raise PackageError(
            "the collection in the package has malformed rows (a card's "
            "scheduling holds a value that is not a number)"
        )
    for _ in con.execute("SELECT data FROM cards WHERE data != ''"):
        pass


def _card_places(con: sqlite3.Connection, decks: dict[int, str]) -> Iterator[tuple[int, CardIn]]:
    """Cards without scheduling are all alike but for ordinal and deck, so one CardIn stands
    for every card of the same ordinal and deck (read-only: no history is ever attached on
    this path)."""
    made: dict[tuple[int, int], CardIn] = {}
    for nid, did, odid, ord_ in con.execute(
        "SELECT nid, did, odid, ord FROM cards ORDER BY nid, ord"
    ):
        key = (ord_, odid or did)
        card = made.get(key)
        if card is None:
            deck_id = int(odid) or int(did)
            card = made[key] = CardIn(int(ord_), decks.get(deck_id, "Default"))
        yield int(nid), card


def _memory_from_data(card: CardIn, data: object) -> None:
    """Anki's FSRS memory state, when the card has one: its data holds {"s": stability,
    "d": difficulty (1-10), "lrt": last review time in seconds}. Anything else is ignored.

    A text that holds none of those keys as written (nor an escape that could spell one) is
    passed over unread: Anki's cards without FSRS keep other things there ({"pos": 12})."""
    text = str(data)
    if '"s"' not in text and '"lrt"' not in text and "\\" not in text:
        return
    try:
        got = json.loads(text)
    except (ValueError, RecursionError):
        return
    if not isinstance(got, dict):
        return
    s, d, lrt = _number(got.get("s")), _number(got.get("d")), _number(got.get("lrt"))
    if s is not None and d is not None and 0 < s < 1e6 and 1 <= d <= 10:
        card.stability, card.difficulty = s, d
    if lrt is not None and 0 < lrt < 1e11:
        card.last_review = _ts(lrt)


def _number(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _due(ctype: int, queue: int, due: int, crt: int) -> datetime | None:
    """Anki's due as a datetime: seconds for intraday learning, else days since creation."""
    if ctype == 0:
        return None
    if queue == 1 or (ctype in (1, 3) and due > 1_000_000_000):
        return _ts(due)
    return _ts(crt + due * 86400)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NO_DUE = datetime(1, 1, 1, tzinfo=UTC)  # a cache miss, not a due date


def _ts(seconds: float) -> datetime | None:
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None
