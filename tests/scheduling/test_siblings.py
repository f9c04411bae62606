"""Siblings (cards of one note) are buried until tomorrow once one is answered, and spread
apart when introduced: cloze c1, c2, c3 never come back to back (issue 18 item 7)."""

import itertools
from datetime import timedelta
from pathlib import Path

import tomli_w
from sqlmodel import select

from cehrs_cards.core.records import Rating
from cehrs_cards.db.models import Card
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.review import ReviewService
from tests.scheduling.conftest import set_settings


def _cloze_deck(folder: Path, basics: int = 6) -> Path:
    notes = [
        {
            "id": "sib-cloze",
            "type": "cloze",
            "domain": 2,
            "task": "2.cpoe",
            "difficulty": "easy",
            "source": "test",
            "text": "{{c1::CPOE}} cuts {{c2::transcription}} errors at {{c3::order entry}}.",
        }
    ]
    for i in range(basics):
        notes.append(
            {
                "id": f"sib-basic-{i}",
                "type": "basic",
                "domain": 2,
                "task": "2.cpoe",
                "difficulty": "easy",
                "source": "test",
                "front": f"Q{i}",
                "back": f"A{i}",
            }
        )
    folder.mkdir(parents=True, exist_ok=True)
    deck = {"format": 1, "deck": "Sib", "notes": notes}
    (folder / "sib.toml").write_bytes(tomli_w.dumps(deck).encode())
    return folder


def _session(review: ReviewService, clock) -> list[tuple[int, int]]:
    """Study until the queue is empty (learning steps included): (note, card) in order shown."""
    shown: list[tuple[int, int]] = []
    while (card := review.next_card()) is not None and len(shown) < 200:
        again = (card.note_id, card.card_id) not in shown  # Again once, then Easy
        shown.append((card.note_id, card.card_id))
        review.answer(card, Rating.AGAIN if again else Rating.EASY)
        clock.advance(timedelta(minutes=2))
    return shown


def _back_to_back(shown: list[tuple[int, int]], cloze: int) -> int:
    """Two different cards of the cloze note shown one after the other."""
    pairs = itertools.pairwise(shown)
    return sum(1 for (n1, c1), (n2, c2) in pairs if n1 == n2 == cloze and c1 != c2)


def _open(col, tmp_path) -> tuple[ReviewService, int]:
    import_package(col, read_native(_cloze_deck(tmp_path / "deck")))
    review = ReviewService(col)
    with col.read() as s:
        cloze = next(c.note_id for c in s.exec(select(Card)).all() if c.ord == 2)
    return review, cloze


def test_answering_a_cloze_buries_its_siblings_until_tomorrow(col, tmp_path, clock):
    review, cloze = _open(col, tmp_path)
    shown = _session(review, clock)
    assert len({c for n, c in shown if n == cloze}) == 1  # one cloze card today, not three
    with col.read() as s:
        cards = [c for c in s.exec(select(Card)).all() if c.note_id == cloze]
        buried = [c for c in cards if c.buried_until is not None]
    assert len(buried) == 2 and {c.state for c in buried} == {0}
    tomorrow = review.window().day_end
    assert all(c.buried_until.replace(tzinfo=tomorrow.tzinfo) == tomorrow for c in buried)
    clock.set(tomorrow + timedelta(hours=8))  # the next study day they are back
    assert _back_to_back(_session(review, clock), cloze) == 0


def test_undo_of_an_answer_unburies_the_siblings(col, tmp_path, clock):

    review, cloze = _open(col, tmp_path)
    while (card := review.next_card()).note_id != cloze:
        review.answer(card, Rating.EASY)
    result = review.answer(card, Rating.GOOD)
    with col.read() as s:
        assert sum(1 for c in s.exec(select(Card)).all() if c.buried_until is not None) == 2
    result.undo.restore()
    with col.read() as s:
        assert all(c.buried_until is None for c in s.exec(select(Card)).all())


def test_without_burying_siblings_still_never_come_back_to_back(col, tmp_path, clock):
    review, cloze = _open(col, tmp_path)
    set_settings(review, bury_new=False, bury_reviews=False)
    shown = _session(review, clock)
    assert len({c for n, c in shown if n == cloze}) == 3  # all three studied the same day
    last_other = max(i for i, (n, _) in enumerate(shown) if n != cloze)
    assert _back_to_back(shown[: last_other + 1], cloze) == 0  # while other cards were left
    assert [n for n, _ in shown[:3]].count(cloze) <= 2  # c1 alone (and its own step)
