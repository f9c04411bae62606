"""The study counts leave the held-out items out by counting every card and subtracting the
held-out ones (db/queue._counted, and within one statement db/queue._tallied); the figures are
the very ones the plain GROUP BY query that tests each card gives, in every scope, including a
deck whose cards are all held out (no row, as before). Every deck without a focus is counted
per key in one statement (db/queue._tallied), any other scope by one GROUP BY."""

from __future__ import annotations

from datetime import UTC

import pytest

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.db import queue
from cehrs_cards.services.bundled import load_bundled_if_first_run
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.review import ReviewService


@pytest.fixture
def bundled_col(tmp_path, clock: FakeClock):
    col = Collection(tmp_path / "data", clock=clock, tz=UTC)
    load_bundled_if_first_run(col)
    with col.transaction() as s:  # some cards studied, one deck of held-out cards only
        con = s.connection()
        con.exec_driver_sql(
            "UPDATE card SET state = 2, due = '2000-01-01 00:00:00.000000' WHERE id % 7 = 0"
        )
        con.exec_driver_sql("UPDATE card SET state = 1, due = due WHERE id % 11 = 0")
        con.exec_driver_sql("UPDATE card SET suspended = 1 WHERE id % 13 = 0")
        con.exec_driver_sql("INSERT INTO deck (name) VALUES ('held only')")
        con.exec_driver_sql(
            "UPDATE card SET deck_id = (SELECT id FROM deck WHERE name = 'held only') "
            "WHERE id IN (SELECT id FROM card WHERE note_id IN "
            "(SELECT id FROM note WHERE heldout = 1) LIMIT 5)"
        )
    yield col
    col.close()


def _scopes(col: Collection) -> list[queue.CardScope]:
    with col.read() as s:
        decks = [int(r[0]) for r in s.connection().exec_driver_sql("SELECT id FROM deck")]
    return [
        queue.ALL_STUDYABLE,
        queue.CardScope(deck_ids=tuple(decks[:3])),
        queue.CardScope(domains=(2, 4)),
        queue.CardScope(deck_ids=tuple(decks), domains=(1,), tasks=("1A",)),
        queue.CardScope(skip_held_out=False),
        queue.CardScope(only_held_out=True),
        queue.CardScope(deck_ids=tuple(decks[-2:]), only_held_out=True),
    ]


def test_counts_less_the_held_out_equal_the_counts_without_them(bundled_col):
    review = ReviewService(bundled_col)
    w = review.window()
    with bundled_col.read() as s:
        held = s.connection().exec_driver_sql("SELECT COUNT(*) FROM note WHERE heldout = 1")
        assert held.scalar_one() > 0
        for scope in _scopes(bundled_col):
            direct = scope  # the private queries test every card for held-out, as before
            for column in ("deck_id", "domain"):
                counts = queue._counts_by(s, w, column, direct)
                totals = queue._grouped(s, column, "1", direct)
                assert counts and totals
                assert queue.counts_by(s, w, column, scope) == counts
                assert queue.totals_by(s, column, scope) == totals
                assert queue.counts_and_totals(s, w, column, scope) == (counts, totals)
            assert queue.active_by_domain(s, scope) == queue._grouped(
                s, "domain", "c.suspended = 0", direct
            )
        only_held = s.connection().exec_driver_sql("SELECT id FROM deck WHERE name = 'held only'")
        deck = only_held.scalar_one()
        assert deck in queue.totals_by(s, "deck_id", queue.CardScope(skip_held_out=False))
        assert deck not in queue.totals_by(s, "deck_id")
