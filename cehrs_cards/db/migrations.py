"""Ordered schema migrations. PRAGMA user_version is the number of steps applied.

Append a step to change the schema; never edit a released one. tests/db has a saved database
of every past version and upgrades each.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

V1 = [
    """CREATE TABLE deck (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        parent_id INTEGER REFERENCES deck(id) ON DELETE CASCADE
    )""",
    """CREATE TABLE notetype (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        config TEXT NOT NULL
    )""",
    """CREATE TABLE note (
        id INTEGER PRIMARY KEY,
        guid TEXT NOT NULL UNIQUE,
        notetype_id INTEGER NOT NULL REFERENCES notetype(id),
        fields TEXT NOT NULL,
        sort_field TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        task TEXT,
        difficulty TEXT,
        source TEXT,
        created DATETIME NOT NULL,
        modified DATETIME NOT NULL
    )""",
    """CREATE TABLE card (
        id INTEGER PRIMARY KEY,
        note_id INTEGER NOT NULL REFERENCES note(id) ON DELETE CASCADE,
        deck_id INTEGER NOT NULL REFERENCES deck(id),
        ord INTEGER NOT NULL DEFAULT 0,
        domain INTEGER NOT NULL DEFAULT 0 CHECK (domain BETWEEN 0 AND 5),
        state INTEGER NOT NULL DEFAULT 0,
        step INTEGER,
        stability FLOAT,
        difficulty FLOAT,
        due DATETIME NOT NULL,
        last_review DATETIME,
        reps INTEGER NOT NULL DEFAULT 0,
        lapses INTEGER NOT NULL DEFAULT 0,
        suspended BOOLEAN NOT NULL DEFAULT 0,
        buried_until DATETIME,
        flag INTEGER NOT NULL DEFAULT 0,
        created DATETIME NOT NULL,
        modified DATETIME NOT NULL,
        UNIQUE (note_id, ord)
    )""",
    # Covering index for the deck-list counts (no table lookups at 100,000 cards).
    "CREATE INDEX ix_card_queue ON card (deck_id, state, due, suspended, buried_until)",
    "CREATE INDEX ix_card_domain ON card (domain, state)",
    "CREATE INDEX ix_card_due ON card (state, due)",
    """CREATE TABLE revlog (
        id INTEGER PRIMARY KEY,
        card_id INTEGER NOT NULL REFERENCES card(id) ON DELETE CASCADE,
        reviewed_at DATETIME NOT NULL,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        duration_ms INTEGER NOT NULL DEFAULT 0,
        before TEXT NOT NULL,
        state INTEGER NOT NULL,
        stability FLOAT,
        difficulty FLOAT,
        due DATETIME NOT NULL,
        elapsed_days FLOAT
    )""",
    "CREATE INDEX ix_revlog_card ON revlog (card_id, reviewed_at)",
    "CREATE INDEX ix_revlog_time ON revlog (reviewed_at)",
    "CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]
STEPS: list[list[str]] = [V1]
LATEST = len(STEPS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the app; we refuse to touch it."""


def schema_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(conn: Connection) -> int:
    """Apply every pending step, each in its own transaction; return the final version."""
    version = schema_version(conn)
    conn.commit()
    if version > LATEST:
        raise SchemaTooNewError(
            f"This collection was written by a newer CEHRS Cards (schema {version}, "
            f"this app knows up to {LATEST}). Update the app to open it."
        )
    for number in range(version + 1, LATEST + 1):
        with conn.begin():
            for stmt in STEPS[number - 1]:
                conn.execute(text(stmt))
            conn.exec_driver_sql(f"PRAGMA user_version = {number}")
    return LATEST
