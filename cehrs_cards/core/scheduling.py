"""FSRS scheduling: an exam-weighted policy around fsrs.Scheduler, and study-day arithmetic.

Every card is scheduled by the fsrs scheduler of its domain; all domains share one parameter
set and differ only in desired retention, tilted toward the cards worth most exam points:
(1 - R_d) = (1 - R0) / ratio_d ** tilt, clamped to [0.80, 0.97], where ratio_d is the exam
value of one card of the domain relative to the average card (blueprint weight / the domain's
share of the user's cards). With domains of equal size ratio_d = w_d / mean weight, the
issue's original formula. tilt 0 is plain FSRS. New cards are introduced most valuable first,
interleaved across domains; an exam date caps intervals and sets the pace of new cards.
(Over 400 lines: the fsrs wrapper and the exam plan it feeds are easiest to check together.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo

import fsrs

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.domains import DOMAIN_BY_ID, DOMAINS, UNASSIGNED
from cehrs_cards.core.memory_model import (
    Placer,
    format_interval,
    from_fsrs,
    new_state,
    next_state,
    next_states,
    reset_state,
    retrievability,
    to_fsrs,
)
from cehrs_cards.core.records import MemoryState, Preview, Rating
from cehrs_cards.core.words import count

__all__ = ["format_interval", "from_fsrs", "new_state", "reset_state", "to_fsrs"]
UTC_DAYS = StudyDays(UTC, 4)

MIN_RETENTION = 0.80
MAX_RETENTION = 0.97
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
MAX_INTERVAL = 36500
LEAD_DAYS = 14
"""Every new card should be introduced at least this many days before the exam."""
PACE_WINDOW = 7
VALUE_EXPONENT = 3
TIE = 0.02
"""Exam values within 2% of each other count as equal when the plan must leave cards out."""
DEFAULT_TILT = 0.0
"""Retention tilt off by default: the simulation measured it earning no points (README)."""


@dataclass(frozen=True)
class Policy:
    """The user's scheduling settings."""

    base_retention: float = 0.90
    tilt: float = DEFAULT_TILT
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    maximum_interval: int = MAX_INTERVAL
    fuzz: bool = True
    ratios: tuple[tuple[int, float], ...] | None = None
    """(domain, exam-value ratio) pairs from value_ratios(); None assumes equal-size domains."""


def domain_retention(
    domain_id: int, base: float, tilt: float, ratios: Mapping[int, float] | None = None
) -> float:
    """Desired retention for a domain, tilted by the exam value of its cards (unassigned: base).

    Without `ratios` every domain is assumed to hold the same number of cards, so a card's
    relative value is w_d / mean weight.
    """
    if domain_id not in DOMAIN_BY_ID or tilt == 0:
        return base
    if ratios is None:
        mean_w = sum(d.weight for d in DOMAINS) / len(DOMAINS)
        return value_retention(DOMAIN_BY_ID[domain_id].weight / mean_w, base, tilt)
    return value_retention(ratios.get(domain_id, 1.0), base, tilt)


def value_retention(ratio: float, base: float, tilt: float) -> float:
    """(1 - R) = (1 - base) / ratio ** tilt, clamped to [0.80, 0.97]."""
    if tilt == 0 or ratio <= 0:
        return base
    forget = (1 - base) * float(ratio ** (-tilt))
    return min(MAX_RETENTION, max(MIN_RETENTION, 1 - forget))


def exam_values(active: Mapping[int, int]) -> dict[int, float]:
    """Exam value of one card per domain: blueprint weight / active cards in that domain."""
    return {d: DOMAIN_BY_ID[d].weight / n for d, n in active.items() if d in DOMAIN_BY_ID and n}


def value_ratios(active: Mapping[int, int]) -> dict[int, float]:
    """Exam value of a card of each domain relative to the average card: weight / deck share.

    1.0 everywhere on a deck built in blueprint proportion; above 1 where a domain has fewer
    cards than its weight deserves. Unassigned cards count as average cards.
    """
    held = {d: n for d, n in active.items() if d in DOMAIN_BY_ID and n > 0}
    cards = sum(held.values())
    weight = sum(DOMAIN_BY_ID[d].weight for d in held)
    out = {d: DOMAIN_BY_ID[d].weight / weight * cards / n for d, n in held.items()}
    if active.get(UNASSIGNED):
        out[UNASSIGNED] = 1.0
    return out


class Schedulers:
    """One fsrs.Scheduler per domain, built once from a Policy, on one study-day clock.

    fsrs applies no fuzz itself: core/memory_model.py adds Anki's interval rules
    and seeded fuzz, and `placer` (the exam-day plan, core/exam_day.py) may move a review.
    """

    def __init__(
        self, policy: Policy, days: StudyDays = UTC_DAYS, placer: Placer | None = None
    ) -> None:
        self.policy, self.days, self.placer = policy, days, placer
        self._by_domain: dict[int, fsrs.Scheduler] = {}

    def for_domain(self, domain_id: int) -> fsrs.Scheduler:
        sched = self._by_domain.get(domain_id)
        if sched is None:
            p = self.policy
            sched = fsrs.Scheduler(
                parameters=p.parameters,
                desired_retention=self.retention(domain_id),
                maximum_interval=p.maximum_interval,
                enable_fuzzing=False,
            )
            self._by_domain[domain_id] = sched
        return sched

    def retention(self, domain_id: int) -> float:
        """Desired retention of a domain under this policy."""
        p = self.policy
        ratios = dict(p.ratios) if p.ratios is not None else None
        return domain_retention(domain_id, p.base_retention, p.tilt, ratios)

    def preview(
        self, card_id: int, domain_id: int, mem: MemoryState, now: datetime
    ) -> tuple[Preview, ...]:
        """The four possible outcomes of answering now, with their button labels."""
        sched = self.for_domain(domain_id)
        place = self.placer
        return next_states(sched, card_id, mem, now, self.days, self.policy.fuzz, place)

    def answer(
        self, card_id: int, domain_id: int, mem: MemoryState, rating: Rating, now: datetime
    ) -> MemoryState:
        """The state saved for `rating` answered at `now` (the state its button previews)."""
        sched = self.for_domain(domain_id)
        fuzz, place = self.policy.fuzz, self.placer
        return next_state(sched, card_id, mem, rating, now, self.days, fuzz, place)

    def replay(
        self, card_id: int, domain_id: int, answers: Sequence[tuple[datetime, Rating]]
    ) -> MemoryState | None:
        """A card's state from its answers (oldest first) under this policy; None if none."""
        if not answers:
            return None
        mem = new_state(answers[0][0])
        for when, rating in answers:
            mem = self.answer(card_id, domain_id, mem, rating, when)
        return mem

    def retrievability(self, domain_id: int, mem: MemoryState, now: datetime) -> float:
        return retrievability(self.for_domain(domain_id), mem, now, self.days)


def study_day_start(now: datetime, tz: tzinfo, rollover_hour: int) -> datetime:
    """Start (UTC) of the study day containing `now`: local `rollover_hour` o'clock."""
    return StudyDays(tz, rollover_hour).start_of(now)


def study_day_end(now: datetime, tz: tzinfo, rollover_hour: int) -> datetime:
    """End (UTC, exclusive) of the study day containing `now`."""
    return StudyDays(tz, rollover_hour).end_of(now)


def pick_new_domain(
    available: Iterable[int], taken: dict[int, int], shares: Mapping[int, float] | None = None
) -> int:
    """Domain of the next new card: the one whose count today lags its share most.

    `taken` counts new cards already introduced today per domain; `shares` (default: the
    blueprint weights) is each domain's target share of today's new cards. This interleaves
    domains instead of exhausting one deck before the next.
    """
    total = sum(taken.values()) + 1

    def lag(d: int) -> tuple[bool, float, float]:
        share = shares.get(d, 0.0) if shares is not None else _weight(d)
        return (share > 0, share * total - taken.get(d, 0), share)  # unplanned domains last

    return max(sorted(available), key=lag)


def interleave_by_domain(
    items: Sequence[tuple[int, int]], limit: int, shares: Mapping[int, float] | None = None
) -> list[int]:
    """Up to `limit` card ids from (card_id, domain) pairs, in the order pick_new_domain gives."""
    queues: dict[int, list[int]] = {}
    for card_id, dom in items:
        queues.setdefault(dom, []).append(card_id)
    for q in queues.values():
        q.reverse()
    picked: list[int] = []
    taken: dict[int, int] = {}
    while len(picked) < limit and any(queues.values()):
        dom = pick_new_domain((d for d, q in queues.items() if q), taken, shares)
        picked.append(queues[dom].pop())
        taken[dom] = taken.get(dom, 0) + 1
    return picked


def _weight(domain_id: int) -> float:
    d = DOMAIN_BY_ID.get(domain_id)
    return d.weight if d else 0.05


# ----- exam-value introduction of new cards -------------------------------------------------


def plan_quotas(
    remaining: Mapping[int, int], ratios: Mapping[int, float], capacity: int | None
) -> dict[int, int]:
    """New cards of each domain to introduce before the exam: the most valuable domains first.

    When `capacity` (new cards that still fit before the exam) cannot take every remaining card,
    the cards left out are those worth the fewest exam points. Domains within TIE (2%) of each
    other's value count as equal and share what is left in proportion to their cards.
    None: no exam date, take all.
    """
    if capacity is None or capacity >= sum(remaining.values()):
        return dict(remaining)
    left = max(0, capacity)
    out = {d: 0 for d in remaining}
    order = sorted(remaining, key=lambda d: (-ratios.get(d, 1.0), d))
    while order and left > 0:
        head = ratios.get(order[0], 1.0)
        tier = [d for d in order if ratios.get(d, 1.0) >= head * (1 - TIE)]
        order = order[len(tier) :]
        want = sum(remaining[d] for d in tier)
        take = _split(left, {d: remaining[d] for d in tier}) if want > left else remaining
        for d in tier:
            out[d] = take[d]
        left -= sum(out[d] for d in tier)
    return out


def _split(total: int, sizes: Mapping[int, int]) -> dict[int, int]:
    """`total` split in proportion to `sizes` (largest remainders get the leftovers)."""
    whole = sum(sizes.values())
    exact = {d: total * n / whole for d, n in sizes.items()}
    out = {d: math.floor(x) for d, x in exact.items()}
    for d in sorted(exact, key=lambda d: (out[d] - exact[d], d))[: total - sum(out.values())]:
        out[d] += 1
    return out


def new_card_shares(
    remaining: Mapping[int, int], ratios: Mapping[int, float], capacity: int | None
) -> dict[int, float]:
    """Each domain's share of today's new cards: planned quota times card value ** 3.

    Every planned domain progresses (interleaved); the most valuable go much faster, so a
    candidate who falls short of the plan has still learnt the cards worth the most points.
    The exponent was measured: 1, 2, 3 each earned more than the last (README, Scheduling).
    """
    quotas = plan_quotas(remaining, ratios, capacity)
    raw = {d: q * ratios.get(d, 1.0) ** VALUE_EXPONENT for d, q in quotas.items() if q > 0}
    if not raw:  # nothing planned (capacity 0): keep going by value among what is left
        raw = {d: n * ratios.get(d, 1.0) ** VALUE_EXPONENT for d, n in remaining.items() if n}
    total = sum(raw.values())
    return {d: v / total for d, v in raw.items()} if total else {}


def new_capacity(today: date, exam: date | None, per_day: int) -> int | None:
    """New cards that fit from the start of today up to the eve of the exam (None: no date)."""
    if exam is None or exam <= today:
        return None
    return per_day * (exam - today).days


def exam_cap(today: date, exam: date | None, eve: bool = False) -> int:
    """maximum_interval keeping every due date on or before exam day (or its eve): the old
    exam rule, kept as a baseline for the simulation (the app places final reviews instead,
    core/exam_day.py)."""
    if exam is None or exam <= today:
        return MAX_INTERVAL
    return max(1, (exam - today).days - (1 if eve else 0))


def on_track(remaining: int, capacity: int | None) -> bool:
    """Every remaining new card fits before the exam at the planned pace (or no exam date)."""
    return capacity is None or capacity >= remaining


def planning_rate(limit: int, recent: Sequence[int]) -> int:
    """New cards a day to plan with: the daily limit, or the recent achieved pace if lower.

    `recent` holds new cards introduced on each of the last (up to PACE_WINDOW) study days;
    empty on the first day, when the limit is all there is. Erring low is cheap: the plan
    then favours the most valuable cards and widens as the pace shows. At least 1.
    """
    if not recent:
        return max(1, limit)
    return max(1, min(limit, math.ceil(sum(recent) / len(recent))))


@dataclass(frozen=True)
class Pace:
    """How fast new cards must come to introduce them all LEAD_DAYS before the exam."""

    exam: date
    days_to_exam: int
    remaining: int
    needed_per_day: int
    limit: int
    reachable: int
    """New cards that fit before the exam at the daily limit."""

    @property
    def feasible(self) -> bool:
        return self.needed_per_day <= self.limit and self.days_to_exam > LEAD_DAYS

    def message(self) -> str:
        """One line for the deck list, with the warning when the limit is too low."""
        when = f"Exam in {count(self.days_to_exam, 'day')} ({self.exam.isoformat()})"
        if self.remaining == 0:
            return f"{when}: every card has been introduced."
        if self.feasible:
            return (
                f"{when}: {count(self.needed_per_day, 'new card')} a day show you the remaining "
                f"{self.remaining:,} at least {LEAD_DAYS} days before it."
            )
        if self.days_to_exam <= LEAD_DAYS:
            head = f"{when}: too close to see every card {LEAD_DAYS} days ahead"
        else:
            head = (
                f"{when}: seeing every card in time takes "
                f"{count(self.needed_per_day, 'new card')} a day, "
                f"your limit is {self.limit}"
            )
        left_out = self.remaining - self.reachable
        tail = f"; {left_out:,} cards will not be seen, the least valuable" if left_out > 0 else ""
        return f"⚠ {head}{tail}. The most valuable cards come first."


def exam_pace(remaining: int, today: date, exam: date | None, limit: int) -> Pace | None:
    """The new-card pace for an exam date (None without a date or once it has passed)."""
    if exam is None or exam < today:
        return None
    days = (exam - today).days
    target_days = days - LEAD_DAYS
    needed = math.ceil(remaining / target_days) if target_days > 0 else remaining
    reachable = min(remaining, limit * days)
    return Pace(exam, days, remaining, needed, limit, reachable)


@dataclass(frozen=True)
class DailyPlan:
    """Today's policy with its numbers: what the queue, the settings and the deck list show."""

    policy: Policy
    active: dict[int, int]
    ratios: dict[int, float]
    quotas: dict[int, int]
    shares: dict[int, float]
    rate: int
    capacity: int | None
    on_track: bool
    pace: Pace | None


def daily_plan(
    base: Policy,
    today: date,
    exam: date | None,
    limit: int,
    active: Mapping[int, int],
    remaining: Mapping[int, int],
    recent: Sequence[int],
) -> DailyPlan:
    """The exam-weighted policy for one study day.

    `active`: unsuspended cards per domain; `remaining`: new cards per domain as the day
    began; `recent`: new cards introduced on each recent study day. The retention tilt only
    applies while every remaining card fits before the exam: behind schedule, review time is
    better spent introducing the cards worth the most points (measured, see README).
    """
    ratios = value_ratios(active)
    rate = planning_rate(limit, recent)
    capacity = new_capacity(today, exam, rate)
    left = sum(remaining.values())
    track = on_track(left, capacity)
    policy = replace(
        base,
        ratios=tuple(sorted(ratios.items())),
        tilt=base.tilt if track else 0.0,
        maximum_interval=base.maximum_interval,
    )
    return DailyPlan(
        policy=policy,
        active=dict(active),
        ratios=ratios,
        quotas=plan_quotas(remaining, ratios, capacity),
        shares=new_card_shares(remaining, ratios, capacity),
        rate=rate,
        capacity=capacity,
        on_track=track,
        pace=exam_pace(left, today, exam, limit),
    )
