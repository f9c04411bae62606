"""Import use cases on a real collection: every variant, domains, re-import, scheduling, media."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from cehrs_cards.core.records import CardState, Rating
from cehrs_cards.db.models import Card, Deck, Note, NoteType, RevLog
from cehrs_cards.db.repo import fields_dict, notetype_from_row
from cehrs_cards.services.domain_map import DomainRule
from cehrs_cards.services.importing import ImportCancelled
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.transfer import (
    ImportOptions,
    import_file,
    preview_file,
    rename_media_refs,
)
from tests.fixtures.apkg import make_fixtures as fx


def count(col, model):
    with col.read() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def note_by_guid(col, guid):
    with col.read() as s:
        note = s.exec(select(Note).where(Note.guid == guid)).one()
        nt = notetype_from_row(s.get(NoteType, note.notetype_id))
        cards = s.exec(select(Card).where(Card.note_id == note.id).order_by(Card.ord)).all()
        decks = {d.id: d.name for d in s.exec(select(Deck))}
    return note, nt, cards, decks


@pytest.mark.parametrize("variant", ["genanki", "anki21", "anki21b"])
def test_import_keeps_every_note_card_tag_and_image(col, made, variant):
    result = import_file(col, made[variant])
    s = result.summary
    assert (s.added, s.cards_added, s.media_added, s.skipped) == (3, fx.EXPECTED_CARDS, 2, [])
    assert count(col, Note) == 3 and count(col, Card) == fx.EXPECTED_CARDS
    for name in fx.MEDIA:
        assert (col.media_dir / name).read_bytes().startswith(b"\x89PNG")
    note, nt, cards, decks = note_by_guid(col, fx.GUIDS["cloze"])
    fields = fields_dict(nt, note.fields)
    assert list(fields.values()) == list(fx.CLOZE)
    assert sorted(note.tags.split()) == sorted(fx.TAGS["cloze"])
    assert [c.ord for c in cards] == [0, 1] and {decks[c.deck_id] for c in cards} == {fx.DECK_MISC}
    front2, back2 = nt.render(fields, 1)
    assert "[diagnoses]" in front2 and "CPT" in front2 and '<img src="codes.png">' in front2
    assert "ICD-10-CM" in back2 and "Both" in back2
    note, nt, cards, _ = note_by_guid(col, fx.GUIDS["reversed"])
    assert [nt.render(fields_dict(nt, note.fields), c.ord)[0] for c in cards] == [
        "PHI",
        "Protected health information",
    ]


def test_domains_come_from_deck_names_and_tags(col, made):
    preview = preview_file(col, made["anki21b"])
    by_name = {d.name: d for d in preview.decks}
    assert by_name[fx.DECK_HIPAA].proposed == 4 and "hipaa" in by_name[fx.DECK_HIPAA].reason.lower()
    assert by_name[fx.DECK_MISC].proposed == 3  # its note is tagged "coding"/"billing"
    assert (preview.notes, preview.cards, preview.new_notes, preview.media) == (3, 5, 3, 2)
    assert count(col, Note) == 0  # a preview writes nothing
    import_file(col, made["anki21b"])
    with col.read() as s:
        domains = sorted(c.domain for c in s.exec(select(Card)))
    assert domains == [3, 3, 4, 4, 4]


def test_user_choices_override_the_rules(col, made):
    options = ImportOptions(deck_domains={fx.DECK_HIPAA: 1})
    result = import_file(col, made["anki21b"], options)
    assert result.by_domain == {1: 2, 3: 1}
    import_file(col, made["genanki"], ImportOptions(domain=5))  # same guids: nothing new
    with col.read() as s:
        assert sorted(c.domain for c in s.exec(select(Card))) == [1, 1, 1, 3, 3]


def test_custom_rules_and_unmatched_notes(col, made):
    rules = (DomainRule("misc", 2, "deck"),)
    preview = preview_file(col, made["anki21b"], ImportOptions(rules=rules))
    by_name = {d.name: d.proposed for d in preview.decks}
    assert by_name == {fx.DECK_HIPAA: 0, fx.DECK_MISC: 2}


def test_reimport_updates_by_guid_and_keeps_review_history(col, made):
    import_file(col, made["anki21b"])
    review = ReviewService(col)
    card = review.next_card()
    review.answer(card, Rating.GOOD)
    result = import_file(col, made["anki21"])
    assert (result.summary.added, result.summary.cards_added) == (0, 0)
    assert result.summary.unchanged == 3 and result.summary.media_added == 0
    assert count(col, Note) == 3 and count(col, Card) == 5 and count(col, RevLog) == 1
    with col.read() as s:
        assert s.get(Card, card.card_id).reps == 1


def test_reimport_of_a_changed_note_updates_it(col, tmp_path):
    from tests.interchange.hostile import genanki_notes

    import_file(col, genanki_notes(tmp_path, "a.apkg", [["front", "back"]]))
    result = import_file(col, genanki_notes(tmp_path, "b.apkg", [["edited front", "back"]]))
    assert (result.summary.added, result.summary.updated) == (0, 1)
    note, nt, cards, _ = note_by_guid(col, "hostile-0")
    assert fields_dict(nt, note.fields)["Front"] == "edited front" and len(cards) == 1


@pytest.mark.parametrize("variant", ["anki21", "anki21b"])
def test_scheduling_import_turns_anki_history_into_fsrs_state(col, made, variant):
    result = import_file(col, made[variant], ImportOptions(with_scheduling=True))
    assert result.summary.scheduled == 2
    with col.read() as s:
        studied = s.exec(select(Card).where(Card.state != int(CardState.NEW))).all()
        logs = s.exec(select(RevLog)).all()
    assert len(studied) == 2 and len(logs) == 2
    assert all(c.stability and c.difficulty and c.last_review for c in studied)
    review = next(c for c in studied if c.state == int(CardState.REVIEW))
    assert review.due > review.last_review
    assert sorted(r.rating for r in logs) == [3, 4]


def test_scheduling_is_not_imported_unless_asked(col, made):
    import_file(col, made["anki21b"])
    assert count(col, RevLog) == 0
    with col.read() as s:
        assert {c.state for c in s.exec(select(Card))} == {int(CardState.NEW)}


def test_cancel_rolls_back_notes_and_media(col, made):
    def at_the_end(done: int, total: int) -> bool:  # total 0: the file is still being read
        return total == 0 or done < total

    with pytest.raises(ImportCancelled):
        import_file(col, made["anki21b"], progress=at_the_end)
    assert count(col, Note) == 0 and count(col, Deck) == 0
    assert list(col.media_dir.iterdir()) == []
    assert [p.name for p in col.data_dir.iterdir() if p.name.startswith("import-")] == []


def test_clashing_media_name_is_renamed_and_references_follow(col, made):
    (col.media_dir / "hipaa.png").write_bytes(b"someone else's picture")
    import_file(col, made["anki21b"])
    assert (col.media_dir / "hipaa.png").read_bytes() == b"someone else's picture"
    note, nt, _, _ = note_by_guid(col, fx.GUIDS["basic"])
    front = fields_dict(nt, note.fields)["Front"]
    new_name = front.split('src="')[1].split('"')[0]
    assert (
        new_name.startswith("hipaa-") and (col.media_dir / new_name).read_bytes()[:4] == b"\x89PNG"
    )


def test_identical_media_is_not_copied_twice(col, made):
    import_file(col, made["anki21b"])
    before = sorted(p.name for p in col.media_dir.iterdir())
    import_file(col, made["genanki"])
    assert sorted(p.name for p in col.media_dir.iterdir()) == before


def test_rename_media_refs_handles_quotes_encoding_and_sound():
    html = "<img src=\"a b.png\"><img src='a b.png'><img src=a%20b.png>[sound:a b.png]"
    out = rename_media_refs(html, "a b.png", "c.png")
    assert out == "<img src=\"c.png\"><img src='c.png'><img src=c.png>[sound:c.png]"
    assert rename_media_refs('<img src="xa b.png">', "a b.png", "c.png") == '<img src="xa b.png">'


def test_custom_note_type_with_a_taken_name_is_kept_apart(col, tmp_path):
    import genanki

    model = genanki.Model(
        1_700_000_001,
        "Basic",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Fancy", "qfmt": "<h1>{{Front}}</h1>", "afmt": "{{Back}}!"}],
    )
    deck = genanki.Deck(1_700_000_002, "Fancy")
    deck.add_note(genanki.Note(model, ["q", "a"], guid="fancy-1"))
    path = tmp_path / "fancy.apkg"
    genanki.Package(deck).write_to_file(path)
    from cehrs_cards.interchange.native import read_native
    from cehrs_cards.services.importing import import_package
    from tests.conftest import FIXTURES

    import_package(col, read_native(FIXTURES / "decks"))  # our own "Basic" exists now
    import_file(col, path)
    _, nt, _, _ = note_by_guid(col, "fancy-1")
    assert nt.name == "Basic (2)" and nt.templates[0].front == "<h1>{{Front}}</h1>"


def test_bulk_import_keeps_the_full_text_index_whole(mini_col, made):
    """New notes are indexed in one statement; the per-row trigger is back afterwards."""
    import sqlite3

    def state():
        con = sqlite3.connect(mini_col.db_path)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if "note_fts" not in tables:
                pytest.skip("no full-text index in this schema")
            rows = con.execute("SELECT id FROM note_fts_docsize ORDER BY id").fetchall()
            return rows, tables
        finally:
            con.close()

    import_file(mini_col, made["anki21b"])
    rows, tables = state()
    assert "note_fts_insert" in tables
    with mini_col.read() as s:
        ids = [r[0] for r in s.connection().exec_driver_sql("SELECT id FROM note ORDER BY id")]
    assert [r[0] for r in rows] == ids and len(ids) == 8  # 5 mini notes + 3 imported
    assert _found(mini_col, "ICD-10-CM")
    con = sqlite3.connect(mini_col.db_path)  # a row written by anything else: the trigger works
    con.execute(
        "INSERT INTO note (guid, notetype_id, fields, created, modified) "
        "VALUES ('raw', 1, '[\"zebra\", \"b\"]', '2026-01-01', '2026-01-01')"
    )
    con.commit()
    con.close()
    assert _found(mini_col, "zebra") and len(state()[0]) == 9


def _found(col, word: str) -> bool:
    """The text index finds a note holding `word` (through its trigrams; it keeps no text)."""
    import sqlite3

    grams = " AND ".join(f'"{word[i : i + 3]}"' for i in range(len(word) - 2))
    con = sqlite3.connect(col.db_path)
    try:
        return bool(
            con.execute("SELECT 1 FROM note_fts WHERE note_fts MATCH ?", (grams,)).fetchall()
        )
    finally:
        con.close()
