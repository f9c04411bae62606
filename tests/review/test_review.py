from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import func, select

from cehrs_cards.core.records import CardState, Rating
from cehrs_cards.db.models import Card, RevLog
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.info import collection_info
from cehrs_cards.services.review import ReviewService, StaleCardError
from cehrs_cards.services.undo import UndoStack
from tests.ops_helpers import Applied


def _card(col, card_id):
    with col.read() as s:
        return s.get(Card, card_id)


def _logs(col):
    with col.read() as s:
        return s.exec(select(func.count()).select_from(RevLog)).one()


def test_answer_saves_exactly_the_state_on_the_button(review, mini_col, clock):
    card = review.next_card()
    shown = {p.rating: p for p in card.previews}
    clock.advance(timedelta(seconds=7))  # answering later must not change what is saved
    review.answer(card, Rating.EASY, 7000)
    row = _card(mini_col, card.card_id)
    after = shown[Rating.EASY].after
    # the button's state and interval, counted from the answer (issue 18 item 5)
    assert (row.state, row.stability, row.difficulty, row.due) == (
        int(after.state),
        after.stability,
        after.difficulty,
        after.due + timedelta(seconds=7),
    )
    assert row.last_review == clock.now()
    assert _logs(mini_col) == 1


def test_answer_is_committed_and_visible_to_a_new_connection(review, mini_col):
    import sqlite3

    card = review.next_card()
    review.answer(card, Rating.GOOD, 1000)
    con = sqlite3.connect(mini_col.db_path)
    assert con.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 1
    assert con.execute("SELECT state FROM card WHERE id=?", (card.card_id,)).fetchone()[0] == 1


def test_undo_restores_card_and_removes_log(review, mini_col):
    undo = UndoStack()
    card = review.next_card()
    before = _card(mini_col, card.card_id)
    result = review.answer(card, Rating.GOOD, 1000)
    assert result.changes.cards and result.changes.review_log
    assert result.changes.card_ids == {card.card_id}
    undo.push(result.undo)
    step, changes = undo.undo()
    assert step.card_id == card.card_id and step.label == "Answer" and changes.review_log
    after = _card(mini_col, card.card_id)
    assert (after.state, after.due, after.reps, after.stability) == (
        before.state,
        before.due,
        before.reps,
        before.stability,
    )
    assert _logs(mini_col) == 0
    assert undo.undo() is None


def test_stale_card_is_refused(review):
    card = review.next_card()
    review.answer(card, Rating.GOOD)
    with pytest.raises(StaleCardError):
        review.answer(card, Rating.GOOD)


def test_queue_learning_first_then_reviews_by_retrievability_then_new(review, mini_col, clock):
    # Make two review cards with different retrievability and one learning card.
    first = review.next_card()
    review.answer(first, Rating.EASY)
    second = review.next_card()
    review.answer(second, Rating.EASY)
    third = review.next_card()
    review.answer(third, Rating.AGAIN)  # learning, due in 1 minute
    clock.advance(timedelta(days=30))
    assert review.next_card().card_id == third.card_id  # learning due first
    review.answer(review.next_card(), Rating.EASY)
    nxt = review.next_card()
    r = {
        c: review.schedulers.retrievability(
            _card(mini_col, c).domain, review.study_card(c).before, clock.now()
        )
        for c in (first.card_id, second.card_id)
    }
    assert nxt.card_id == min(r, key=r.get)


def test_new_cards_interleave_domains(review):
    domains = []
    for _ in range(5):
        card = review.next_card()
        domains.append(card.domain)
        review.answer(card, Rating.EASY)
    assert domains[0] == 2  # the heaviest domain first
    assert len(set(domains)) == 5


def test_daily_new_limit(review, mini_col):
    mini_col.save_settings(replace(mini_col.settings(), new_per_day=2))
    review.reload_settings()
    for _ in range(2):
        review.answer(review.next_card(), Rating.EASY)
    assert review.next_card() is None
    assert collection_info(review)["new"] == 0


def test_day_rolls_over_at_configured_hour(review, mini_col, clock):
    mini_col.save_settings(replace(mini_col.settings(), new_per_day=1, rollover_hour=4))
    review.reload_settings()
    review.answer(review.next_card(), Rating.EASY)  # at 12:00 UTC
    assert review.next_card() is None
    clock.set(clock.now().replace(hour=23) + timedelta(hours=4))  # 03:00 next morning
    assert review.next_card() is None  # still the same study day
    clock.advance(timedelta(hours=1, minutes=1))  # 04:01
    assert review.next_card() is not None


def test_suspend_bury_flag_and_undo(review, mini_col, clock):
    undo = UndoStack()
    cards = Applied(undo, CardService(mini_col))
    card = review.next_card()
    cards.set_suspended([card.card_id], True)
    assert review.next_card().card_id != card.card_id
    undo.undo()
    assert not _card(mini_col, card.card_id).suspended
    cards.bury([card.card_id])
    assert review.next_card().card_id != card.card_id
    clock.advance(timedelta(days=1))
    assert _card(mini_col, card.card_id).buried_until <= clock.now()
    cards.set_flag([card.card_id], 2)
    assert _card(mini_col, card.card_id).flag == 2
    undo.undo()
    assert _card(mini_col, card.card_id).flag == 0


def test_info_counts(review, mini_col):
    info = collection_info(review)
    assert info["cards_per_domain"] == {"1": 2, "2": 1, "3": 1, "4": 2, "5": 1, "unassigned": 0}
    assert (info["new"], info["learning"], info["due_today"], info["reviews_today"]) == (7, 0, 0, 0)
    review.answer(review.next_card(), Rating.GOOD)
    info = collection_info(review)
    assert (info["new"], info["learning"], info["reviews_today"]) == (6, 1, 1)


def test_states_stored_are_fsrs_states(review, mini_col):
    card = review.next_card()
    review.answer(card, Rating.AGAIN)
    assert _card(mini_col, card.card_id).state == CardState.LEARNING
    assert isinstance(review, ReviewService)


def test_a_card_that_reaches_the_leech_threshold_is_tagged_and_undo_untags(review, mini_col, clock):
    mini_col.save_settings(replace(mini_col.settings(), leech_lapses=2, new_per_day=1))
    review.reload_settings()
    card = review.next_card()
    undo = UndoStack()
    review.answer(card, Rating.EASY)  # now a review card
    lapses_seen = []
    for _ in range(2):
        clock.advance(timedelta(days=60))
        card = review.study_card(card.card_id)
        lapse = review.answer(card, Rating.AGAIN)  # a lapse: review -> relearning
        undo.push(lapse.undo)
        lapses_seen.append(lapse.value and lapse.changes.leech)
        clock.advance(timedelta(minutes=15))
        good = review.answer(review.study_card(card.card_id), Rating.GOOD)  # back to review
        undo.push(good.undo)
    assert lapses_seen == [False, True]
    with mini_col.read() as s:
        from cehrs_cards.db.models import Note

        assert "leech" in s.get(Note, card.note_id).tags.split()
    undo.undo()  # the Good after the lapse
    undo.undo()  # the lapse that made it a leech
    with mini_col.read() as s:
        assert "leech" not in s.get(Note, card.note_id).tags.split()
