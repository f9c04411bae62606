"""The scratch file a heavy import's review-log replay is written to on a second process,
and the statements that bring it into the collection (services/anki_replay.py).

The replay process writes, per Anki card (by its Anki id): the card's memory state as the
card table stores it, and its review-log rows (revlog.STAGED, with the Anki card id). The
importer attaches the file to its connection (before its transaction begins: SQLite
attaches nowhere else), gives each replayed card its memory state in one UPDATE, and sorts
the replayed log into time order together with the rows it replayed itself
(revlog.insert_staged, with log_source() as a second source): one sort, one index build.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from cehrs_cards.db import revlog
from cehrs_cards.db.columns import MEMORY_COLUMNS

SCHEMA = "replay"
"""The name the scratch file is attached under."""
_LOG = ", ".join(revlog.STAGED)
_TABLES = (
    f"CREATE TABLE memory (cid INTEGER PRIMARY KEY, {', '.join(MEMORY_COLUMNS)})",
    f"CREATE TABLE log ({_LOG})",
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
    """The replay process's side: rows written a chunk at a time. The file is scratch: no
    journal, no syncing (a failed replay fails the import)."""

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
        self.con.executemany(f"INSERT INTO log VALUES ({marks})", self.log)
        self.memory, self.log = [], []

    def finish(self, error: str | None = None) -> None:
        """Write what is left and say how it ended."""
        if error is None:
            self._write()
        else:
            self.con.execute("DELETE FROM log")
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


def log_source(conn: Connection) -> str:
    """SQL: the replayed log of the mapped cards as staged rows (revlog.STAGED) with our card
    ids, for revlog.insert_staged; a time the collection's log already holds moved to the
    next free millisecond first."""
    revlog.free_taken_times(conn, f"{SCHEMA}.log")
    cols = ", ".join(f"l.{c}" for c in revlog.STAGED if c != "card_id")
    return (
        f"SELECT {cols}, r.card_id AS card_id FROM {SCHEMA}.log l "
        "JOIN temp.replay_cards r ON r.cid = l.card_id"
    )


def drop_card_map(conn: Connection) -> None:
    conn.exec_driver_sql("DROP TABLE temp.replay_cards")
