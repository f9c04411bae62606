"""The bulk import path: the text index it writes, the schema it leaves, the rows it makes.

The importer computes each note's searchable text in Python and fills the index itself; these
tests hold that text to the schema's own SQL (the trigger every other insert goes through) on
real SQLite, and check that the trigger, the indexes and the FTS5 settings are back as they
were after a bulk import, a cancelled one, and one into a collection that already had notes.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import replace

import pytest

from cehrs_cards.core.notetypes import BASIC, CLOZE
from cehrs_cards.db.import_rows import sql_literal
from cehrs_cards.db.migrations import note_text_sql
from cehrs_cards.db.note_text import MARKUP, note_text
from cehrs_cards.db.repo import fields_json as repo_fields_json
from cehrs_cards.interchange.package import CardIn, NoteIn, Package
from cehrs_cards.services.importing import ImportCancelled, fields_json, import_package

PIECES = [
    *(old for old, _ in MARKUP or ()),
    *"<>&;{}:c1 \t\n\r\xa0\x1f\"'\\/é😀",
    "&amp;lt;",
    "{{c1::",
    "{{c10::",
    "}}}",
    "<br/>",
    "<BR>",
    "<b",
    "</",
    "&nbsp;",
    "\x00",
    "\u2028",
    "plain words",
    "ICD-10-CM",
]


def _random_fields(rng: random.Random) -> list[str]:
    return ["".join(rng.choices(PIECES, k=rng.randint(0, 12))) for _ in range(rng.randint(1, 4))]


def test_python_search_text_equals_the_triggers_sql_text():
    """note_text(fields) == the SQL the insert trigger runs, on 3,000 nasty field lists."""
    assert MARKUP, "the trigger's replacements could not be read from db/migrations.py"
    rng = random.Random(9)
    con = sqlite3.connect(":memory:")
    sql = f"SELECT {note_text_sql('n')} FROM (SELECT ? AS fields) AS n"
    for _ in range(3000):
        values = _random_fields(rng)
        if any("\x00" in v for v in values):
            continue  # SQLite cuts JSON text at a NUL: the importer leaves those to SQL
        expected = con.execute(sql, (fields_json(values),)).fetchone()[0]
        assert note_text(values) == expected, values
    assert note_text([]) is None  # no fields: group_concat gives NULL, as the trigger does


def test_fields_json_is_what_the_repository_writes():
    rng = random.Random(3)
    for _ in range(500):
        values = _random_fields(rng)
        nt = replace(BASIC, fields=tuple(f"F{i}" for i in range(len(values))))
        named = dict(zip(nt.fields, values, strict=True))
        assert fields_json(values) == repo_fields_json(nt, named)
        assert json.loads(fields_json(values)) == values


def test_sql_literals_are_quoted_and_only_for_plain_values():
    assert sql_literal("it's") == "'it''s'"
    assert sql_literal(None) == "NULL" and sql_literal(True) == "1" and sql_literal(7) == "7"
    with pytest.raises(TypeError):
        sql_literal(1.5)


def _package(n: int, prefix: str = "g") -> Package:
    """`n` Basic and cloze notes with markup, entities and cloze numbers (1.5 cards each)."""
    notes = []
    for i in range(n):
        if i % 2:
            fields = {"Text": f"{{{{c1::HIPAA}}}} rule &amp; <b>PHI</b> {i}", "Back Extra": ""}
            notes.append(NoteIn(f"{prefix}{i}", CLOZE.name, "Bulk::Cloze", fields, ["t"]))
        else:
            fields = {"Front": f"<div>Front {i}</div>", "Back": f"back&nbsp;{i}"}
            cards = [CardIn(0, "Bulk::Basic")]
            notes.append(NoteIn(f"{prefix}{i}", BASIC.name, "Bulk", fields, ["t"], cards=cards))
    notes[0].fields["Back"] = "cut\x00 here<br>"  # SQLite's JSON reader stops at the NUL
    return Package(notes=notes)


def _schema(col) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(col.db_path)
    try:
        rows = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        return [r for r in rows if not str(r[1]).startswith("note_fts_")]  # FTS5's own tables
    finally:
        con.close()


def _index_state(col) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(what the index holds, what an index of the trigger's text for every note holds, FTS5's
    stored settings). The index keeps no text, so they are compared term by term: each
    trigram with the notes holding it, and each note's length in trigrams."""
    con = sqlite3.connect(col.db_path)
    try:
        con.execute("INSERT INTO note_fts (note_fts) VALUES ('integrity-check')")
        con.execute(
            "CREATE VIRTUAL TABLE temp.ref USING fts5(text, tokenize = 'trigram', content = '',"
            " detail = 'none')"
        )
        con.execute(
            f"INSERT INTO temp.ref (rowid, text) SELECT id, {note_text_sql('note')} FROM note"
        )
        held = [_vocab(con, "main", "note_fts"), _vocab(con, "temp", "ref")]
        config = con.execute("SELECT k, v FROM note_fts_config ORDER BY k").fetchall()
        return held[0], held[1], config
    finally:
        con.close()


def _vocab(con, schema: str, table: str) -> list[tuple]:
    con.execute(f"CREATE VIRTUAL TABLE temp.v_{table} USING fts5vocab({schema}, {table}, 'row')")
    terms = con.execute(f"SELECT term, doc FROM temp.v_{table} ORDER BY term").fetchall()
    sizes = con.execute(f"SELECT id, sz FROM {schema}.{table}_docsize ORDER BY id").fetchall()
    return [*terms, *sizes]


def test_bulk_import_indexes_like_the_trigger_and_restores_the_schema(col):
    """A first big import drops and rebuilds indexes and the trigger: all are back after."""
    before = _schema(col)
    summary = import_package(col, _package(1500))
    assert (summary.added, summary.cards_added) == (1500, 1500)
    assert _schema(col) == before
    indexed, wanted, config = _index_state(col)
    assert indexed == wanted and sum(1 for r in indexed if isinstance(r[0], int)) == 1500
    assert ("automerge", 4) in config  # FTS5's default, as before the import
    con = sqlite3.connect(col.db_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        grams = '"hip" AND "ipa" AND "paa" AND "aa " AND "a r" AND " ru" AND "rul" AND "ule"'
        hits = con.execute("SELECT count(*) FROM note_fts WHERE note_fts MATCH ?", (grams,))
        assert hits.fetchone()[0] == 750
    finally:
        con.close()


def test_import_into_a_bigger_collection_keeps_indexes_and_text_whole(col):
    import_package(col, _package(1500))
    before = _schema(col)
    summary = import_package(col, _package(300, prefix="more"))
    assert summary.added == 300
    assert _schema(col) == before
    indexed, wanted, _ = _index_state(col)
    assert indexed == wanted and sum(1 for r in indexed if isinstance(r[0], int)) == 1800


def test_cancelled_bulk_import_leaves_schema_and_index_as_they_were(col):
    before = _schema(col)
    with pytest.raises(ImportCancelled):
        import_package(col, _package(1500), progress=lambda done, total: done < total)
    assert _schema(col) == before
    indexed, wanted, config = _index_state(col)
    assert indexed == wanted == []
    assert ("automerge", 0) not in config


def test_db_time_writes_what_to_db_writes():
    from datetime import UTC, datetime, timedelta, timezone

    from cehrs_cards.db.timefmt import db_time, to_db

    plus3 = timezone(timedelta(hours=3))
    for when in (
        datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 12, 0, 0, 7, tzinfo=UTC),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),  # strftime does not pad the year
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 1, 1, 1, 0, tzinfo=plus3),
    ):
        assert db_time(when) == to_db(when)
    assert db_time(None) is None
    with pytest.raises(ValueError):
        db_time(datetime(2026, 1, 1))  # naive: refused, as to_db refuses it


def test_ms_text_writes_what_to_db_writes():
    import random
    from datetime import UTC, datetime

    from cehrs_cards.db.timefmt import MAX_MS, from_ms, ms_text, to_db, to_ms

    edges = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, MAX_MS - 1]
    edges.append(to_ms(datetime(2024, 2, 29, 23, 59, 59, 999_000, tzinfo=UTC)))  # leap day
    draws = random.Random(5).sample(range(MAX_MS), 20_000)
    for ms in edges + draws:
        assert ms_text(ms) == to_db(from_ms(ms)), ms
    for outside in (-1, MAX_MS):
        with pytest.raises(ValueError):
            ms_text(outside)


def test_the_cycle_collector_is_back_on_after_imports_that_end_either_way(col):
    import gc

    assert gc.isenabled()
    import_package(col, _package(20))
    assert gc.isenabled()
    with pytest.raises(ImportCancelled):
        import_package(col, _package(20, prefix="x"), progress=lambda done, total: False)
    assert gc.isenabled()


def test_the_bulk_path_recognises_the_trigger_the_schema_made(col):
    """Else every import would quietly fall back to the slow per-row trigger."""
    from cehrs_cards.db.import_rows import _known_trigger, _squeeze

    con = sqlite3.connect(col.db_path)
    try:
        stored = con.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'note_fts_insert'"
        ).fetchone()[0]
    finally:
        con.close()
    assert _known_trigger() is not None and _squeeze(stored) == _known_trigger()


def test_memory_columns_name_the_card_columns_they_fill(mini_col):
    """One definition: the card's memory columns are MemoryState's fields; memory_row
    fills them in that order, and an imported card row reads back as the state it came from."""
    from datetime import UTC, datetime

    from cehrs_cards.core.records import CardState, MemoryState
    from cehrs_cards.db.columns import MEMORY_COLUMNS
    from cehrs_cards.db.import_rows import CARD_COLUMNS
    from cehrs_cards.db.models import Card
    from cehrs_cards.db.study import memory_row
    from cehrs_cards.services.memory import memory_of

    start = CARD_COLUMNS.index("state")
    assert tuple(CARD_COLUMNS[start : start + len(MEMORY_COLUMNS)]) == MEMORY_COLUMNS
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    mem = MemoryState(CardState.RELEARNING, 1, 3.5, 6.25, when, when.replace(day=2), 7, 2)
    with mini_col.transaction() as s:
        card = s.get(Card, int(s.connection().exec_driver_sql("SELECT MIN(id) FROM card").scalar()))
        cols = ", ".join(f"{c} = ?" for c in MEMORY_COLUMNS)
        s.connection().exec_driver_sql(
            f"UPDATE card SET {cols} WHERE id = ?", (*memory_row(mem), card.id)
        )
        s.expire_all()
        assert memory_of(s.get(Card, card.id)) == mem


def test_db_time_remembers_texts_but_equal_instants_still_read_the_same():
    from datetime import UTC, datetime, timedelta, timezone

    from cehrs_cards.db.timefmt import db_time, to_db

    utc = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    plus2 = utc.astimezone(timezone(timedelta(hours=2)))
    assert db_time(utc) == db_time(plus2) == to_db(plus2) == to_db(utc)
    assert db_time(plus2) == to_db(plus2)  # now from the cache


def test_note_text_equals_the_plain_replace_chain_on_markup_and_nestings():
    """The two-pass shortcut for the tag group must give what replacing pattern by pattern
    gives, also for text where removing one tag makes another ("<<b>br>")."""
    from cehrs_cards.core.sanitize import sanitize_html

    def chain(values):
        text = "\x1f".join(values)
        for old, new in MARKUP:
            text = text.replace(old, new)
        return text

    tags = ["<br>", "<div>", "</div>", "<p>", "</p>", "<li>", "</li>", "<b>", "</b>", "<i>",
            "</i>", "<strong>", "</em>", "<sub>", "<span>", "<img src=\"a.png\">", "<", ">",
            "<<b>br>", "<</b>div>", "</<b>p>", "<b<i>>", "</<b>b>", "<<b>i>", "&lt;b&gt;",
            "&amp;lt;", "text ", "{{c1::", "}}", "\n", "\xa0", "é", "&nbsp;", "<BR>"]  # fmt: skip
    rng = random.Random(21)
    shortcut_taken = 0
    for _ in range(20_000):
        values = ["".join(rng.choices(tags, k=rng.randint(0, 10))) for _ in range(2)]
        assert note_text(values) == chain(values), values
        clean = [sanitize_html(v) for v in values]
        assert note_text(clean) == chain(clean), clean
        shortcut_taken += "<" in "".join(clean)
    assert shortcut_taken > 5000
