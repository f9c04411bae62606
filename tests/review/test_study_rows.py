"""db/study.py reads and writes a card the way the ORM does: the study screen's plain SQL and
the rest of the app (ORM models) must agree on every card, or an answer would be refused as
stale, or saved with a shifted time."""

from datetime import timedelta

from sqlmodel import select

from cehrs_cards.core.records import CardState, Rating
from cehrs_cards.db import study
from cehrs_cards.db.models import Card, Deck, Note
from cehrs_cards.services.memory import memory_of


def _orm_view(col):
    with col.read() as s:
        cards = {c.id: c for c in s.exec(select(Card))}
        notes = {n.id: n for n in s.exec(select(Note))}
        decks = {d.id: d.name for d in s.exec(select(Deck))}
    return cards, notes, decks


def test_a_study_row_holds_what_the_orm_reads_for_new_and_studied_cards(review, mini_col, clock):
    for rating in (Rating.GOOD, Rating.AGAIN, Rating.EASY):  # learning, relearning, review
        review.answer(review.next_card(), rating, 1200)
        clock.advance(timedelta(minutes=3))
    cards, notes, decks = _orm_view(mini_col)
    states = set()
    with mini_col.plain() as s:
        for card_id, card in cards.items():
            row = study.study_row(s, card_id)
            assert row is not None
            assert row.memory == memory_of(card)
            assert (row.note_id, row.ord, row.domain, row.flag) == (
                card.note_id,
                card.ord,
                card.domain,
                card.flag,
            )
            assert row.fields == notes[card.note_id].fields
            assert row.deck_name == decks[card.deck_id]
            assert study.card_memory(s, card_id) == (card.note_id, memory_of(card))
            states.add(row.memory.state)
        assert study.study_row(s, max(cards) + 1) is None
        assert study.card_memory(s, max(cards) + 1) is None
    assert CardState.NEW in states and len(states) >= 2  # times None and set both covered


def test_set_memory_writes_what_the_orm_reads_back(review, mini_col, clock):
    card = review.next_card()
    after = next(p.after for p in card.previews if p.rating == Rating.EASY)
    with mini_col.plain_transaction() as s:
        study.set_memory(s, card.card_id, after, clock.now())
    stored, _, _ = _orm_view(mini_col)
    assert memory_of(stored[card.card_id]) == after
    assert stored[card.card_id].modified == clock.now()


def test_a_failed_plain_transaction_writes_nothing(review, mini_col, clock):
    card = review.next_card()
    after = next(p.after for p in card.previews if p.rating == Rating.EASY)
    try:
        with mini_col.plain_transaction() as s:
            study.set_memory(s, card.card_id, after, clock.now())
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    stored, _, _ = _orm_view(mini_col)
    assert memory_of(stored[card.card_id]) == card.before
