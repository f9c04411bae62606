"""The answer's hot path (the simulator answers about a million times a study): fsrs_outcomes
converts a card once for all four ratings, and an answer works out only the buttons its rating
depends on. Both must give exactly what the slower, obvious way gives."""

import random
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.exam_day import ExamPlacer
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


@pytest.mark.parametrize("fuzz", [False, True])
@pytest.mark.parametrize("placed", [False, True])
def test_an_answer_saves_what_its_button_showed(fuzz: bool, placed: bool) -> None:
    """Schedulers.answer works out only the buttons a rating depends on: over random study
    histories it saves exactly the state preview shows on that button."""
    rng = random.Random(f"{fuzz}-{placed}")
    policy = Policy(fuzz=fuzz, maximum_interval=120)
    placer = None
    if placed:
        sched = fsrs.Scheduler(parameters=policy.parameters, enable_fuzzing=False)
        placer = ExamPlacer(sched, days_left=12, budget=3, loads={2: 5, 5: 1})
    scheds = Schedulers(policy, DAYS, placer)
    checked = 0
    for card in range(40):
        mem, now = new_state(T0), T0
        for _ in range(rng.randint(1, 9)):
            shown = {p.rating: p.after for p in scheds.preview(card, 1, mem, now)}
            rating = Rating(rng.choice((1, 2, 3, 3, 3, 4)))
            for r in Rating:
                assert scheds.answer(card, 1, mem, r, now) == shown[r]
                checked += 1
            mem = shown[rating]
            now = max(now, mem.due) + timedelta(hours=rng.choice((0, 1, 30)))
    assert checked > 500
