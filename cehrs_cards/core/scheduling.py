"""FSRS scheduling: a domain-weighted policy around fsrs.Scheduler, and study-day arithmetic.

Every card is scheduled by the fsrs scheduler of its domain; all domains share one parameter
set and differ only in desired retention, tilted toward the heavy exam domains:
(1 - R_d) = (1 - R0) * (mean weight / w_d) ** tilt, clamped to [0.80, 0.97]. tilt 0 is plain FSRS.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo

import fsrs

from cehrs_cards.core.domains import DOMAIN_BY_ID, DOMAINS
from cehrs_cards.core.records import CardState, MemoryState, Preview, Rating

MIN_RETENTION = 0.80
MAX_RETENTION = 0.97
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)


@dataclass(frozen=True)
class Policy:
    """The user's scheduling settings."""

    base_retention: float = 0.90
    tilt: float = 1.0
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    maximum_interval: int = 36500
    fuzz: bool = True


def domain_retention(domain_id: int, base: float, tilt: float) -> float:
    """Desired retention for a domain, tilted by its blueprint weight (unassigned: base)."""
    if domain_id not in DOMAIN_BY_ID or tilt == 0:
        return base
    mean_w = sum(d.weight for d in DOMAINS) / len(DOMAINS)
    forget = (1 - base) * float((mean_w / DOMAIN_BY_ID[domain_id].weight) ** tilt)
    return min(MAX_RETENTION, max(MIN_RETENTION, 1 - forget))


class Schedulers:
    """One fsrs.Scheduler per domain, built once from a Policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._by_domain: dict[int, fsrs.Scheduler] = {}

    def for_domain(self, domain_id: int) -> fsrs.Scheduler:
        sched = self._by_domain.get(domain_id)
        if sched is None:
            p = self.policy
            sched = fsrs.Scheduler(
                parameters=p.parameters,
                desired_retention=domain_retention(domain_id, p.base_retention, p.tilt),
                maximum_interval=p.maximum_interval,
                enable_fuzzing=p.fuzz,
            )
            self._by_domain[domain_id] = sched
        return sched

    def preview(
        self, card_id: int, domain_id: int, mem: MemoryState, now: datetime
    ) -> tuple[Preview, ...]:
        """The four possible outcomes of answering now, with their button labels."""
        sched = self.for_domain(domain_id)
        out = []
        for rating in Rating:
            card, _ = sched.review_card(to_fsrs(card_id, mem), fsrs.Rating(rating), now)
            after = from_fsrs(card, mem, rating)
            out.append(Preview(rating, after, format_interval(after.due - now)))
        return tuple(out)

    def retrievability(self, domain_id: int, mem: MemoryState, now: datetime) -> float:
        if mem.state == CardState.NEW:
            return 0.0
        return float(self.for_domain(domain_id).get_card_retrievability(to_fsrs(0, mem), now))


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
    lapsed = before.state == CardState.REVIEW and rating == Rating.AGAIN
    return MemoryState(
        state=CardState(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reps=before.reps + 1,
        lapses=before.lapses + (1 if lapsed else 0),
    )


def new_state(now: datetime) -> MemoryState:
    return MemoryState(CardState.NEW, None, None, None, now, None, 0, 0)


def reset_state(mem: MemoryState, now: datetime) -> MemoryState:
    """Forget a card: back to new, keeping its counters."""
    return replace(new_state(now), reps=mem.reps, lapses=mem.lapses)


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


def study_day_start(now: datetime, tz: tzinfo, rollover_hour: int) -> datetime:
    """Start (UTC) of the study day containing `now`: local `rollover_hour` o'clock."""
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), time(rollover_hour), tzinfo=tz)
    if local < start:
        start = datetime.combine(local.date() - timedelta(days=1), time(rollover_hour), tzinfo=tz)
    return start.astimezone(UTC)


def study_day_end(now: datetime, tz: tzinfo, rollover_hour: int) -> datetime:
    """End (UTC, exclusive) of the study day containing `now`."""
    start_local = study_day_start(now, tz, rollover_hour).astimezone(tz)
    nxt = datetime.combine(start_local.date() + timedelta(days=1), time(rollover_hour), tzinfo=tz)
    return nxt.astimezone(UTC)


def pick_new_domain(available: Iterable[int], taken: dict[int, int]) -> int:
    """Domain of the next new card: the one whose share of today's new cards lags its weight most.

    `taken` counts new cards already introduced today per domain. This interleaves domains in
    blueprint proportion instead of exhausting one deck before the next.
    """
    total = sum(taken.values()) + 1
    return max(sorted(available), key=lambda d: _weight(d) * total - taken.get(d, 0))


def interleave_by_domain(items: Sequence[tuple[int, int]], limit: int) -> list[int]:
    """Up to `limit` card ids from (card_id, domain) pairs, in the order pick_new_domain gives."""
    queues: dict[int, list[int]] = {}
    for card_id, dom in items:
        queues.setdefault(dom, []).append(card_id)
    for q in queues.values():
        q.reverse()
    picked: list[int] = []
    taken: dict[int, int] = {}
    while len(picked) < limit and any(queues.values()):
        dom = pick_new_domain((d for d, q in queues.items() if q), taken)
        picked.append(queues[dom].pop())
        taken[dom] = taken.get(dom, 0) + 1
    return picked


def _weight(domain_id: int) -> float:
    d = DOMAIN_BY_ID.get(domain_id)
    return d.weight if d else 0.05
