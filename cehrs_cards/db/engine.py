"""The SQLite engine: WAL, foreign keys, synchronous=NORMAL, migrations on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from cehrs_cards.db.migrations import migrate

__all__ = ["OPEN_ERRORS", "Engine", "open_engine"]

OPEN_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, OperationalError)
"""What opening the file fails with when SQLite cannot read or write it (raw or wrapped)."""


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off; SQLAlchemy emits BEGIN (see _on_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "synchronous=NORMAL",
        "busy_timeout=5000",
    ):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _on_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def open_engine(path: Path) -> Engine:
    """Open (creating if needed) the collection at `path` and bring its schema up to date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    with engine.connect() as conn:
        migrate(conn)
    return engine
