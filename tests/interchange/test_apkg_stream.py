"""A big Anki package is read as it is walked and written a chunk at a time (issue 22).

The notes are never held as a list; what the import pipeline changes on them (domains)
holds on every walk; an import whose chunks are partly written is still all or nothing.
"""

from __future__ import annotations

import sqlite3

import pytest

from cehrs_cards.interchange.apkg_read import read_apkg
from cehrs_cards.interchange.package import ImportCancelled
from cehrs_cards.services import importing
from cehrs_cards.services.transfer import ImportOptions, import_file
from tests.interchange import hostile
from tests.interchange.test_hostile import snapshot

COUNT = 3_000


@pytest.fixture(scope="module")
def many(made, tmp_path_factory):
    return hostile.many_notes(made["anki21"], tmp_path_factory.mktemp("many"), COUNT)


def test_notes_are_read_again_on_each_walk_with_the_changes_made(many):
    pkg = read_apkg(many)
    try:
        assert not isinstance(pkg.notes, list) and len(pkg.notes) == COUNT + 3
        first = [(n.guid, dict(n.fields), [c.ord for c in n.cards]) for n in pkg.notes]
        pkg.change_notes(lambda note: setattr(note, "domain", 4))
        again = list(pkg.notes)
        assert [(n.guid, dict(n.fields), [c.ord for c in n.cards]) for n in again] == first
        assert {n.domain for n in again} == {4}
    finally:
        pkg.close()


def test_chunked_import_writes_every_note_once_with_its_domain(col, many, monkeypatch):
    monkeypatch.setattr(importing, "WRITE_CHUNK", 700)  # several chunks, one short one
    result = import_file(col, many, ImportOptions(domain=3))
    assert result.summary.added == COUNT + 3 and result.by_domain == {3: COUNT + 3}
    con = sqlite3.connect(col.data_dir / "collection.sqlite")
    try:
        assert con.execute("SELECT count(*), count(DISTINCT guid) FROM note").fetchone() == (
            COUNT + 3,
            COUNT + 3,
        )
        cards = con.execute("SELECT count(*), min(domain), max(domain) FROM card").fetchone()
        assert cards == (result.summary.cards_added, 3, 3) and cards[0] > COUNT + 3
        assert con.execute("SELECT count(*) FROM note_fts").fetchone() == (COUNT + 3,)
        unindexed = "SELECT count(*) FROM note WHERE id NOT IN (SELECT rowid FROM note_fts)"
        assert con.execute(unindexed).fetchone() == (0,)
    finally:
        con.close()


def test_cancel_after_chunks_were_written_leaves_nothing(col, many, monkeypatch):
    monkeypatch.setattr(importing, "WRITE_CHUNK", 500)
    before = snapshot(col)
    schema = _schema(col)

    def stop_late(done: int, total: int) -> bool:
        return done < 2_000  # four chunks are in the database by then

    with pytest.raises(ImportCancelled):
        import_file(col, many, progress=stop_late)
    assert snapshot(col)[0] == before[0] and _schema(col) == schema


def _schema(col):
    con = sqlite3.connect(col.data_dir / "collection.sqlite")
    try:
        return sorted(con.execute("SELECT type, name, sql FROM sqlite_master"))
    finally:
        con.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",  # as Anki writes them: text GUIDs, integer ids
        "UPDATE notes SET guid = 12345 WHERE id = (SELECT min(id) FROM notes)",
        "UPDATE notes SET guid = x'00ff' WHERE id = (SELECT max(id) FROM notes)",
        "UPDATE notes SET guid = 1.5 WHERE id = (SELECT max(id) FROM notes)",
    ],
    ids=["text", "integer guid", "blob guid", "real guid"],
)
def test_keys_read_without_a_walk_are_the_walks_own(made, tmp_path, sql):
    """The GUIDs and ids an import plans with (read in one statement each) are those its
    walk then reads, however the package stores them; a second import finds every note."""
    path = hostile.edited_collection(made["anki21"], tmp_path, "keys", sql)
    pkg = read_apkg(path)
    try:
        assert not isinstance(pkg.notes, list)
        guids, note_ids, card_ids = pkg.note_keys()
        walked = list(pkg.notes)
        assert guids == [n.guid for n in walked]
        assert note_ids == [n.anki_id for n in walked] and all(note_ids)
        assert sorted(card_ids) == sorted(c.anki_id for n in walked for c in n.cards)
        assert pkg.note_keys() == (guids, note_ids, card_ids)  # read again: the same
    finally:
        pkg.close()
