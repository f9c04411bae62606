"""fsrs_outcomes: the four ratings' outcomes from one converted card (the simulator's hot path)
are the outcomes fsrs gives each rating on its own."""

from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.memory_model import (
    fsrs_outcome,
    fsrs_outcomes,
    new_state,
    on_grid,
    to_fsrs,
)
from cehrs_cards.core.records import CardState, MemoryState, Rating
from cehrs_cards.core.scheduling import Policy, Schedulers

DAYS = StudyDays(UTC, 4)
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _states() -> list[tuple[MemoryState, datetime]]:
    """A new card, a learning card, a review card and a relearning card, each with the time
    it is next answered."""
    sched = Schedulers(Policy(fuzz=False), DAYS)
    new = new_state(T0)
    learning = sched.answer(1, 1, new, Rating.GOOD, T0)
    review = sched.answer(1, 1, learning, Rating.GOOD, T0 + timedelta(minutes=10))
    due = review.due + timedelta(hours=3)
    relearning = sched.answer(1, 1, review, Rating.AGAIN, due)
    assert [s.state for s in (new, learning, review, relearning)] == [
        CardState.NEW,
        CardState.LEARNING,
        CardState.REVIEW,
        CardState.RELEARNING,
    ]
    return [
        (new, T0),
        (learning, T0 + timedelta(minutes=10)),
        (review, due),
        (relearning, due + timedelta(minutes=10)),
    ]


@pytest.mark.parametrize("which", range(4))
def test_every_rating_is_what_fsrs_gives_it_alone(which: int) -> None:
    mem, now = _states()[which]
    sched = fsrs.Scheduler(enable_fuzzing=False)
    together = fsrs_outcomes(sched, 7, mem, now, DAYS)
    backwards = fsrs_outcomes(sched, 7, mem, now, DAYS, tuple(reversed(Rating)))
    assert list(together) == list(Rating)
    for r in Rating:
        alone = fsrs_outcome(sched, 7, mem, r, now, DAYS)
        assert together[r] == alone == backwards[r]
        # against the library itself, on a fresh card of its own
        card = to_fsrs(7, mem)
        card.last_review = on_grid(DAYS, mem.last_review) if mem.last_review else None
        ref, _ = sched.review_card(card, fsrs.Rating(int(r)), on_grid(DAYS, now))
        got = together[r].after
        assert (got.stability, got.difficulty, int(got.state)) == (
            ref.stability,
            ref.difficulty,
            int(ref.state),
        )
        assert got.last_review == now and got.reps == mem.reps + 1
        lapsed = mem.state == CardState.REVIEW and r == Rating.AGAIN
        assert got.lapses == mem.lapses + lapsed
    # the ratings lead to different states (so a leak from one into the next would show)
    assert len({together[r].after for r in Rating}) == 4
