"""note_rich (schema step 8): the notes whose stored fields are not plain ASCII text, which the
text search must not test as stored. Kept by the schema's triggers, the importer's bulk path
and the bulk helpers; the search over plain fields finds exactly what the text search finds.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

from cehrs_cards.core import search as q
from cehrs_cards.db import search_sql, search_where
from cehrs_cards.db.engine import open_engine
from cehrs_cards.db.migrations import rich_sql
from cehrs_cards.db.note_text import rich_kind
from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.notes import NoteChange

PIECES = [*"aZ09 ,.:-*_%\"'\\<>&{}[]\t\n\xa0\x00\x1féİıſK日😀", "&amp;", "<b>", "{{c1::", "}}"]
EXPECTED = f"SELECT id, k FROM (SELECT id, {rich_sql('note')} AS k FROM note) WHERE k IS NOT NULL"


def _rich(path: Path) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(note_rich's rows, the rows the schema's SQL computes from every note's fields)."""
    con = sqlite3.connect(path)
    try:
        held = con.execute("SELECT id, markup FROM note_rich ORDER BY id").fetchall()
        return held, con.execute(EXPECTED + " ORDER BY id").fetchall()
    finally:
        con.close()


def _assert_whole(kit) -> list[tuple[int, int]]:
    held, wanted = _rich(kit.col.db_path)
    assert held == wanted
    return held


def test_rich_kind_in_python_is_the_schema_sql_on_every_input():
    rng = random.Random(8)
    con = sqlite3.connect(":memory:")
    kinds = set()
    for _ in range(3000):
        values = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6))) for _ in "ab"]
        for fields in (json.dumps(values, ensure_ascii=False), json.dumps(values)):
            (got,) = con.execute(f"SELECT {rich_sql('t')} FROM (SELECT ? AS fields) t", (fields,))
            assert rich_kind(fields) == got[0], fields
            kinds.add(got[0])
    assert kinds == {None, 0, 1}


def test_note_rich_follows_adds_edits_deletes_and_undo(kit):
    _assert_whole(kit)
    (plain,) = kit.add("plain words", "x")
    (accented,) = kit.add("café au lait", "x")
    (marked,) = kit.add("bold <b>words</b>", "x")
    rows = dict(_assert_whole(kit))
    nid = {c: kit.notes.note_of_card(c).note_id for c in (plain, accented, marked)}
    assert nid[plain] not in rows and rows[nid[accented]] == 0 and rows[nid[marked]] == 1

    def edit(card: int, front: str) -> None:
        kit.edit.save_note(NoteChange(nid[card], {"Front": front, "Back": "x"}, [], 1, "Extra"))

    edit(plain, "now &amp; then")  # markup added
    edit(marked, "bold words")  # markup taken out
    rows = dict(_assert_whole(kit))
    assert rows[nid[plain]] == 1 and nid[marked] not in rows
    kit.edit.delete_notes([accented])
    assert nid[accented] not in dict(_assert_whole(kit))
    for _ in range(3):  # the delete, then both edits
        kit.undo.undo()
        _assert_whole(kit)
    rows = dict(_assert_whole(kit))
    assert nid[plain] not in rows and rows[nid[accented]] == 0 and rows[nid[marked]] == 1


def test_raw_sql_writes_and_bulk_helpers_keep_note_rich(kit):
    kit.sql("""UPDATE note SET fields = '["x \\\\ y", "z"]' WHERE id = 2""")
    kit.sql("DELETE FROM note WHERE id = 3")
    assert dict(_assert_whole(kit))[2] == 1
    kit.sql("DELETE FROM note_rich")
    with kit.col.transaction() as s:
        search_sql.rebuild_fts(s)
    assert _assert_whole(kit)
    con = sqlite3.connect(kit.col.db_path)
    t = "2026-03-10 12:00:00.000000"
    with search_sql.fts_paused(con):
        con.execute(
            "INSERT INTO note (id, guid, notetype_id, fields, created, modified)"
            " VALUES (50, 'g50', 1, '[\"<i>pelican</i>\", \"x\"]', ?, ?)",
            (t, t),
        )
    con.commit()
    con.close()
    assert dict(_assert_whole(kit))[50] == 1


def test_the_bulk_import_names_its_rich_notes(kit):
    notes = [
        NoteIn("p1", "Basic", "Bulk", {"Front": "plain front", "Back": "b"}),
        NoteIn("p2", "Basic", "Bulk", {"Front": "<div>marked</div>", "Back": "b"}),
        NoteIn("p3", "Basic", "Bulk", {"Front": "naïve", "Back": 'say "hi"'}),
        NoteIn("p4", "Basic", "Bulk", {"Front": "naïve", "Back": "b"}),
    ]
    assert import_package(kit.col, Package(notes=notes)).added == 4
    kinds = sorted(k for _, k in _assert_whole(kit))
    assert kinds.count(1) >= 2 and kinds.count(0) >= 1  # the mini deck's cloze has markup too
    assert kit.ids("marked") and kit.ids("NAÏVE") and kit.ids(r'"say \"hi"')


QUERIES = [
    "breach", "BREACH", "bre*ch", "b_each", "ab", "aud*t", "audit", "AUDİT", "ſtay", "stay",
    "KELVIN", "kelvin", "café", "CAFE", "caf*", "a, b", '"x, y"', "x*y", "[x", "lt;", "&",
    "a&b", "bold words", '"bold words"', "w:bold", "5", "1*0", "*", "**", "e*", '"  "',
    "hi*there", "there", "line", "feed", "nbsp", "tab", "o*o", "-breach", "breach audit", "[",
    "]", "audit_two", "hi_b", "x*two", "t*,*b", "mp", "sp", "c1", "amp", "nbsp;",
]  # fmt: skip
NOTES = [
    "breach audit", "Breach of <b>audit</b> data", "a&amp;b and a, b", "x, y plus [x",
    "bold words", "bold <i>words</i>", "caf\u00e9 au lait", "CAFE", "Kelvin K scale",
    "\u017ftay long", "AUD\u0130T", "hi\nthere", "tab\there", "no&nbsp;break",
    "1 to 10", "o\u00a0o", "{{c1::breach}} cloze",
    'say "hi"', "back\\slash", "e", "a  b",
]  # fmt: skip


def test_plain_fields_and_the_computed_text_find_the_same_cards(kit, monkeypatch):
    """Every query, run as the search runs it (plain notes tested as stored), then with no
    note tested as stored (the computed text only), then with every note named in note_rich:
    the same cards each time."""
    for i, front in enumerate(NOTES):
        kit.add(front, "x" if i % 2 else "two words")
    kit.sql("""UPDATE note SET fields = '["breach, hi", "b_each", "line\\nfeed"]' WHERE id = 2""")
    rich = dict(_assert_whole(kit))
    assert 0 < len(rich) < 20 and 0 in rich.values()  # plain, rich and non-ASCII notes
    with kit.col.read() as s:
        sql, _ = search_sql.translate(q.parse("breach audit"), kit.browse.context(s))
    assert "n.fields LIKE" in sql  # the plain path is the one tested here
    found = {query: kit.ids(query) for query in QUERIES}
    with monkeypatch.context() as m:
        m.setattr(search_where, "_fields_safe", lambda pat: False)
        for query in QUERIES:
            assert kit.ids(query) == found[query], query
    kit.sql("INSERT OR REPLACE INTO note_rich (id, markup) SELECT id, 1 FROM note")
    for query in QUERIES:
        assert kit.ids(query) == found[query], query
    assert sum(map(bool, found.values())) > 25


def test_an_upgraded_version_7_collection_names_its_rich_notes(tmp_path):
    saved = Path(__file__).parents[1] / "fixtures" / "db" / "v7.sqlite"
    db = tmp_path / "c.sqlite"
    shutil.copy(saved, db)
    open_engine(db).dispose()
    held, wanted = _rich(db)
    assert held == wanted == [(3, 1)]  # the cloze; the others are plain ASCII
    fresh = tmp_path / "fresh.sqlite"
    open_engine(fresh).dispose()
    con = sqlite3.connect(fresh)
    triggers = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    made = con.execute(triggers).fetchall()
    con.close()
    con = sqlite3.connect(db)
    assert con.execute(triggers).fetchall() == made  # the same triggers as a new collection
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
