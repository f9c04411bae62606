"""Issue 14: packages that cost time or memory, read cancelled, preview without history.

Each test builds the hostile package from a real one (tests/interchange/hostile.py) and shows
the harm gone: refused at once with a sentence naming the problem and nothing written, or
read within the caps. The figures before and after are in benchmarks/hostile_report.py.
"""

from __future__ import annotations

import sqlite3
import zipfile

import pytest
from sqlmodel import select

from cehrs_cards.db.models import Note
from cehrs_cards.interchange import apkg_notes
from cehrs_cards.interchange.apkg_read import read_apkg
from cehrs_cards.interchange.package import DeckFormatError, ImportCancelled
from cehrs_cards.interchange.zipsafe import Limits, PackageError
from cehrs_cards.services.transfer import ImportOptions, import_file, preview_file
from tests.interchange import hostile
from tests.interchange.test_hostile import snapshot

DEEP = "".join(f"{{{{#F{i}}}}}" for i in range(1000)) + "x" + "{{/F0}}"
CASES = {
    "endless recursive view as notes": (
        lambda m, d: hostile.notes_view(m["anki21"], d, None),
        "'notes' is a view, not a plain table",
    ),
    "20M-row view as notes": (
        lambda m, d: hostile.notes_view(m["anki21"], d, 20_000_000, "v20m"),
        "'notes' is a view",
    ),
    "50M-row view as revlog": (
        lambda m, d: hostile.revlog_view(m["anki21"], d, 50_000_000),
        "'revlog' is a view",
    ),
    "generated column": (
        lambda m, d: hostile.generated_column(m["anki21"], d),
        "computes some of its columns",
    ),
    "note-type JSON 100,000 deep": (
        lambda m, d: hostile.deep_models_json(m["anki21"], d),
        "models list is nested too deeply",
    ),
    "deck 5,000 levels deep": (
        lambda m, d: hostile.deep_deck(m["anki21"], d),
        "has 5,000 levels; the limit is 100",
    ),
    "newer schema": (lambda m, d: hostile.newer_schema(m["anki21b"], d), "schema 19"),
    "sections 1,000 deep": (
        lambda m, d: hostile.template_edit(m["anki21"], d, "deep", DEEP),
        "nested more than 100 deep",
    ),
    "template of 600,000 characters": (
        lambda m, d: hostile.template_edit(m["anki21"], d, "long", "{{Front}}" + "x" * 600_000),
        "600,009 characters; the limit is 500,000",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_costly_package_is_refused_at_once_and_nothing_changes(mini_col, made, tmp_path, case):
    make, message = CASES[case]
    path = make(made, tmp_path)
    package = path.read_bytes()
    before = snapshot(mini_col)
    for read in (
        lambda: preview_file(mini_col, path),
        lambda: import_file(mini_col, path, ImportOptions(with_scheduling=True)),
    ):
        with pytest.raises(DeckFormatError, match=message):
            read()
    assert snapshot(mini_col) == before
    assert path.read_bytes() == package  # the package itself is never written either


def test_row_caps_refuse_before_reading_and_say_so(made, tmp_path):
    path = hostile.many_notes(made["anki21"], tmp_path, 200)
    with pytest.raises(PackageError, match=r"holds 203 notes; we accept at most 150 \(far more"):
        read_apkg(path, limits=Limits(max_notes=150))
    with pytest.raises(PackageError, match=r"holds 205 cards; we accept at most 204"):
        read_apkg(path, limits=Limits(max_cards=204))
    assert len(read_apkg(path, limits=Limits(max_notes=203, max_cards=205)).notes) == 203


def test_review_history_cap_applies_only_when_history_is_read(made):
    few = Limits(max_revlog=1)
    with pytest.raises(PackageError, match="import it without its review history"):
        read_apkg(made["anki21"], limits=few)
    pkg = read_apkg(made["anki21"], limits=few, with_history=False)
    assert len(pkg.notes) == 3 and pkg.has_scheduling  # told, never read


def test_preview_reads_no_review_history(col, made, tmp_path):
    """A review log whose rows cannot be read at all: the preview still works (and says
    there is history); only an import with history reads it, and refuses it."""
    path = hostile.edited_collection(
        made["anki21"], tmp_path, "bad-revlog", "UPDATE revlog SET ease = 'not a number'"
    )
    preview = preview_file(col, path)
    assert preview.notes == 3 and preview.has_scheduling
    with pytest.raises(DeckFormatError, match="malformed rows"):
        import_file(col, path, ImportOptions(with_scheduling=True))
    assert import_file(col, path).summary.added == 3  # without history it imports


def test_work_budget_stops_a_read_that_runs_too_long(made, tmp_path):
    path = hostile.many_notes(made["anki21"], tmp_path, 5_000)
    with pytest.raises(PackageError, match="far more work than a real collection"):
        read_apkg(path, limits=Limits(sql_budget=20_000))
    assert len(read_apkg(path).notes) == 5_003


def test_oversized_value_is_refused(made, tmp_path):
    path = hostile.genanki_notes(tmp_path, "big.apkg", [["x" * 5000, "b"]])
    with pytest.raises(PackageError, match="holds a value larger than we accept"):
        read_apkg(path, limits=Limits(max_value_bytes=4096))


def test_cancel_interrupts_a_running_sqlite_statement(made, tmp_path):
    """The user's Cancel reaches SQLite's progress handler: the statement under way is
    interrupted (the error's cause is SQLite's 'interrupted'), the read ends cancelled."""
    path = hostile.many_notes(made["anki21"], tmp_path, 20_000)
    calls = []

    def stop_once_reading() -> bool:  # the first call comes while the collection is unpacked
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(ImportCancelled) as got:
        read_apkg(path, should_stop=stop_once_reading)
    assert isinstance(got.value.__cause__, sqlite3.OperationalError)
    assert "interrupt" in str(got.value.__cause__)


def test_cancelled_preview_and_import_write_nothing(col, made):
    for run in (
        lambda: preview_file(col, made["anki21b"], progress=lambda done, total: False),
        lambda: import_file(col, made["anki21b"], progress=lambda done, total: False),
    ):
        with pytest.raises(ImportCancelled):
            run()
    with col.read() as s:
        assert s.exec(select(Note)).first() is None
    assert not [p for p in col.data_dir.iterdir() if p.name.startswith("import-")]


def test_collection_is_opened_read_only(made, tmp_path):
    """The package's collection is never written, not even its journal mode (a refused
    newer schema was switched to WAL first)."""
    path = hostile.newer_schema(made["anki21b"], tmp_path)
    with zipfile.ZipFile(path) as z:
        before = z.read("collection.anki21b")
    with pytest.raises(PackageError, match="schema 19"):
        read_apkg(path)
    with zipfile.ZipFile(path) as z:
        assert z.read("collection.anki21b") == before


def test_package_connection_trusts_no_schema_and_cannot_write(made, tmp_path):
    from cehrs_cards.interchange.package_db import open_collection

    db = tmp_path / "c.db"
    with zipfile.ZipFile(made["anki21"]) as z:
        db.write_bytes(z.read("collection.anki21"))
    with open_collection(db, Limits(), None) as (con, _guard):
        assert con.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            con.execute("UPDATE col SET ver = 1")


def test_a_bad_note_past_the_first_chunk_refuses_the_import_and_nothing_changes(
    mini_col, made, tmp_path, monkeypatch
):
    """An import reads the package's notes once: no check walk first (issue 15), so its own
    walk is what refuses a bad note. One past the first chunk of 5,000 written notes still
    refuses the whole import with the check's sentence and leaves every row as it was (the
    backup taken before the import is the collection as it was, and stays)."""
    path = hostile.many_notes(made["anki21"], tmp_path, 6_000)
    db = tmp_path / "late-bad.db"
    with zipfile.ZipFile(path) as z:
        db.write_bytes(z.read("collection.anki21"))
    con = sqlite3.connect(db)
    con.execute(
        "UPDATE notes SET flds = printf('%.*c', 1000001, 'x') "
        "WHERE id = (SELECT MAX(id) FROM notes)"
    )
    con.commit()
    con.close()
    bad = hostile.rezip(path, tmp_path / "late-bad.apkg", {"collection.anki21": db.read_bytes()})
    read = []
    real = apkg_notes.read_notes

    def counted(*args):
        for note in real(*args):
            read.append(note.guid)
            yield note

    monkeypatch.setattr(apkg_notes, "read_notes", counted)
    rows, files = snapshot(mini_col)
    with pytest.raises(DeckFormatError, match=r"has a field of 1,000,001 characters"):
        import_file(mini_col, bad)
    assert snapshot(mini_col)[0] == rows
    after = snapshot(mini_col)[1]
    assert [f for f in after if not f.startswith("backups")] == files
    assert len(read) == 1 + 6_002  # the first note (for the checks), then the import's walk
    read.clear()
    assert import_file(mini_col, path).summary.added == 6_003
    assert len(read) == 6_003 + 1  # one walk, plus the first note read for the checks
