"""The scratch file a heavy import's review-log replay is written to on a second process,
and the statements that bring it into the collection (services/anki_replay.py).

The replay process writes, per Anki card (by its Anki id): the card's memory state as the
card table stores it, and its review-log rows (revlog.STAGED, with the Anki card id), which
it sorts into time order itself before it ends, beside the import's own work. The importer
attaches the file to its connection (before its transaction begins: SQLite attaches nowhere
else), gives each replayed card its memory state in one UPDATE, and appends the log in the
file's order: no sort left for the collection's side.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from cehrs_cards.db import revlog
from cehrs_cards.db.import_rows import indexes_deferred
from cehrs_cards.db.models import MEMORY_COLUMNS

SCHEMA = "replay"
"""The name the scratch file is attached under."""
_LOG = ", ".join(revlog.STAGED)
_TABLES = (
    f"CREATE TABLE memory (cid INTEGER PRIMARY KEY, {', '.join(MEMORY_COLUMNS)})",
    f"CREATE TABLE log_staged ({_LOG})",
    f"CREATE TABLE log (id INTEGER PRIMARY KEY, {', '.join(revlog.STAGED[1:])})",
    "CREATE TABLE outcome (error TEXT)",
)


def create(path: Path) -> None:
    """An empty scratch file with its tables (made before the importer attaches it)."""
    con = sqlite3.connect(path)
    try:
        for sql in _TABLES:
            con.execute(sql)
        con.commit()
    finally:
        con.close()


class Writer:
    """The replay process's side: rows written a chunk at a time, sorted at the end. The
    file is scratch: no journal, no syncing (a failed replay fails the import)."""

    CHUNK = 20_000

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path)
        self.con.execute("PRAGMA journal_mode = OFF")
        self.con.execute("PRAGMA synchronous = OFF")
        self.memory: list[tuple[Any, ...]] = []
        self.log: list[tuple[Any, ...]] = []

    def add(self, cid: int, memory: Sequence[Any], log: list[tuple[Any, ...]]) -> None:
        """One card's memory columns (MEMORY_COLUMNS) and log rows (revlog.answer_rows of
        its Anki id)."""
        self.memory.append((cid, *memory))
        self.log += log
        if len(self.log) >= self.CHUNK or len(self.memory) >= self.CHUNK:
            self._write()

    def _write(self) -> None:
        marks = ", ".join("?" * (1 + len(MEMORY_COLUMNS)))
        self.con.executemany(f"INSERT OR REPLACE INTO memory VALUES ({marks})", self.memory)
        marks = ", ".join("?" * len(revlog.STAGED))
        self.con.executemany(f"INSERT INTO log_staged VALUES ({marks})", self.log)
        self.memory, self.log = [], []

    def finish(self, error: str | None = None) -> None:
        """Sort the log into time order (a repeated time kept once) and say how it ended."""
        if error is None:
            self._write()
            self.con.execute(f"INSERT OR IGNORE INTO log SELECT {_LOG} FROM log_staged ORDER BY id")
        self.con.execute("DELETE FROM log_staged")
        self.con.execute("INSERT INTO outcome VALUES (?)", (error or "",))
        self.con.commit()
        self.con.close()


def outcome(path: Path) -> str | None:
    """The error the replay process ended with ("" for none), None if it never finished."""
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT error FROM outcome").fetchone()
    finally:
        con.close()
    return None if row is None else str(row[0])


def create_card_map(conn: Connection) -> None:
    """The importer's table of which card each replayed Anki card became."""
    conn.exec_driver_sql("CREATE TABLE temp.replay_cards (cid INTEGER PRIMARY KEY, card_id)")


def map_cards(conn: Connection, pairs: Sequence[tuple[int, int]]) -> None:
    """(Anki card id, our card id) of cards written with a placeholder state."""
    if pairs:
        conn.exec_driver_sql("INSERT INTO temp.replay_cards VALUES (?, ?)", pairs)


def apply_memory(conn: Connection) -> int:
    """Give every mapped card the memory state the replay made for it; how many it made
    (a card it made none for, never studied, keeps the new card's state it was written with)."""
    sets = ", ".join(f"{c} = m.{c}" for c in MEMORY_COLUMNS)
    conn.exec_driver_sql(
        f"UPDATE card SET {sets} FROM temp.replay_cards r JOIN {SCHEMA}.memory m USING (cid) "
        "WHERE card.id = r.card_id"
    )
    count = f"SELECT COUNT(*) FROM temp.replay_cards r JOIN {SCHEMA}.memory m USING (cid)"
    return int(conn.exec_driver_sql(count).scalar() or 0)


def insert_log(conn: Connection, before: int) -> None:
    """Append the replayed log of the mapped cards in time order (the file's order: the
    replay sorted it, and the log is the outer loop: CROSS JOIN keeps SQLite from choosing
    another), a time already taken moving to the next free millisecond first. The log's
    plain indexes are built once afterwards when this at least doubles it (`before`: the
    rows it had)."""
    source = f"{SCHEMA}.log"
    revlog.free_taken_times(conn, source)
    adding = int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {source}").scalar() or 0)
    with indexes_deferred(conn, "revlog", adding, before):
        conn.exec_driver_sql(
            f"INSERT OR IGNORE INTO revlog ({', '.join(revlog.COLUMNS)}) "
            f"SELECT {revlog.as_stored('l', 'r.card_id')} FROM {source} l "
            "CROSS JOIN temp.replay_cards r ON r.cid = l.card_id ORDER BY l.id"
        )
    conn.exec_driver_sql("DROP TABLE temp.replay_cards")
