from pathlib import Path

import pytest
from sqlmodel import func, select

from cehrs_cards.core.records import Rating
from cehrs_cards.db.models import Card, Deck, Note, RevLog
from cehrs_cards.interchange.native import read_native, read_native_file
from cehrs_cards.interchange.package import DeckFormatError
from cehrs_cards.services.importing import ImportCancelled, import_package

FIXTURES = Path(__file__).parents[1] / "fixtures" / "decks"


def _count(col, model):
    with col.read() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_import_creates_notes_cards_and_nested_decks(mini_col):
    assert _count(mini_col, Note) == 5
    assert _count(mini_col, Card) == 7  # reversed -> 2, cloze c1 c2 -> 2
    with mini_col.read() as s:
        names = sorted(d.name for d in s.exec(select(Deck)))
        domains = sorted(c.domain for c in s.exec(select(Card)))
    assert names == ["CEHRS", "CEHRS::Mini"]
    assert domains == [1, 1, 2, 3, 4, 4, 5]


def test_reimport_updates_by_id_and_keeps_history(mini_col, review, tmp_path):
    card = review.next_card()
    review.answer(card, Rating.GOOD)
    changed = tmp_path / "d.toml"
    text = (
        (FIXTURES / "mini.toml")
        .read_text()
        .replace("Master patient index", "Master patient index (MPI)")
    )
    changed.write_text(text)
    summary = import_package(mini_col, read_native(changed))
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 4)
    assert _count(mini_col, Note) == 5 and _count(mini_col, Card) == 7
    assert _count(mini_col, RevLog) == 1
    with mini_col.read() as s:
        row = s.get(Card, card.card_id)
    assert row.reps == 1


def test_cancel_rolls_everything_back(col):
    with pytest.raises(ImportCancelled):
        import_package(col, read_native(FIXTURES), progress=lambda done, total: done < total)
    assert _count(col, Note) == 0 and _count(col, Card) == 0 and _count(col, Deck) == 0


def test_bad_notes_are_skipped_with_a_reason(col, tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(
        'format = 1\ndeck = "X"\n[[notes]]\nid = "e1"\ntype = "basic"\ndomain = 1\n'
        'front = ""\nback = ""\n'
    )
    summary = import_package(col, read_native(f))
    assert summary.added == 0 and summary.skipped == [("e1", "every field is empty")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("format = 2", "unsupported format"),
        ("format = 1\n[[notes]]\nid='x'\ntype='essay'\ndomain=1", "type must be"),
        ("format = 1\n[[notes]]\nid='x'\ntype='basic'\ndomain=1\nfront='f'", "missing back"),
        (
            "format = 1\n[[notes]]\nid='x'\ntype='basic'\ndomain=9\nfront='f'\nback='b'",
            "domain must be",
        ),
        (
            "format = 1\n[[notes]]\nid='x'\ntype='mcq'\ndomain=1\nstem='s'\noptions=['a']\n"
            "answer='A'\nexplanation='e'",
            "exactly 4",
        ),
        ("not toml = = =", "not a readable deck file"),
    ],
)
def test_bad_files_are_rejected_with_a_clear_message(tmp_path, body, message):
    f = tmp_path / "x.toml"
    f.write_text(body)
    with pytest.raises(DeckFormatError, match=message):
        read_native_file(f)


def test_html_in_fields_is_sanitised_on_import(col, tmp_path):
    f = tmp_path / "x.toml"
    f.write_text(
        'format = 1\n[[notes]]\nid = "h1"\ntype = "basic"\ndomain = 1\n'
        'front = "<script>steal()</script>Q <img src=\\"http://x/t.gif\\">"\nback = "A"\n'
    )
    import_package(col, read_native(f))
    with col.read() as s:
        note = s.exec(select(Note)).one()
    assert "script" not in note.fields and "http" not in note.fields and "Q" in note.fields


def test_a_note_left_empty_by_sanitising_is_skipped_with_that_reason(col, tmp_path):
    f = tmp_path / "unsafe.toml"
    f.write_text(
        'format = 1\ndeck = "X"\n[[notes]]\nid = "s1"\ntype = "basic"\ndomain = 1\n'
        'front = "<script>alert(1)</script>"\nback = \'<img src="http://evil.test/t.gif">\'\n'
        '[[notes]]\nid = "ok"\ntype = "basic"\ndomain = 1\nfront = "<b>Q</b>"\nback = "A"\n'
    )
    summary = import_package(col, read_native(f))
    assert summary.added == 1
    assert summary.skipped == [
        ("s1", "nothing is left once unsafe markup (scripts, remote images) is removed")
    ]
