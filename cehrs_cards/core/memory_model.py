"""FSRS on the study-day clock, with Anki's interval rules: what each answer button would save.

py-fsrs counts elapsed time as whole 24-hour periods between timestamps; Anki (whose histories
and parameters we import) counts study days. So fsrs is shown every instant at the start of
its study day on a grid of whole days (`on_grid`): its elapsed-day count is then exactly the
number of rollovers between two answers (core/clock.py). Learning steps and intervals come
back as offsets from the real answer time.

On top of the memory model, as Anki does: review intervals keep Hard < Good < Easy in days
(Easy at least a day longer than Good whenever both are in days), and fuzz is drawn from the
card id and its answer count, so the same answer always gets the same fuzz: the interval on
a button is what gets saved.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import fsrs

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.records import CardState, MemoryState, Preview, Rating

GRID_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_DAY = timedelta(days=1)
Placer = Callable[[MemoryState, int], int]
"""(state after the answer, interval in days) -> interval in days (the exam-day placement)."""


def on_grid(days: StudyDays, when: datetime) -> datetime:
    """`when` as fsrs must see it: the start of its study day on a grid of whole UTC days."""
    return GRID_EPOCH + timedelta(days=(days.day_of(when) - GRID_EPOCH.date()).days)


def to_fsrs(card_id: int, mem: MemoryState) -> fsrs.Card:
    """An fsrs.Card for a stored state; always with our id (fsrs sleeps 1 ms without one)."""
    state = fsrs.State.Learning if mem.state == CardState.NEW else fsrs.State(int(mem.state))
    step = 0 if mem.state == CardState.NEW else mem.step
    return fsrs.Card(
        card_id=card_id,
        state=state,
        step=step,
        stability=mem.stability,
        difficulty=mem.difficulty,
        due=mem.due,
        last_review=mem.last_review,
    )


def from_fsrs(card: fsrs.Card, before: MemoryState, rating: Rating) -> MemoryState:
    """Our state after fsrs reviewed a card, counting reps and lapses."""
    return _after(card, before, rating, card.due, card.last_review)


def _after(
    card: fsrs.Card,
    before: MemoryState,
    rating: Rating,
    due: datetime,
    last_review: datetime | None,
) -> MemoryState:
    """from_fsrs with another due and last review, built once (the simulator's hot path)."""
    lapsed = before.state == CardState.REVIEW and rating == Rating.AGAIN
    return MemoryState(
        state=CardState(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=due,
        last_review=last_review,
        reps=before.reps + 1,
        lapses=before.lapses + (1 if lapsed else 0),
    )


def new_state(now: datetime) -> MemoryState:
    return MemoryState(CardState.NEW, None, None, None, now, None, 0, 0)


def reset_state(mem: MemoryState, now: datetime) -> MemoryState:
    """Forget a card: back to new, keeping its counters."""
    return replace(new_state(now), reps=mem.reps, lapses=mem.lapses)


@dataclass(frozen=True)
class Outcome:
    """One rating's outcome before interval rules: the state, and its interval in whole days
    (a review-state outcome) or its learning-step delay."""

    after: MemoryState
    days: int | None
    delay: timedelta | None


def fsrs_outcome(
    sched: fsrs.Scheduler,
    card_id: int,
    mem: MemoryState,
    rating: Rating,
    now: datetime,
    days: StudyDays,
) -> Outcome:
    """fsrs's answer to `rating` at `now`, elapsed time counted in study days."""
    return fsrs_outcomes(sched, card_id, mem, now, days, (rating,))[rating]


def fsrs_outcomes(
    sched: fsrs.Scheduler,
    card_id: int,
    mem: MemoryState,
    now: datetime,
    days: StudyDays,
    ratings: Iterable[Rating] = tuple(Rating),
) -> dict[Rating, Outcome]:
    """fsrs_outcome for each of `ratings`, the card and the clock converted once for all
    (fsrs copies the card it reviews)."""
    grid_now = on_grid(days, now)
    last = on_grid(days, mem.last_review) if mem.last_review else None
    card = replace_card(to_fsrs(card_id, mem), last)
    out: dict[Rating, Outcome] = {}
    for rating in ratings:
        after, _ = sched.review_card(card, fsrs.Rating(int(rating)), grid_now)
        gap = after.due - grid_now
        if after.state == fsrs.State.Review:
            n = max(1, round(gap / _DAY))
            state = _after(after, mem, rating, now + timedelta(days=n), now)
            out[rating] = Outcome(state, n, None)
        else:
            out[rating] = Outcome(_after(after, mem, rating, now + gap, now), None, gap)
    return out


def replace_card(card: fsrs.Card, last_review: datetime | None) -> fsrs.Card:
    card.last_review = last_review
    return card


def retrievability(
    sched: fsrs.Scheduler, mem: MemoryState, when: datetime, days: StudyDays
) -> float:
    """FSRS recall probability at `when`, elapsed time in study days (0 for a new card)."""
    if mem.state == CardState.NEW or mem.stability is None or mem.last_review is None:
        return 0.0
    return recall(mem.stability, days.elapsed(mem.last_review, when), sched.parameters[20])


def recall(stability: float, elapsed_days: float, decay_w: float) -> float:
    """FSRS's forgetting curve: R after `elapsed_days` at `stability` (decay = parameter 20)."""
    factor = 0.9 ** (-1 / decay_w) - 1
    return float((1 + factor * max(0.0, elapsed_days) / stability) ** -decay_w)


def interval_for(stability: float, retention: float, decay_w: float) -> float:
    """Days until recall falls to `retention` (unrounded)."""
    factor = 0.9 ** (-1 / decay_w) - 1
    return float(stability / factor * (retention ** (-1 / decay_w) - 1))


# ----- Anki's interval rules -------------------------------------------------------------------
def fuzz_bounds(interval: float) -> tuple[int, int]:
    """The fuzz range around an interval (fsrs / Anki ranges; none below 2.5 days)."""
    if interval < 2.5:
        return round(interval), round(interval)
    delta = 1.0
    for r in fsrs.scheduler.FUZZ_RANGES:
        delta += r["factor"] * max(min(interval, r["end"]) - r["start"], 0.0)
    return max(2, round(interval - delta)), round(interval + delta)


def constrained(interval: float, low: int, high: int, fuzz: float | None) -> int:
    """An interval within [low, high], fuzzed by `fuzz` in [0, 1) (None: no fuzz)."""
    low = min(low, high)
    if fuzz is None:
        return min(high, max(low, round(interval)))
    lo, hi = fuzz_bounds(min(high, max(low, interval)))
    lo, hi = min(high, max(low, lo)), min(high, max(low, hi))
    if hi == lo and 2 < hi < high:
        hi = lo + 1
    return math.floor(lo + fuzz * (1 + hi - lo))


def fuzz_factor(card_id: int, reps: int) -> float:
    """The same number for the same card and answer count (Anki seeds fuzz the same way)."""
    return random.Random(f"{card_id}:{reps}").random()


def next_states(
    sched: fsrs.Scheduler,
    card_id: int,
    mem: MemoryState,
    now: datetime,
    days: StudyDays,
    fuzz: bool,
    place: Placer | None = None,
) -> tuple[Preview, ...]:
    """The four buttons: each rating's state, with Hard < Good < Easy in days and fuzz."""
    raw = fsrs_outcomes(sched, card_id, mem, now, days)
    chosen = _intervals(sched, card_id, mem, raw, fuzz, place)
    out = []
    for r in Rating:
        after = _saved(raw[r].after, chosen.get(r), now)
        out.append(Preview(r, after, format_interval(after.due - now)))
    return tuple(out)


_DEPENDS = {
    Rating.AGAIN: (Rating.AGAIN,),
    Rating.HARD: (Rating.HARD,),
    Rating.GOOD: (Rating.HARD, Rating.GOOD),
    Rating.EASY: (Rating.HARD, Rating.GOOD, Rating.EASY),
}
"""The buttons a button's interval depends on: Good must outlast Hard, Easy both."""


def next_state(
    sched: fsrs.Scheduler,
    card_id: int,
    mem: MemoryState,
    rating: Rating,
    now: datetime,
    days: StudyDays,
    fuzz: bool,
    place: Placer | None = None,
) -> MemoryState:
    """The state next_states shows on `rating`'s button, from only the buttons it depends on
    (what an answer saves; the simulator answers a million times)."""
    raw = fsrs_outcomes(sched, card_id, mem, now, days, _DEPENDS[rating])
    chosen = _intervals(sched, card_id, mem, raw, fuzz, place)
    return _saved(raw[rating].after, chosen.get(rating), now)


def _intervals(
    sched: fsrs.Scheduler,
    card_id: int,
    mem: MemoryState,
    raw: Mapping[Rating, Outcome],
    fuzz: bool,
    place: Placer | None,
) -> dict[Rating, int]:
    """Interval in days of each review-state outcome in `raw` (every button, or a button and
    those it depends on): Hard < Good < Easy, fuzzed, then placed before the exam."""
    u = fuzz_factor(card_id, mem.reps) if fuzz else None
    top = sched.maximum_interval
    chosen: dict[Rating, int] = {}
    floor = 1
    for r in (Rating.HARD, Rating.GOOD, Rating.EASY):
        o = raw.get(r)
        if o is None:
            break
        if o.days is None:
            continue
        if r == Rating.EASY and Rating.GOOD not in chosen:
            floor = _good_days(sched, raw[Rating.GOOD].after, u, top) + 1
        chosen[r] = constrained(o.days, floor, top, u)
        floor = chosen[r] + 1
    again = raw.get(Rating.AGAIN)
    if again is not None and again.days is not None:
        chosen[Rating.AGAIN] = constrained(again.days or 1, 1, top, u)
    if place is not None:
        placed = {r: place(raw[r].after, n) for r, n in chosen.items()}
        chosen = _monotone(placed, chosen)
    return chosen


def _saved(after: MemoryState, interval: int | None, now: datetime) -> MemoryState:
    return after if interval is None else replace(after, due=now + timedelta(days=interval))


def _monotone(placed: dict[Rating, int], natural: dict[Rating, int]) -> dict[Rating, int]:
    """Placement keeps Hard <= Good <= Easy (a placed Good never outlasts Easy)."""
    out = dict(placed)
    for lo, hi in ((Rating.HARD, Rating.GOOD), (Rating.GOOD, Rating.EASY)):
        if lo in out and hi in out and out[hi] < out[lo]:
            out[hi] = out[lo] if natural[hi] >= natural[lo] else out[hi]
    return out


def _good_days(sched: fsrs.Scheduler, good: MemoryState, u: float | None, top: int) -> int:
    """Good's interval in days when Good is still a learning step (Easy must exceed it)."""
    assert good.stability is not None
    ivl = interval_for(good.stability, sched.desired_retention, sched.parameters[20])
    return constrained(ivl, 1, top, u)


def format_interval(delta: timedelta) -> str:
    """Short Anki-style label: '<1m', '10m', '3h', '4d', '1.5mo', '2.1y'."""
    secs = max(0.0, delta.total_seconds())
    if secs < 60:
        return "<1m"
    if secs < 3600:
        return f"{round(secs / 60)}m"
    if secs < 86400:
        return f"{round(secs / 3600)}h"
    days = secs / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
