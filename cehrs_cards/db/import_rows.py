"""Bulk insertion of imported rows: plain executemany of tuples on the session's connection.

The ORM's per-object work costs more than SQLite itself for tens of thousands of rows, so
imports hand rows (already in database form: UTC text datetimes, 0/1 booleans) to SQLite
directly. Values every new row shares (the timestamps, a new card's empty state) are written
into the statement once instead of being bound on every row. The browser's full-text index
gets the new notes' text computed here, exactly as the schema's trigger computes it (see
note_text), in one executemany instead of one trigger call per row, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from cehrs_cards.db import columns as cols
from cehrs_cards.db import migrations, revlog
from cehrs_cards.db.note_text import MARKUP, note_text, rich_kind

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows

NOTE_COLUMNS = ("id", "guid", *cols.NOTE_CONTENT, "created", "modified")
"""A new note's row: its identity, what it holds (columns.NOTE_CONTENT), its times."""
NOTE_UPDATE = (
    f"UPDATE note SET {', '.join(f'{c} = ?' for c in cols.NOTE_CONTENT)}, modified = ? WHERE id = ?"
)
"""A stored note's new content (columns.NOTE_CONTENT), change time and id."""
CARD_KEY_COLUMNS = cols.CARD_PLACE
CARD_COLUMNS = cols.CARD
"""A card that came with its own scheduling, place and times (an Anki card)."""
FTS_TRIGGER = "note_fts_insert"
_FIELDS_AT = NOTE_COLUMNS.index("fields")
FTS5_DEFAULT_AUTOMERGE = 4


@dataclass
class NewRows:
    """One import's new rows, as tuples in the *_COLUMNS order, in insertion order."""

    stamp: str  # created and modified of every new row that brings none of its own
    fresh_card: dict[str, Any]  # the state columns of a card never studied
    notes: list[tuple[Any, ...]] = field(default_factory=list)
    texts: list[tuple[int, str | None]] = field(default_factory=list)  # note id, search text
    sql_texts: list[int] = field(default_factory=list)  # notes whose text SQLite computes
    fresh_cards: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    cards: list[tuple[Any, ...]] = field(default_factory=list)  # Anki's: CARD_COLUMNS
    updates: list[tuple[Any, ...]] = field(default_factory=list)  # NOTE_UPDATE's parameters
    before: dict[str, int] = field(default_factory=dict)  # table -> rows it had (at most)

    def add_text(self, note_id: int, values: Sequence[str]) -> None:
        """Queue a note's search text. SQLite cuts a field's JSON text at a NUL character:
        such rare notes get their text from the trigger's own SQL instead of note_text."""
        text = note_text(values)
        if text is not None and "\x00" in text:
            self.sql_texts.append(note_id)
        else:
            self.texts.append((note_id, text))


class RowWriter:
    """Writes an import's new notes and cards a chunk at a time (flush), so that memory does
    not grow with the package (issue 22); notes go in before their cards (foreign keys
    point that way; the review log goes in through LogStream).

    For the whole import, as a context manager: the per-row full-text trigger is set aside
    (the writer indexes each chunk itself) and the card indexes are built once at the end
    when the import pays for it (`cards`: about how many it adds)."""

    def __init__(self, session: Rows, rows: NewRows, notes: int, cards: int) -> None:
        self.conn, self.rows = session.connection(), rows
        self._fts = _fts_in_bulk(self.conn, notes > 0)
        self._cards = indexes_deferred(self.conn, "card", cards, rows.before.get("card", 0))
        self.bulk = False

    def __enter__(self) -> RowWriter:
        self.bulk = self._fts.__enter__()
        self._cards.__enter__()
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:  # on an error the rollback undoes it all
            self._cards.__exit__(None, None, None)
        self._fts.__exit__()

    def flush(self) -> None:
        """Insert the rows queued so far and let go of them."""
        rows, conn = self.rows, self.conn
        _insert(conn, "note", NOTE_COLUMNS, rows.notes, {})
        if self.bulk and rows.notes:
            _index(conn, rows)
        stamps = {"created": rows.stamp, "modified": rows.stamp}
        fresh = {**rows.fresh_card, "suspended": 0, "buried_until": None, "flag": 0, **stamps}
        _insert(conn, "card", CARD_KEY_COLUMNS, rows.fresh_cards, fresh)
        _insert(conn, "card", CARD_COLUMNS, rows.cards, {})
        if rows.updates:
            conn.exec_driver_sql(NOTE_UPDATE, rows.updates)
        rows.notes, rows.texts, rows.sql_texts, rows.fresh_cards, rows.cards = [], [], [], [], []
        rows.updates = []


class LogStream:
    """Review-log rows written in chunks as an import makes them, so that a package's whole
    log (a million rows and more) is never held in Python at once (issue 22).

    Chunks go to a temporary staging table (no foreign keys, no index but its key: their
    cards are written only at the end); once the cards are in, one INSERT ... SELECT in
    time order moves the log into place (db/revlog.insert_staged, which also checks that
    every card the rows belong to is there). The log's card index is built once at the end
    when the import at least doubles the log (as for cards)."""

    CHUNK = 20_000

    def __init__(self, session: Rows, expected: int, before: int) -> None:
        self.conn = session.connection()
        self.rows: list[tuple[Any, ...]] = []
        self.cards: list[int] = []  # the cards the rows belong to, checked at the end
        self.expected, self.before = expected, before
        self.staged = False

    def add(self, card_id: int, rows: list[tuple[Any, ...]]) -> None:
        """Queue one card's rows (revlog.answer_rows of `card_id`)."""
        if rows:
            self.cards.append(card_id)
        self.rows += rows
        if len(self.rows) >= self.CHUNK:
            self._stage()

    def _stage(self) -> None:
        if not self.staged:
            revlog.create_staging(self.conn)
            self.staged = True
        revlog.stage(self.conn, self.rows)
        self.rows = []

    def close(self, also: str | None = None) -> None:
        """Write the log (the cards it belongs to are in by now); `also`: more rows to sort
        in with it (revlog.insert_staged)."""
        if not self.staged and not self.rows and also is None:
            return
        self._stage()
        with indexes_deferred(self.conn, "revlog", self.expected, self.before):
            revlog.insert_staged(self.conn, self.cards, also)


@contextmanager
def indexes_deferred(conn: Connection, table: str, adding: int, before: int) -> Iterator[None]:
    """Drop the table's plain indexes while its new rows go in, then build each once
    (see _drop_plain_indexes); on an error the transaction's rollback brings them back."""
    dropped = _drop_plain_indexes(conn, table, adding, before)
    yield
    for sql in dropped:
        conn.exec_driver_sql(sql)


def _drop_plain_indexes(conn: Connection, table: str, adding: int, before: int) -> list[str]:
    """Drop the table's plain indexes if the import pays for building them again; returns
    the statements that make them again.

    Building an index afresh costs about half of updating it row by row, so this pays when
    the import at least doubles the table (a new collection, a first big deck); into a big
    collection the indexes stay. UNIQUE indexes always stay: they vet every row. (Not for
    notes: their one plain index is cheap to keep and their wide rows slow to scan again.)
    """
    if adding < 1000 or adding < 2 * before:
        return []
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
        (table,),
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in found]


def _insert(
    conn: Connection,
    table: str,
    cols: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    constants: dict[str, Any],
) -> None:
    """executemany of `rows`; `constants` (the same on every row) are literals in the SQL."""
    if not rows:
        return
    names = ", ".join([*cols, *constants])
    values = ", ".join(["?"] * len(cols) + [sql_literal(v) for v in constants.values()])
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({values})", rows)


def sql_literal(value: object) -> str:
    """`value` as an SQL literal; only for values the importer made (never package text)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def _index(conn: Connection, rows: NewRows) -> None:
    """Index the new notes' text with FTS5's automatic merging off until all are in, and
    name those whose fields are not plain ASCII in note_rich (the insert trigger's two tasks).

    Merging while the rows stream in costs a quarter of the indexing time; the few extra
    segments left behind (FTS5's crisis merge still caps them) are merged by later writes.
    """
    row = conn.exec_driver_sql("SELECT v FROM note_fts_config WHERE k = 'automerge'").first()
    automerge = int(row[0]) if row and str(row[0]).isdigit() else FTS5_DEFAULT_AUTOMERGE
    conn.exec_driver_sql("INSERT INTO note_fts (note_fts, rank) VALUES ('automerge', 0)")
    if rows.texts:
        conn.exec_driver_sql("INSERT INTO note_fts (rowid, text) VALUES (?, ?)", rows.texts)
    if rows.sql_texts:
        conn.exec_driver_sql(
            f"INSERT INTO note_fts (rowid, text) SELECT id, {migrations.note_text_sql('note')} "
            "FROM note WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(rows.sql_texts),),
        )
    conn.exec_driver_sql(
        "INSERT INTO note_fts (note_fts, rank) VALUES ('automerge', ?)", (automerge,)
    )
    rich = [(n[0], k) for n in rows.notes if (k := rich_kind(n[_FIELDS_AT])) is not None]
    if rich:  # the trigger's other task: the notes whose fields are not plain ASCII text
        conn.exec_driver_sql("INSERT OR REPLACE INTO note_rich (id, markup) VALUES (?, ?)", rich)


class _fts_in_bulk:
    """Drop the per-row full-text trigger while notes go in; the caller indexes them; restore.

    Only when the stored trigger is exactly the one note_text reproduces; otherwise the
    trigger stays and indexes row by row (correct, just slower), and `as` gives False.
    """

    def __init__(self, conn: Connection, wanted: bool) -> None:
        self.conn = conn
        self.wanted = wanted
        self.sql: str | None = None

    def __enter__(self) -> bool:
        if not self.wanted or MARKUP is None:
            return False
        row = self.conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (FTS_TRIGGER,)
        ).first()
        if row is None or _squeeze(str(row[0])) != _known_trigger():
            return False
        self.sql = str(row[0])
        self.conn.exec_driver_sql(f"DROP TRIGGER {FTS_TRIGGER}")
        return True

    def __exit__(self, *exc: object) -> None:
        if self.sql is not None:
            self.conn.exec_driver_sql(self.sql)


def _known_trigger() -> str | None:
    """The insert trigger as the latest migration step defines it, if note_text matches it."""
    made = [s for step in migrations.STEPS for s in step if f"TRIGGER {FTS_TRIGGER} " in s]
    fn = getattr(migrations, "note_text_sql", None)
    if not made or fn is None or str(fn("new")) not in made[-1]:
        return None
    return _squeeze(made[-1])


def _squeeze(sql: str) -> str:
    return " ".join(sql.split())


def taken_ids(session: Rows, table: str, ids: Sequence[int]) -> set[int]:
    """Which of `ids` the table (note or card) already uses."""
    if table not in ("note", "card") or not ids:
        return set()
    sql = f"SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?))"
    return {int(r[0]) for r in session.connection().exec_driver_sql(sql, (json.dumps(ids),))}


def max_id(session: Rows, table: str) -> int:
    """The largest id in a table an import adds to (0 when empty)."""
    if table not in ("note", "card", "revlog"):
        raise ValueError(f"not an import table: {table}")
    got = session.connection().exec_driver_sql(f"SELECT MAX(id) FROM {table}").scalar()
    return int(got or 0)
