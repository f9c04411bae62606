"""Forget is logged (issue 18 item 3): "Reset to new" writes a manual entry to the review log,
and rescheduling, the optimiser and card info start the card's history again after it."""

from datetime import timedelta

from cehrs_cards.core.history import MANUAL, since_last_reset, training_sequences
from cehrs_cards.core.records import Rating
from cehrs_cards.services.browse_info import card_info
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.optimise import load_histories
from cehrs_cards.services.scheduling import history_by_card


def _answer_days_apart(review, clock, card_id, days):
    """Answer the card Good on each of `days` study days, a week apart."""
    for _ in range(days):
        review.answer(review.study_card(card_id), Rating.GOOD)
        clock.advance(timedelta(days=7))


def test_reset_is_logged_and_cuts_the_history_everywhere(skewed, clock, col):
    card = skewed.next_card()
    assert card is not None
    cid = card.card_id
    _answer_days_apart(skewed, clock, cid, 3)
    with col.read() as s:
        assert training_sequences(history_by_card(s, [cid]).values(), col.study_days())
    cards = CardService(col)
    result = cards.reset_to_new([cid])
    with col.read() as s:
        entries = history_by_card(s, [cid])[cid]
    assert [e.kind for e in entries][-1] == MANUAL and entries[-1].rating == 0
    assert len(entries) == 4 and since_last_reset(entries) == []
    # the optimiser trains on no answer from before the reset
    assert training_sequences([load_histories(col)[cid]], col.study_days()) == []
    info = card_info(col, cid)
    assert len(info.resets) == 1 and info.curve == []
    # undo takes the entry back out
    assert result.undo is not None
    result.undo.restore()
    with col.read() as s:
        assert [e.rating for e in history_by_card(s, [cid])[cid]] == [3, 3, 3]
