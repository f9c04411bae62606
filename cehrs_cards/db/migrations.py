"""Ordered schema migrations. PRAGMA user_version is the number of steps applied.

Append a step to change the schema; never edit a released one. tests/db has a saved database
of every past version and upgrades each.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from cehrs_cards.db.session import driver

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

V2_EXAMS = [
    """CREATE TABLE exam_attempt (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('mock', 'practice')),
        mode TEXT NOT NULL CHECK (mode IN ('timed', 'tutor')),
        seed INTEGER,
        cut INTEGER NOT NULL DEFAULT 70,
        options TEXT NOT NULL DEFAULT '{}',
        started DATETIME NOT NULL,
        deadline DATETIME,
        shown_at DATETIME,
        paused_at DATETIME,
        paused_seconds FLOAT NOT NULL DEFAULT 0,
        current INTEGER NOT NULL DEFAULT 0,
        finished DATETIME,
        finish_reason TEXT,
        correct INTEGER,
        total INTEGER,
        scaled FLOAT
    )""",
    "CREATE INDEX ix_exam_attempt_finished ON exam_attempt (finished, started)",
    """CREATE TABLE exam_item (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES exam_attempt(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        card_id INTEGER REFERENCES card(id) ON DELETE SET NULL,
        note_id INTEGER REFERENCES note(id) ON DELETE SET NULL,
        domain INTEGER NOT NULL DEFAULT 0,
        pretest BOOLEAN NOT NULL DEFAULT 0,
        generated BOOLEAN NOT NULL DEFAULT 0,
        content TEXT NOT NULL,
        choice INTEGER CHECK (choice BETWEEN 0 AND 3),
        flagged BOOLEAN NOT NULL DEFAULT 0,
        struck TEXT NOT NULL DEFAULT '',
        seconds FLOAT NOT NULL DEFAULT 0,
        answered_at DATETIME,
        UNIQUE (attempt_id, position)
    )""",
    "CREATE INDEX ix_exam_item_card ON exam_item (card_id)",
]

_MARKUP = [(f"char({c})", "' '") for c in (9, 10, 13, 160)]
_MARKUP += [(f"'{{{{c{n}::'", "''") for n in range(1, 10)] + [("'}}'", "''")]
_MARKUP += [(f"'{t}'", "' '") for t in "<br> <div> </div> <p> </p> <li> </li>".split()]
_MARKUP += [(f"'<{t}>'", "''") for t in "b /b i /i u /u strong /strong em /em sub /sub".split()]
_MARKUP += [("'&lt;'", "'<'"), ("'&gt;'", "'>'"), ("'&quot;'", "'\"'"), ("'&amp;'", "'&'")]


def note_text_sql(alias: str) -> str:
    """SQL for a note's searchable text: fields joined by 0x1f, common markup removed.

    Pure SQL (no app functions), so the triggers also fire for rows other tools insert.
    Frozen with step 3 (its triggers embed it): a better text needs a new step.
    """
    sql = f"SELECT group_concat(value, char(31)) AS t FROM json_each({alias}.fields)"
    for at in range(0, len(_MARKUP), 12):  # staged: SQLite's parser limits nesting depth
        expr = "t"
        for old, new in _MARKUP[at : at + 12]:
            expr = f"replace({expr}, {old}, {new})"
        sql = f"SELECT {expr} AS t FROM ({sql})"
    return f"({sql})"


V3_SEARCH = [
    # Trigram: substring matching in any case (Anki's plain-word semantics) at index speed.
    "CREATE VIRTUAL TABLE note_fts USING fts5(text, tokenize = 'trigram')",
    f"""CREATE TRIGGER note_fts_insert AFTER INSERT ON note BEGIN
        INSERT INTO note_fts (rowid, text) VALUES (new.id, {note_text_sql("new")});
    END""",
    """CREATE TRIGGER note_fts_delete AFTER DELETE ON note BEGIN
        DELETE FROM note_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER note_fts_update AFTER UPDATE OF fields ON note BEGIN
        DELETE FROM note_fts WHERE rowid = old.id;
        INSERT INTO note_fts (rowid, text) VALUES (new.id, {note_text_sql("new")});
    END""",
    f"INSERT INTO note_fts (rowid, text) SELECT id, {note_text_sql('note')} FROM note",
]

# Domain counts (deck list, info) read only this index: 50 ms -> 6 ms at 100,000 cards. New
# cards are taken in (due, id) order, which is this index's order within (domain, state=0).
V4_DOMAIN_INDEX = [
    "DROP INDEX ix_card_domain",
    "CREATE INDEX ix_card_domain ON card (domain, state, due, suspended, buried_until)",
]

# Notes by type: the mock-exam pool and the browser's note-type filter read few notes of a type.
V5_NOTETYPE_INDEX = ["CREATE INDEX ix_note_notetype ON note (notetype_id)"]


def _iso_to_db(path: str) -> str:
    """SQL turning the ISO datetime at `path` of revlog.before (Python's isoformat, any
    offset, microseconds or none) into the database's own UTC text, microseconds kept."""
    x = f"json_extract(before, '{path}')"
    utc = f"strftime('%Y-%m-%d %H:%M:%S', {x})"
    return (
        f"CASE WHEN {x} IS NULL THEN NULL WHEN substr({x}, 20, 1) = '.' "
        f"THEN {utc} || substr({x}, 20, 7) ELSE {utc} || '.000000' END"
    )


# The review log keeps the card's state before each answer (for undo, statistics and
# calibration) as columns instead of a JSON text: a smaller database at 1,000,000 reviews,
# and statistics read numbers instead of parsing JSON a million times.
V6_REVLOG_COLUMNS = [
    """CREATE TABLE revlog_v6 (
        id INTEGER PRIMARY KEY,
        card_id INTEGER NOT NULL REFERENCES card(id) ON DELETE CASCADE,
        reviewed_at DATETIME NOT NULL,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        duration_ms INTEGER NOT NULL DEFAULT 0,
        before_state INTEGER NOT NULL,
        before_step INTEGER,
        before_stability FLOAT,
        before_difficulty FLOAT,
        before_due DATETIME NOT NULL,
        before_last_review DATETIME,
        before_reps INTEGER NOT NULL DEFAULT 0,
        before_lapses INTEGER NOT NULL DEFAULT 0,
        state INTEGER NOT NULL,
        stability FLOAT,
        difficulty FLOAT,
        due DATETIME NOT NULL,
        elapsed_days FLOAT
    )""",
    f"""INSERT INTO revlog_v6 SELECT id, card_id, reviewed_at, rating, duration_ms,
        COALESCE(json_extract(before, '$.state'), 0), json_extract(before, '$.step'),
        json_extract(before, '$.stability'), json_extract(before, '$.difficulty'),
        COALESCE({_iso_to_db("$.due")}, reviewed_at), {_iso_to_db("$.last_review")},
        COALESCE(json_extract(before, '$.reps'), 0), COALESCE(json_extract(before, '$.lapses'), 0),
        state, stability, difficulty, due, elapsed_days
        FROM revlog ORDER BY id""",
    "DROP TABLE revlog",
    "ALTER TABLE revlog_v6 RENAME TO revlog",
    "CREATE INDEX ix_revlog_card ON revlog (card_id, reviewed_at)",
    "CREATE INDEX ix_revlog_time ON revlog (reviewed_at)",
]

_MS = "(CAST(strftime('%s', {t}) AS INTEGER) * 1000 + CAST(substr({t}, 21, 3) AS INTEGER))"
"""Milliseconds since the epoch of a stored UTC datetime text (exact, no float)."""

# The review log at Anki's cost (issue 22): Anki's row (time in ms as the key, card, entry
# type, button, interval, time taken) and the memory state after the answer as integers;
# nothing derivable (the state before an answer, the days since the previous one). The
# time is the key, so the time index goes: one index, on the card, for card info, undo,
# rescheduling, the optimiser and the state before an answer. Rows keep their order; an
# answer in the same millisecond as an earlier one takes the next free millisecond.
V7_REVLOG = [
    """CREATE TABLE revlog_v7 (
        id INTEGER PRIMARY KEY,
        card_id INTEGER NOT NULL REFERENCES card(id) ON DELETE CASCADE,
        kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 5),
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4 OR (rating = 0 AND kind >= 4)),
        interval INTEGER NOT NULL DEFAULT 0,
        stability_x1000 INTEGER,
        difficulty_x100 INTEGER,
        duration_ms INTEGER NOT NULL DEFAULT 0
    )""",
    f"""WITH t AS (SELECT *, {_MS.format(t="reviewed_at")} AS ms,
                         ROW_NUMBER() OVER (ORDER BY {_MS.format(t="reviewed_at")}, id) AS i
                  FROM revlog),
        u AS (SELECT *, i + MAX(ms - i) OVER (ORDER BY i) AS new_id FROM t)
        INSERT INTO revlog_v7 SELECT new_id, card_id,
            CASE before_state WHEN 2 THEN 1 WHEN 3 THEN 2 ELSE 0 END, rating,
            CASE WHEN state = 2
                 THEN MAX(1, CAST(round(julianday(due) - julianday(reviewed_at)) AS INTEGER))
                 ELSE -MAX(1, CAST(round((julianday(due) - julianday(reviewed_at)) * 86400)
                                   AS INTEGER)) END,
            CASE WHEN stability IS NOT NULL THEN MAX(1, CAST(round(stability * 1000) AS INTEGER))
                 END,
            CASE WHEN difficulty IS NOT NULL THEN MAX(1, CAST(round(difficulty * 100) AS INTEGER))
                 END,
            duration_ms
        FROM u ORDER BY new_id""",
    "DROP TABLE revlog",
    "ALTER TABLE revlog_v7 RENAME TO revlog",
    "CREATE INDEX ix_revlog_card ON revlog (card_id)",
]

# The item bank of our deck format (decks/FORMAT.md): notes testing the same fact share a
# group; held-out notes form the diagnostic pool, never studied. The partial index holds
# only the held-out notes, so excluding their cards costs a lookup, not a scan of the notes.
V7_NOTE_BANK = [
    "ALTER TABLE note ADD COLUMN grp TEXT",
    "ALTER TABLE note ADD COLUMN heldout INTEGER NOT NULL DEFAULT 0 CHECK (heldout IN (0, 1))",
    "CREATE INDEX ix_note_heldout ON note (id) WHERE heldout = 1",
]

# The text index at a quarter of its size (issue 22): trigrams without positions and without
# a stored copy of the text (38 + 16 MB -> 11 MB at 100,000 notes). The index narrows a
# search to the notes holding every trigram; the text itself is computed from the fields
# when needed (search_where.py). A contentless index forgets a note by being told its text
# again, which note_text_sql recomputes from the old fields.
_FTS_DELETE = "INSERT INTO note_fts (note_fts, rowid, text) VALUES ('delete', old.id, {text});"
V7_SEARCH = [
    "DROP TRIGGER note_fts_insert",
    "DROP TRIGGER note_fts_delete",
    "DROP TRIGGER note_fts_update",
    "DROP TABLE note_fts",
    "CREATE VIRTUAL TABLE note_fts USING fts5(text, tokenize = 'trigram', content = '', "
    "detail = 'none')",
    f"""CREATE TRIGGER note_fts_insert AFTER INSERT ON note BEGIN
        INSERT INTO note_fts (rowid, text) VALUES (new.id, {note_text_sql("new")});
    END""",
    f"""CREATE TRIGGER note_fts_delete AFTER DELETE ON note BEGIN
        {_FTS_DELETE.format(text=note_text_sql("old"))}
    END""",
    f"""CREATE TRIGGER note_fts_update AFTER UPDATE OF fields ON note BEGIN
        {_FTS_DELETE.format(text=note_text_sql("old"))}
        INSERT INTO note_fts (rowid, text) VALUES (new.id, {note_text_sql("new")});
    END""",
    f"INSERT INTO note_fts (rowid, text) SELECT id, {note_text_sql('note')} FROM note",
]

RICH_MARKS = "\\<&{}\xa0"
"""Characters of a note's stored JSON after which its values are not the note's text: JSON's
escape, and those note_text_sql replaces (markup, entities, clozes, the no-break space)."""


def rich_sql(alias: str) -> str:
    """SQL for a note's row in note_rich: 1 (markup), 0 (beyond ASCII) or NULL (plain ASCII).

    The same test as db/note_text.py rich_kind, in SQL (instr finds a character; a text
    longer in bytes than in characters holds one beyond ASCII, or a NUL)."""
    fields = f"{alias}.fields"
    marks = " OR ".join(f"instr({fields}, char({ord(c)}))" for c in RICH_MARKS)
    return (
        f"(CASE WHEN {marks} THEN 1"
        f" WHEN length({fields}) != length(CAST({fields} AS BLOB)) THEN 0 END)"
    )


def _rich_insert(alias: str) -> str:
    return (
        f"INSERT OR REPLACE INTO note_rich (id, markup) SELECT {alias}.id, k"
        f" FROM (SELECT {rich_sql(alias)} AS k) WHERE k IS NOT NULL;"
    )


def rich_fill_sql(where: str = "") -> str:
    """SQL writing note_rich's rows for the notes (`where`: a fixed WHERE clause on note)."""
    return (
        "INSERT OR REPLACE INTO note_rich (id, markup) SELECT id, k FROM"
        f" (SELECT id, {rich_sql('note')} AS k FROM note {where}) WHERE k IS NOT NULL"
    )


# The notes whose stored fields are not plain ASCII text. For every other note the searchable
# text is the fields' values, joined, so the search tests the stored JSON with SQLite's LIKE
# instead of computing the text in Python (search_where.py); this table names the notes it
# must not (rows for those notes only: 4 KB for the benchmark's 100,000 notes, 153 of them
# with markup; about 10 bytes a note in a deck all in HTML). markup = 1: the fields hold a
# RICH_MARKS character; markup = 0: none, but characters beyond ASCII (LIKE folds the case of
# ASCII only). The text index's triggers keep it; the importer's bulk path, which sets the
# insert trigger aside, and db/search_sql.py's bulk helpers write it as they write the index.
_RICH_DELETE = "DELETE FROM note_rich WHERE id = old.id;"
V8_SEARCH = [
    "CREATE TABLE note_rich (id INTEGER PRIMARY KEY, markup INTEGER NOT NULL)",
    "DROP TRIGGER note_fts_insert",
    "DROP TRIGGER note_fts_delete",
    "DROP TRIGGER note_fts_update",
    f"""CREATE TRIGGER note_fts_insert AFTER INSERT ON note BEGIN
        INSERT INTO note_fts (rowid, text) VALUES (new.id, {note_text_sql("new")});
        {_rich_insert("new")}
    END""",
    f"""CREATE TRIGGER note_fts_delete AFTER DELETE ON note BEGIN
        {_FTS_DELETE.format(text=note_text_sql("old"))}
        {_RICH_DELETE}
    END""",
    f"""CREATE TRIGGER note_fts_update AFTER UPDATE OF fields ON note BEGIN
        {_FTS_DELETE.format(text=note_text_sql("old"))}
        INSERT INTO note_fts (rowid, text) VALUES (new.id, {note_text_sql("new")});
        {_RICH_DELETE}
        {_rich_insert("new")}
    END""",
    rich_fill_sql(),
]

# Steps that rewrite a big table leave its old pages free inside the file; a VACUUM after
# them gives the space back (1.6 s for the 1,000,000-review benchmark collection).
VACUUM_AFTER = {6, 7}

STEPS: list[list[str]] = [
    V1,
    V2_EXAMS,
    V3_SEARCH,
    V4_DOMAIN_INDEX,
    V5_NOTETYPE_INDEX,
    V6_REVLOG_COLUMNS,
    V7_REVLOG + V7_NOTE_BANK + V7_SEARCH,
    V8_SEARCH,
]
LATEST = len(STEPS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the app; we refuse to touch it."""


def schema_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def too_new_message(version: int) -> str:
    return (
        f"This collection was written by a newer CEHRS Cards (schema {version}, "
        f"this app knows up to {LATEST}). Update the app to open it; it has not been changed."
    )


def migrate(conn: Connection) -> int:
    """Apply every pending step, each in its own transaction; return the final version."""
    version = schema_version(conn)
    conn.commit()
    if version > LATEST:
        raise SchemaTooNewError(too_new_message(version))
    for number in range(version + 1, LATEST + 1):
        with conn.begin():
            for stmt in STEPS[number - 1]:
                conn.execute(text(stmt))
            conn.exec_driver_sql(f"PRAGMA user_version = {number}")
    if version and any(version < n <= LATEST for n in VACUUM_AFTER):
        driver(conn).execute("VACUUM")  # outside any transaction
    return LATEST
