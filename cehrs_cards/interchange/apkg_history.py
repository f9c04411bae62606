"""An Anki package's review log, read one card at a time while the package is imported.

A heavy collection's log has a million rows or more; reading them all into Python objects
took most of an import's memory (issue 22). Instead the unpacked collection file stays in
its temporary folder for the import, and the importer asks for one card's entries as it
reaches that card, so the memory used does not grow with the size of the log.

The importer visits cards in (note, ordinal) order, which in a real collection is card-id
order: the log is read by one cursor in (card, time) order alongside, each card's entries
taken as the cursor passes them. SQLite sorts the table for that cursor (spilling to a
temporary file, not memory): half the time of a hundred thousand index lookups, and a
third of walking the card index, whose rows are scattered over the table. The sort starts
on a thread of its own, on a connection of its own, as soon as the importer knows it will
walk the log here (start_walk): SQLite lets go of Python's lock while it sorts, so the sort
runs beside the work before the first card (the backup, the look-ups), on the machine's
second core. (A heavy log is replayed on a process of its own instead:
services/anki_replay.py.) A card asked for out of that
order gets an index lookup (Anki's ix_revlog_cid, made here if missing).
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

from cehrs_cards.interchange.anki_schema import unicase
from cehrs_cards.interchange.package import ReviewIn
from cehrs_cards.interchange.zipsafe import Limits, PackageError

_NUMBER = "CASE WHEN typeof({c}) IN ('integer', 'real') THEN CAST({c} AS INTEGER) END"
_CARD = "CASE WHEN typeof(cid) = 'integer' THEN cid END"
_FIELDS = (  # ReviewIn's order, after the card: the button (0 unless 1-4), time taken (>= 0)
    _NUMBER.format(c="id"),
    _NUMBER.format(c="ease").replace(
        "THEN CAST(ease AS INTEGER)",
        "THEN IIF(CAST(ease AS INTEGER) BETWEEN 1 AND 4, CAST(ease AS INTEGER), 0)",
    ),
    f"MAX(0, {_NUMBER.format(c='time')})",
    *(_NUMBER.format(c=c) for c in ("type", "ivl", "lastIvl", "factor")),
)
_SELECT = f"SELECT {_CARD}, " + ", ".join(_FIELDS) + " FROM revlog"
_SQL = _SELECT + " WHERE cid = ? ORDER BY id"
"""One card's entries: the card, then ReviewIn's fields as integers; NULL for a value that is
not a number (the package is then refused)."""
_WALK = _SELECT + " NOT INDEXED WHERE cid >= ? AND cid < ? ORDER BY cid, id"
"""The log in card order, each row with its card id first (NULL when that is not an
integer: no card's, as `cid = ?` never matches it); the cards in a range of ids (a replay
process takes the others: services/anki_replay.py)."""
FIRST_ID, LAST_ID = -(2**63), 2**63 - 1
_ALL = (FIRST_ID, LAST_ID)
"""Every card id SQLite can hold: a walk over the whole log."""
_Row = tuple[Any, ...]  # integers, or None where the package has no number


class HistoryFile:
    """The unpacked package collection (its notes are read through `con` too, apkg_notes.py)
    and its review log (already checked by the reader:
    plain tables, quick_check, row caps). Owns its temporary folder: close() deletes it,
    and so does a finaliser if the package is dropped unclosed."""

    def __init__(
        self, folder: Path, db: Path, rows: int, limits: Limits, owns_folder: bool = True
    ) -> None:
        self.rows, self.folder, self.db, self._limits = rows, folder, db, limits
        self._owns = owns_folder
        try:
            self.con = self._con = sqlite3.connect(db, check_same_thread=False)
            self._done = weakref.finalize(self, _remove, self._con, folder, None, owns_folder)
            self._con.execute("PRAGMA trusted_schema = OFF")
            self._con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_value_bytes)
            self._con.create_collation("unicase", unicase)
            if rows and not _has_card_index(self._con):
                self._con.execute("CREATE INDEX cehrs_revlog_cid ON revlog (cid)")
                self._con.commit()
        except sqlite3.Error as exc:
            raise PackageError(f"the package's review log cannot be read ({exc})") from exc
        self._walk: sqlite3.Cursor | None = None
        self._next: _Row | None = None  # the walk's first row not handed out yet
        self._last: int | None = None  # the last card the walk reached
        self._sort: _Sort | None = None

    def start_walk(self, cards: tuple[int, int] = _ALL) -> None:
        """Start sorting the log for the walk on a thread of its own (see the module's
        notes): the importer calls this as soon as it knows it will walk the log here.
        `cards`: walk only the entries of cards with ids in [from, to) (a card outside is
        looked up, as one asked for out of order)."""
        if self._sort is not None or not self.rows:
            return
        try:
            self._sort = _Sort(self.db, self._limits, cards)
        except sqlite3.Error as exc:
            raise PackageError(f"the package's review log cannot be read ({exc})") from exc
        self._done.detach()  # a package dropped unclosed: its sort goes first
        self._done = weakref.finalize(self, _remove, self._con, self.folder, self._sort, self._owns)

    def of(self, card_id: int) -> list[ReviewIn]:
        """One Anki card's entries, oldest first (a manual entry has rating 0)."""
        try:
            if self._last is None or card_id > self._last:
                rows = self._walk_to(card_id)
            else:
                rows = self._con.execute(_SQL, (card_id,)).fetchall()
        except sqlite3.Error as exc:
            raise PackageError(f"the package's review log cannot be read ({exc})") from exc
        return _entries(rows)

    def _walk_to(self, card_id: int) -> list[_Row]:
        """The card's rows from the walk, passing over those of cards before it (no card's,
        or a card asked for later, out of order: it gets a lookup)."""
        if self._walk is None:
            self.start_walk()
            assert self._sort is not None
            self._walk, self._next = self._sort.result()
        self._last = card_id
        row, walk, out = self._next, self._walk, []
        while row is not None and (row[0] is None or row[0] < card_id):
            row = next(walk, None)
        while row is not None and row[0] == card_id:
            out.append(row)
            row = next(walk, None)
        self._next = row
        return out

    def card_at_share(self, share: float) -> int | None:
        """The card id below which about `share` of the log's entries lie (Anki's card
        index makes it a short walk), None for an empty log."""
        sql = "SELECT cid FROM revlog WHERE typeof(cid) = 'integer' ORDER BY cid LIMIT 1 OFFSET ?"
        row = self._con.execute(sql, (max(0, int(self.rows * share)),)).fetchone()
        return None if row is None else int(row[0])

    def close(self) -> None:
        self._walk = None
        self._done()


class _Sort:
    """The walk's statement, started on a thread: its first row comes once SQLite has sorted
    the log. Interrupted by close() (a cancelled or failed import)."""

    def __init__(self, db: Path, limits: Limits, cards: tuple[int, int]) -> None:
        self.cards = cards
        self.con = sqlite3.connect(db, check_same_thread=False)
        self.con.execute("PRAGMA trusted_schema = OFF")
        self.con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_value_bytes)
        self.con.create_collation("unicase", unicase)
        self.walk: sqlite3.Cursor | None = None
        self.first: _Row | None = None
        self.error: sqlite3.Error | None = None
        self.thread = threading.Thread(target=self._run, name="package-log-sort", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.walk = self.con.execute(_WALK, self.cards)
            self.first = self.walk.fetchone()
        except sqlite3.Error as exc:
            self.error = exc

    def result(self) -> tuple[sqlite3.Cursor, _Row | None]:
        self.thread.join()
        if self.error is not None or self.walk is None:
            raise sqlite3.OperationalError(f"sorting the review log failed ({self.error})")
        return self.walk, self.first

    def close(self) -> None:
        if self.thread.is_alive():
            self.con.interrupt()
        self.thread.join()
        self.walk = None
        self.con.close()  # a second close (the finaliser after close()) does nothing


def _entries(rows: list[_Row]) -> list[ReviewIn]:
    """The rows (the card first) as entries; a value that is not a number refuses the
    package. (The button and time taken are already in range: see _FIELDS.)"""
    if any(None in row for row in rows):
        raise PackageError("the package's review log has malformed rows")
    make = ReviewIn._make
    return [make(row[1:]) for row in rows]


def _remove(
    con: sqlite3.Connection, folder: Path, sort: _Sort | None = None, owns: bool = True
) -> None:
    if sort is not None:
        sort.close()
    con.close()
    if owns:
        shutil.rmtree(folder, ignore_errors=True)


def _has_card_index(con: sqlite3.Connection) -> bool:
    """Whether some index of revlog starts with its card column (Anki's ix_revlog_cid)."""
    sql = """SELECT 1 FROM pragma_index_list('revlog') il
             WHERE (SELECT lower(name) FROM pragma_index_info(il.name) WHERE seqno = 0) = 'cid'"""
    return con.execute(sql).fetchone() is not None
