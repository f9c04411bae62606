"""Anki's text format (header lines) and plain CSV/TSV through a column mapping."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from cehrs_cards.db.models import Card, Note
from cehrs_cards.interchange.package import DeckFormatError
from cehrs_cards.interchange.text_csv import ColumnMapping, parse_text, read_text, sniff_separator
from cehrs_cards.services.transfer import ImportOptions, import_file
from cehrs_cards.services.transfer_export import export_file
from tests.fixtures.apkg import make_fixtures as fx


def test_anki_text_export_imports_with_guids_note_types_decks_and_tags(col, made):
    result = import_file(col, made["text"])
    assert (result.summary.added, result.summary.cards_added) == (3, fx.EXPECTED_CARDS)
    with col.read() as s:
        notes = {n.guid: n for n in s.exec(select(Note))}
    assert set(notes) == set(fx.GUIDS.values())
    assert sorted(notes[fx.GUIDS["basic"]].tags.split()) == sorted(fx.TAGS["basic"])
    assert "hipaa.png" in notes[fx.GUIDS["basic"]].fields
    again = import_file(col, made["text"])
    assert (again.summary.added, again.summary.unchanged) == (0, 3)


def test_header_lines_are_understood(tmp_path):
    f = tmp_path / "h.txt"
    f.write_text(
        "#separator:Semicolon\n#html:false\n#tags:t1 t2\n#deck:Imported::Text\n"
        "#notetype:Basic (and reversed card)\n#columns:Back;Front\n#tags column:3\n"
        "answer <1>;question;extra\n"
    )
    parsed = parse_text(f)
    m = parsed.mapping
    assert (m.separator, m.html, m.deck, m.tags_column) == (";", False, "Imported::Text", 3)
    pkg = read_text(f)
    note = pkg.notes[0]
    assert note.fields == {"Back": "answer &lt;1&gt;", "Front": "question"}  # by column label
    assert note.tags == ["t1", "t2", "extra"] and note.notetype == "Basic (and reversed card)"


def test_plain_csv_with_a_column_mapping(col, tmp_path):
    f = tmp_path / "plain.csv"
    f.write_text(
        'term,definition,labels\n"ROI","Release of\ninformation",hipaa admin\nMPI,Master patient '
        "index,records\n"
    )
    mapping = ColumnMapping(
        notetype="Basic",
        fields={2: "Front", 1: "Back"},
        tags_column=3,
        deck="CSV deck",
        first_row_is_header=True,
    )
    result = import_file(col, f, ImportOptions(mapping=mapping))
    assert result.summary.added == 2
    with col.read() as s:
        notes = {n.sort_field: n for n in s.exec(select(Note))}
        domains = sorted(c.domain for c in s.exec(select(Card)))
    assert json.loads(notes["Release of information"].fields) == [
        "Release of<br>information",
        "ROI",
    ]
    assert notes["Release of information"].tags == "admin hipaa"
    assert domains == [0, 4]  # the hipaa tag maps to Regulatory Compliance
    again = import_file(col, f, ImportOptions(mapping=mapping))
    assert (again.summary.added, again.summary.unchanged) == (0, 2)  # stable derived ids


def test_tab_file_without_header_maps_columns_in_order(tmp_path):
    f = tmp_path / "t.tsv"
    f.write_text("Q1\tA1\nQ2\tA2, with comma\n")
    pkg = read_text(f)
    assert [n.fields for n in pkg.notes] == [
        {"Front": "Q1", "Back": "A1"},
        {"Front": "Q2", "Back": "A2, with comma"},
    ]


@pytest.mark.parametrize(
    ("line", "sep"), [("a\tb,c", "\t"), ("a;b;c,d", ";"), ("a,b", ","), ("a|b", "|"), ("ab", ",")]
)
def test_separator_sniffing(line, sep):
    assert sniff_separator(line + "\n") == sep


def test_not_utf8_is_a_clear_error(col, tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("caf\xe9,b\n".encode("latin-1"))
    with pytest.raises(DeckFormatError, match=r"not UTF-8 .* at byte 3\). Save it as UTF-8"):
        import_file(col, f)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_unicode_text_from_excel_imports(tmp_path, encoding):
    """Excel's "Unicode Text" is UTF-16 with a byte-order mark, tab-separated, CRLF lines."""
    text = "Café\tthé, ß\r\n日本\t🩺\r\n"
    bom = "\ufeff".encode(encoding)
    f = tmp_path / "excel.txt"
    f.write_bytes(bom + text.encode(encoding))
    assert [n.fields for n in read_text(f).notes] == [
        {"Front": "Café", "Back": "thé, ß"},
        {"Front": "日本", "Back": "🩺"},
    ]


def test_absurd_field_in_text_is_refused(col, tmp_path):
    f = tmp_path / "big.tsv"
    f.write_text("x" * 1_000_002 + "\tb\n")
    with pytest.raises(DeckFormatError, match="field"):
        import_file(col, f)
    with col.read() as s:
        assert s.exec(select(Note)).first() is None


def test_our_text_export_imports_in_real_anki(mini_col, tmp_path):
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportCsvRequest

    out = tmp_path / "ours.txt"
    export_file(mini_col, out)
    anki = AnkiCollection(str(tmp_path / "a.anki2"))
    try:
        metadata = anki.get_csv_metadata(path=str(out), delimiter=None)
        anki.import_csv(ImportCsvRequest(path=str(out), metadata=metadata))
        guids = {anki.get_note(n).guid for n in anki.find_notes("")}
    finally:
        anki.close()
    # Anki knows Basic, reversed and Cloze; our "Multiple choice" type exists only in .apkg.
    assert guids == {"t-basic-001", "t-rev-001", "t-cloze-001", "t-basic-002"}
