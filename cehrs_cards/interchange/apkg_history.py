"""An Anki package's review log, read one card at a time while the package is imported.

A heavy collection's log has a million rows or more; reading them all into Python objects
took most of an import's memory (issue 22). Instead the unpacked collection file stays in
its temporary folder for the import, and the importer asks for one card's entries as it
reaches that card: an index lookup (Anki's own ix_revlog_cid, made here if a package lacks
it), so the memory used does not grow with the size of the log.
"""

from __future__ import annotations

import shutil
import sqlite3
import weakref
from pathlib import Path

from cehrs_cards.interchange.anki_schema import unicase
from cehrs_cards.interchange.package import ReviewIn
from cehrs_cards.interchange.zipsafe import Limits, PackageError

_NUMBER = "CASE WHEN typeof({c}) IN ('integer', 'real') THEN CAST({c} AS INTEGER) END"
_COLUMNS = ("id", "ease", "time", "type", "ivl", "lastIvl", "factor")  # ReviewIn's order
_SQL = (
    "SELECT " + ", ".join(_NUMBER.format(c=c) for c in _COLUMNS)
    + " FROM revlog WHERE cid = ? ORDER BY id"
)  # fmt: skip
"""One card's entries in ReviewIn's order, as integers; NULL for a value that is not a
number (the row is then refused)."""


class HistoryFile:
    """The unpacked package collection (its notes are read through `con` too, apkg_notes.py)
    and its review log (already checked by the reader:
    plain tables, quick_check, row caps). Owns its temporary folder: close() deletes it,
    and so does a finaliser if the package is dropped unclosed."""

    def __init__(self, folder: Path, db: Path, rows: int, limits: Limits) -> None:
        self.rows, self.folder = rows, folder
        try:
            self.con = self._con = sqlite3.connect(db, check_same_thread=False)
            self._done = weakref.finalize(self, _remove, self._con, folder)
            self._con.execute("PRAGMA trusted_schema = OFF")
            self._con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_value_bytes)
            self._con.create_collation("unicase", unicase)
            if rows and not _has_card_index(self._con):
                self._con.execute("CREATE INDEX cehrs_revlog_cid ON revlog (cid)")
                self._con.commit()
        except sqlite3.Error as exc:
            raise PackageError(f"the package's review log cannot be read ({exc})") from exc

    def of(self, card_id: int) -> list[ReviewIn]:
        """One Anki card's entries, oldest first (a manual entry has rating 0)."""
        try:
            rows = self._con.execute(_SQL, (card_id,)).fetchall()
        except sqlite3.Error as exc:
            raise PackageError(f"the package's review log cannot be read ({exc})") from exc
        out = []
        for rid, ease, taken, kind, ivl, last, factor in rows:
            if None in (rid, ease, taken, kind, ivl, last, factor):
                raise PackageError("the package's review log has malformed rows")
            rating = ease if 1 <= ease <= 4 else 0
            out.append(ReviewIn(rid, rating, max(0, taken), kind, ivl, last, factor))
        return out

    def close(self) -> None:
        self._done()


def _remove(con: sqlite3.Connection, folder: Path) -> None:
    con.close()
    shutil.rmtree(folder, ignore_errors=True)


def _has_card_index(con: sqlite3.Connection) -> bool:
    """Whether some index of revlog starts with its card column (Anki's ix_revlog_cid)."""
    sql = """SELECT 1 FROM pragma_index_list('revlog') il
             WHERE (SELECT lower(name) FROM pragma_index_info(il.name) WHERE seqno = 0) = 'cid'"""
    return con.execute(sql).fetchone() is not None
