"""Anki scheduling into FSRS state: replay a card's Anki review log through our scheduler.

The memory state (stability, difficulty) comes from Anki's own FSRS state when the card has
one, else from the replay, else from the card's SM-2 ease and interval (fsrs-rs's
memory_state_from_sm2, as Anki converts). The card's state (learning, review, relearning) and
due time stay the ones Anki had, as Anki itself does when FSRS is switched on, so nothing
piles up on day one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.history import LEARN, RELEARN, REVIEW, counts, is_reset
from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.core.scheduling import Schedulers
from cehrs_cards.db.timefmt import to_ms
from cehrs_cards.interchange.package import CardIn, ReviewIn

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_EASE = 2500  # Anki's starting ease (250 %), for a card that records none


@dataclass(frozen=True)
class ImportedSchedule:
    """A card's memory state and flags, and its answers with the memory state after each
    (fsrs-rs MemoryState objects: stability, difficulty), for db/revlog.answer_rows. (Kept as
    fsrs-rs hands them: a million answers per heavy import.)"""

    memory: MemoryState
    suspended: bool = False
    flag: int = 0
    answers: list[ReviewIn] = field(default_factory=list)
    states: list[Any] = field(default_factory=list)


def schedule_from_anki(
    card: CardIn,
    domain: int,
    schedulers: Schedulers,
    now: datetime,
    log: list[ReviewIn] | None = None,
) -> ImportedSchedule | None:
    """The FSRS state and history of an Anki card, or None for a card never studied.

    The memory state is, in order of preference: Anki's own FSRS state (the card's data),
    a replay of the log (starting from the SM-2 state of its first answer when the log
    starts part-way through the card's life), or the SM-2 state of the card itself (ease
    and interval, as Anki converts when FSRS is switched on). State and due stay Anki's."""
    history = usable_history(card.history if log is None else log)
    if card.kind == 0 and not history:
        return None
    start = _partial_start(history, card, schedulers) if history else None
    states = _replay(history, schedulers, start) if history else []
    mem: MemoryState | None
    if states:
        last = states[-1]
        s, d = float(last.stability), _clamp(float(last.difficulty))
        mem = MemoryState(CardState.REVIEW, None, s, d, now, history[-1].at)
    else:
        mem = _without_log(card, schedulers, now)
    if mem is None:
        return None
    if card.kind == 0:  # new again in Anki (its history kept): new here too
        mem = MemoryState(CardState.NEW, None, None, None, now, None, card.reps, card.lapses)
    else:
        mem = _keep_anki_place(mem, card)
    flag = card.flag if 1 <= card.flag <= 7 else 0
    return ImportedSchedule(mem, card.queue == -1, flag, history, states)


SM2_RETENTION = 0.9
"""The retention Anki assumes of SM-2 intervals when it converts them (its default)."""
_KEEPS = {1: CardState.LEARNING, 2: CardState.REVIEW, 3: CardState.RELEARNING}


def _keep_anki_place(mem: MemoryState, card: CardIn) -> MemoryState:
    """Anki's state (learning, review, relearning), due time and counters over the memory
    state; Anki's own FSRS memory (stability, difficulty) when the card carries one."""
    state = _KEEPS.get(card.kind, mem.state)
    step = None if state == CardState.REVIEW else (mem.step if mem.state == state else 0)
    stability, difficulty = mem.stability, mem.difficulty
    if card.stability and card.difficulty:
        stability, difficulty = card.stability, _clamp(card.difficulty)
    return MemoryState(  # made once, not replace()d field by field: 100,000 cards an import
        state,
        step,
        stability,
        difficulty,
        card.due or mem.due,
        mem.last_review if card.last_review is None else card.last_review,
        max(mem.reps, card.reps),
        max(mem.lapses, card.lapses),
    )


def _without_log(card: CardIn, schedulers: Schedulers, now: datetime) -> MemoryState | None:
    """A studied card with no usable log: review and relearning cards from their SM-2 ease
    and interval; a learning card starts its steps with no memory state yet."""
    due = card.due or now
    if card.kind == 1:
        return MemoryState(CardState.LEARNING, 0, None, None, due, None, card.reps, card.lapses)
    if card.interval_days <= 0:
        return None
    s, d = sm2_memory(schedulers, card.ease_permille, card.interval_days)
    last = due - timedelta(days=card.interval_days) if card.kind == 2 else None
    return MemoryState(CardState.REVIEW, None, s, d, due, last, card.reps, card.lapses)


def _partial_start(
    history: list[ReviewIn], card: CardIn, schedulers: Schedulers
) -> MemoryState | None:
    """The state before the first answer of a log that starts part-way through the card's
    life (its first entry is not a learning step of a new card), from the SM-2 ease and
    interval that answer was given at; None for a log that starts at the beginning."""
    first = history[0]
    if first.kind == LEARN:
        return None
    ivl = first.last_interval if first.last_interval > 0 else max(1, card.interval_days)
    s, d = sm2_memory(schedulers, first.factor or card.ease_permille, ivl)
    last = first.at - timedelta(days=ivl)
    return MemoryState(CardState.REVIEW, None, s, d, first.at, last, 0, 0)


def sm2_memory(
    schedulers: Schedulers, ease_permille: int, interval_days: int
) -> tuple[float, float]:
    """FSRS stability and difficulty of an SM-2 card (fsrs-rs memory_state_from_sm2, what
    Anki uses when it switches a collection to FSRS)."""
    return _sm2(tuple(schedulers.policy.parameters), ease_permille, interval_days)


@lru_cache(maxsize=8192)
def _sm2(
    parameters: tuple[float, ...], ease_permille: int, interval_days: int
) -> tuple[float, float]:
    """sm2_memory, remembered: the cards of a deck share a few hundred (ease, interval) pairs,
    and each conversion is a call into fsrs-rs (5 microseconds)."""
    ease = max(1.3, (ease_permille or DEFAULT_EASE) / 1000)
    got = _fsrs(parameters).memory_state_from_sm2(ease, float(max(1, interval_days)), SM2_RETENTION)
    return max(0.01, float(got.stability)), _clamp(float(got.difficulty))


def _clamp(difficulty: float) -> float:
    return min(10.0, max(1.0, difficulty))


@lru_cache(maxsize=4)
def _fsrs(parameters: tuple[float, ...]) -> Any:
    import fsrs_rs_python as rs

    return rs.FSRS(list(parameters))


def usable_history(history: list[ReviewIn]) -> list[ReviewIn]:
    """Answers after the last Forget, as Anki's FSRS reads a card's log: manual entries and
    cramming in a filtered deck (no ease recorded) are not reviews (core.history). A log of
    plain answers (learning, review, relearning, a button each: nearly every card's) is
    passed over in C-speed checks, not a call per entry."""
    if {r.kind for r in history} <= _PLAIN and all(r.rating for r in history):
        return history
    start = 0
    for i, r in enumerate(history):
        if is_reset(r):
            start = i + 1
    return [r for r in history[start:] if counts(r)]


_PLAIN = {LEARN, REVIEW, RELEARN}


def _replay(
    history: list[ReviewIn], schedulers: Schedulers, start: MemoryState | None
) -> list[Any]:
    """The memory state after each answer (fsrs-rs MemoryState objects), from `start` (a log
    that starts part-way) or a new card: fsrs-rs's historical_memory_states over the
    answers, elapsed time counted in study days (the app's one clock, schedulers.days). One
    call per card in Rust: a million answers replay in seconds, where the scheduler's own
    preview of every button took minutes. Due dates are not replayed: the card keeps
    Anki's."""
    import fsrs_rs_python as rs

    days = schedulers.days
    cache = _DAYS.setdefault(days, {})
    last = _day(days, to_ms(start.last_review)) if start and start.last_review else None
    reviews = []
    review = rs.FSRSReview
    for r in history:
        today = cache.get(r.at_ms // QUARTER_MS)
        if today is None:
            today = _day(days, r.at_ms)
        reviews.append(review(r.rating, 0 if last is None or today <= last else today - last))
        last = today
    item = rs.FSRSItem(reviews)
    fsrs = _fsrs(tuple(schedulers.policy.parameters))
    if start is not None and start.stability and start.difficulty:
        got = fsrs.historical_memory_states(item, rs.MemoryState(start.stability, start.difficulty))
        return list(got[1:])
    return list(fsrs.historical_memory_states(item))


QUARTER_MS = 900_000
_DAYS: dict[StudyDays, dict[int, int]] = {}
"""Study day (ordinal) per quarter hour since the epoch, per clock (see _day)."""


def _day(days: StudyDays, ms: int) -> int:
    """The study day (an ordinal) of a time in ms, looked up per quarter hour: a study day
    starts on a whole hour, every UTC offset is a multiple of 15 minutes, and a million
    answers fall in a few tens of thousands of quarter hours."""
    cache = _DAYS.setdefault(days, {})
    quarter = ms // QUARTER_MS
    got = cache.get(quarter)
    if got is None:
        if len(cache) > 1_000_000:  # about 100 MB: start again
            cache.clear()
        when = _EPOCH + timedelta(milliseconds=quarter * QUARTER_MS)
        got = cache[quarter] = days.day_of(when).toordinal()
    return got
