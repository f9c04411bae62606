"""The database session services pass around, and the database errors they may catch
(SQLAlchemy's, and sqlite3's from files written with sqlite3 directly): db/ owns the database
libraries, so services name these through this module (they hold no SQL: the import-linter
contract "services/ hold no SQL" forbids sqlite3, SQLAlchemy and SQLModel there) and hand the
session to db/ functions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from sqlite3 import Error as SQLiteError

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlmodel import Session

__all__ = ["DatabaseError", "SQLiteError", "Session", "bulk_session"]

CHECKED_AFTER_BULK = ("deck", "note", "card")
"""The tables an import writes whose references SQLite checks at the end of a bulk session
(the review log's are checked as it goes in: db/revlog.insert_staged)."""


@contextmanager
def bulk_session(engine: Engine) -> Iterator[Session]:
    """One transaction for a bulk import, with SQLite's per-row foreign-key checks off.

    Checking each of a million review-log rows against its card costs an index lookup in
    time order, scattered over the card table: 60 % of moving the log into place (issue 22).
    The import makes every reference itself; so that a bug cannot leave a dangling one, the
    references of the tables it writes are checked in bulk before the commit (a failure rolls
    everything back), and the connection gets its checks back whatever happens. (SQLite
    ignores the pragma inside a transaction: it is set before BEGIN.)"""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session
                check_references(session, CHECKED_AFTER_BULK)
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def check_references(session: Session, tables: tuple[str, ...]) -> None:
    """Raise IntegrityError if a row of `tables` points at a row that does not exist."""
    conn = session.connection()
    for table in tables:
        bad = conn.exec_driver_sql(f"PRAGMA foreign_key_check({table})").first()
        if bad is not None:
            what = f"{bad[0]} row {bad[1]} points at a missing {bad[2]}"
            raise IntegrityError(f"foreign_key_check: {what}", None, ValueError(what))
