"""Export: our .apkg opens in the real Anki; ours -> apkg/CSV/TOML -> ours keeps everything."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlmodel import func, select

from cehrs_cards.core.domains import UNASSIGNED
from cehrs_cards.db.models import Card, Note
from cehrs_cards.interchange.package import DeckFormatError, NoteIn, Package
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.transfer import import_file
from cehrs_cards.services.transfer_export import export_file, list_notes
from tests.fixtures.apkg import make_fixtures as fx


def _anki_import(apkg: Path, where: Path):  # type: ignore[no-untyped-def]
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    anki = AnkiCollection(str(where / "anki.anki2"))
    request = ImportAnkiPackageRequest(
        package_path=str(apkg), options=ImportAnkiPackageOptions(with_scheduling=False)
    )
    anki.import_anki_package(request)
    return anki


def _stable(notes: list[dict]) -> list[dict]:
    return sorted(notes, key=lambda n: n["id"])


@pytest.fixture
def rich_col(mini_col: Collection, made) -> Collection:
    """Our mini deck (all domains, task, difficulty, source) plus Anki's notes with media."""
    import_file(mini_col, made["anki21b"])
    return mini_col


def test_our_apkg_opens_in_real_anki_with_media_cloze_and_reversed(rich_col, tmp_path):
    out = tmp_path / "ours.apkg"
    result = export_file(rich_col, out)
    assert (result.notes, result.cards, result.media) == (8, 12, 2)
    assert {"meta", "collection.anki21", "media"} <= set(zipfile.ZipFile(out).namelist())
    anki = _anki_import(out, tmp_path)
    try:
        assert anki.note_count() == 8 and anki.card_count() == 12
        assert sorted(Path(anki.media.dir()).iterdir()) == sorted(
            Path(anki.media.dir()) / m for m in fx.MEDIA
        )
        guids = {anki.get_note(n).guid: anki.get_note(n) for n in anki.find_notes("")}
        cloze = guids[fx.GUIDS["cloze"]]
        assert [c.ord for c in cloze.cards()] == [0, 1]
        assert "diagnoses" in cloze.cards()[1].question()  # Anki renders the hint
        assert len(guids[fx.GUIDS["reversed"]].cards()) == 2
        cloze_ours = guids["t-cloze-001"]
        assert "cehrs::domain::4" in cloze_ours.tags and "cehrs::task::4.breach" in cloze_ours.tags
        assert "cehrs::source::45%20CFR%20164.404" in cloze_ours.tags
        mcq = guids["t-mcq-001"]
        assert mcq.note_type()["name"].startswith("Multiple choice")
        assert "<ol" in mcq.cards()[0].question()
    finally:
        anki.close()


def test_round_trip_through_apkg_keeps_every_field_tag_and_domain(rich_col, tmp_path):
    before = _stable(list_notes(rich_col))
    out = tmp_path / "round.apkg"
    export_file(rich_col, out)
    fresh = Collection(tmp_path / "fresh", clock=rich_col.clock)
    try:
        result = import_file(fresh, out)
        assert result.summary.added == len(before) and result.summary.skipped == []
        after = _stable(list_notes(fresh))
    finally:
        fresh.close()
    assert after == before
    assert {n["domain"] for n in before} >= {1, 2, 3, 4, 5}
    assert any(n["task"] and n["difficulty"] and n["source"] for n in before)


@pytest.mark.parametrize("suffix", [".csv", ".toml"])
def test_round_trip_through_text_and_toml(rich_col, tmp_path, suffix):
    before = _stable(list_notes(rich_col))
    out = tmp_path / f"round{suffix}"
    export_file(rich_col, out)
    fresh = Collection(tmp_path / "fresh", clock=rich_col.clock)
    try:
        import_file(fresh, out)
        after = _stable(list_notes(fresh))
    finally:
        fresh.close()
    assert after == before


def test_round_trip_through_real_anki(rich_col, tmp_path):
    """ours -> apkg -> Anki -> Anki's own export -> ours: fields, tags and domains survive."""
    from anki.collection import ExportAnkiPackageOptions

    before = _stable(list_notes(rich_col))
    ours = tmp_path / "ours.apkg"
    export_file(rich_col, ours)
    anki = _anki_import(ours, tmp_path)
    back = tmp_path / "from-anki.apkg"
    try:
        options = ExportAnkiPackageOptions(with_scheduling=False, with_media=True)
        anki.export_anki_package(out_path=str(back), options=options, limit=None)
    finally:
        anki.close()
    fresh = Collection(tmp_path / "fresh", clock=rich_col.clock)
    try:
        import_file(fresh, back)
        after = _stable(list_notes(fresh))
        media = sorted(p.name for p in fresh.media_dir.iterdir())
    finally:
        fresh.close()
    strip = ("notetype",)  # Anki renames note types it already has ("Basic+")
    assert [{k: v for k, v in n.items() if k not in strip} for n in after] == [
        {k: v for k, v in n.items() if k not in strip} for n in before
    ]
    assert media == sorted(fx.MEDIA)


def test_export_one_deck_only(rich_col, tmp_path):
    out = tmp_path / "one.apkg"
    result = export_file(rich_col, out, deck="Anki Shared")
    assert result.notes == 3 and result.cards == 5
    with pytest.raises(DeckFormatError, match="no deck named"):
        export_file(rich_col, tmp_path / "none.apkg", deck="Nope")


def test_export_refuses_unknown_suffix(rich_col, tmp_path):
    with pytest.raises(DeckFormatError, match="export to"):
        export_file(rich_col, tmp_path / "x.docx")


def test_toml_export_skips_note_types_it_cannot_express(col, tmp_path):
    from cehrs_cards.core.notetypes import NoteTypeDef, Template

    custom = NoteTypeDef("Vocab", "custom", ("Word", "Meaning"), (Template("c", "{{Word}}", "x"),))
    pkg = Package(notetypes={"Vocab": custom})
    pkg.notes = [NoteIn("v1", "Vocab", "V", {"Word": "w", "Meaning": "m"})]
    import_package(col, pkg)
    result = export_file(col, tmp_path / "v.toml")
    assert result.notes == 0 and result.skipped == [("v1", "note type 'Vocab' has no TOML form")]
    export_file(col, tmp_path / "v.apkg")  # but .apkg carries it
    fresh = Collection(tmp_path / "fresh", clock=col.clock)
    try:
        import_file(fresh, tmp_path / "v.apkg")
        with fresh.read() as s:
            assert s.exec(select(func.count()).select_from(Note)).one() == 1
            assert s.exec(select(Card.domain)).one() == UNASSIGNED
    finally:
        fresh.close()
