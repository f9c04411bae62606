"""The database session services pass around, and the database errors they may catch
(SQLAlchemy's, and sqlite3's from files written with sqlite3 directly): db/ owns the database
libraries, so services name these through this module (they hold no SQL: the import-linter
contract "services/ hold no SQL" forbids sqlite3, SQLAlchemy and SQLModel there) and hand the
session to db/ functions.

Two kinds of session: SQLModel's ORM `Session` (loaded on first use, see __getattr__), and
`Plain`, a transaction's bare connection. db/ functions that only run SQL take any `Rows`
(both are); the import command runs on Plain sessions only, so that it never loads the ORM,
SQLModel and pydantic: a third of its start-up (issue 15, benchmarks/import_process.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from sqlite3 import Error as SQLiteError
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError, IntegrityError

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = ["DatabaseError", "Plain", "Rows", "SQLiteError", "Session", "bulk_session"]


def __getattr__(name: str) -> Any:
    """`Session` (SQLModel's) on first use: importing it loads the ORM and pydantic."""
    if name == "Session":
        from sqlmodel import Session

        return Session
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Rows(Protocol):
    """What a db/ function that runs SQL needs of a session: its connection, and pending
    ORM objects written first (flush; nothing to do on a Plain session)."""

    def connection(self) -> Connection: ...

    def flush(self) -> None: ...


class Plain:
    """A session without the ORM: the connection of one transaction (or of a read)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def connection(self) -> Connection:
        return self._conn

    def flush(self) -> None:
        """Nothing is pending on a connection: each statement runs when it is given."""


def run(s: Rows, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
    """`sql` in the session's transaction, through sqlite3 itself (named :parameters or ?).

    For the statements of the study screen's answer and next card (about nine each time):
    SQLAlchemy's result object costs 30 microseconds a statement, 100 for a text() with
    named parameters, where SQLite answers most of them in 5 (issue 15)."""
    return driver(s.connection()).execute(sql, params)


def driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under a SQLAlchemy one (for run, and bulk statements)."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


@contextmanager
def plain_read(engine: Engine) -> Iterator[Plain]:
    """A read on its own connection (rolled back at the end, as a read session is)."""
    with engine.connect() as conn:
        yield Plain(conn)


@contextmanager
def plain_transaction(engine: Engine) -> Iterator[Plain]:
    """One transaction on its own connection, without the ORM: committed on success, rolled
    back on any error (as the ORM session's transaction is)."""
    with engine.connect() as conn, conn.begin():
        yield Plain(conn)


CHECKED_AFTER_BULK = ("deck", "note", "card")
"""The tables an import writes whose references SQLite checks at the end of a bulk session
(the review log's are checked as it goes in: db/revlog.insert_staged)."""


@contextmanager
def bulk_session(engine: Engine, attach: tuple[str, Path] | None = None) -> Iterator[Plain]:
    """One transaction for a bulk import, with SQLite's per-row foreign-key checks off.

    Checking each of a million review-log rows against its card costs an index lookup in
    time order, scattered over the card table: 60 % of moving the log into place (issue 22).
    The import makes every reference itself; so that a bug cannot leave a dangling one, the
    references of the tables it writes are checked in bulk before the commit (a failure rolls
    everything back), and the connection gets its checks back whatever happens. (SQLite
    ignores the pragma inside a transaction: it is set before BEGIN.)

    `attach`: (schema name, file) attached for the transaction and detached after it (a
    scratch file the import reads from: db/replay_file.py; SQLite attaches only outside a
    transaction). The session is Plain: the import writes rows by SQL only."""
    with engine.connect() as conn:
        raw = driver(conn)
        raw.execute("PRAGMA foreign_keys = OFF")
        if attach is not None:
            raw.execute(f"ATTACH DATABASE ? AS {attach[0]}", (str(attach[1]),))
        try:
            with conn.begin():
                session = Plain(conn)
                yield session
                check_references(session, CHECKED_AFTER_BULK)
        finally:
            if attach is not None:
                raw.execute(f"DETACH DATABASE {attach[0]}")
            raw.execute("PRAGMA foreign_keys = ON")


def check_references(session: Rows, tables: tuple[str, ...]) -> None:
    """Raise IntegrityError if a row of `tables` points at a row that does not exist."""
    conn = session.connection()
    for table in tables:
        bad = conn.exec_driver_sql(f"PRAGMA foreign_key_check({table})").first()
        if bad is not None:
            what = f"{bad[0]} row {bad[1]} points at a missing {bad[2]}"
            raise IntegrityError(f"foreign_key_check: {what}", None, ValueError(what))
