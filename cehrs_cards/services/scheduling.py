"""Scheduling use cases: today's exam-weighted plan, rescheduling every card from its review
log after a settings change, and fitting the user's own FSRS parameters (fsrs-rs, no torch)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo
from typing import Any, Protocol

import fsrs
from sqlmodel import Session, select

from cehrs_cards.core.ops import Cancelled as OpsCancelled
from cehrs_cards.core.ops import Changes, OpResult
from cehrs_cards.core.records import CardState
from cehrs_cards.core.scheduling import (
    DEFAULT_PARAMETERS,
    PACE_WINDOW,
    DailyPlan,
    Policy,
    Schedulers,
    daily_plan,
    study_day_start,
)
from cehrs_cards.db import queue, revlog
from cehrs_cards.db.models import Card
from cehrs_cards.db.settings import Settings
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.memory import apply_memory, memory_of


class Replanner(Protocol):
    """What SchedulingService needs of the review service (which itself uses this module):
    today's settings and plan, reloaded after a change."""

    settings: Settings

    def reload_settings(self) -> None: ...

    def plan(self) -> DailyPlan: ...


Progress = Callable[[int, int], bool]
SETTINGS_THAT_RESCHEDULE = ("base_retention", "tilt", "parameters", "exam_date")


class Cancelled(OpsCancelled):
    """The user cancelled a reschedule or an optimisation; nothing was written."""


def base_policy(settings: Settings) -> Policy:
    """The user's scheduling settings, before today's exam plan is applied."""
    return Policy(
        base_retention=settings.base_retention,
        tilt=settings.tilt,
        parameters=settings.parameters or DEFAULT_PARAMETERS,
        fuzz=settings.fuzz,
    )


def exam_date_of(settings: Settings) -> date | None:
    """The exam date setting, or None when unset or unreadable."""
    try:
        return date.fromisoformat(settings.exam_date) if settings.exam_date else None
    except ValueError:
        return None


def study_date(w: queue.DayWindow, tz: tzinfo) -> date:
    """The local calendar date of the study day that `w` covers."""
    return w.day_start.astimezone(tz).date()


def plan_for(col: Collection, settings: Settings, w: queue.DayWindow) -> DailyPlan:
    """Today's plan: exam value per domain, new-card shares and quotas, pace, policy."""
    with col.read() as s:
        active = queue.active_by_domain(s)
        remaining = queue.new_at_day_start(s, w)
        recent = queue.new_per_day(s, w, PACE_WINDOW)
    return daily_plan(
        base_policy(settings),
        study_date(w, col.tz),
        exam_date_of(settings),
        settings.new_per_day,
        active,
        remaining,
        recent,
    )


def needs_reschedule(old: Settings, new: Settings) -> bool:
    """Whether a settings change alters the intervals of cards already studied."""
    return any(getattr(old, k) != getattr(new, k) for k in SETTINGS_THAT_RESCHEDULE)


# ----- rescheduling ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RescheduleReport:
    cards: int
    reviews: int


def reschedule_all(
    col: Collection, plan: DailyPlan, exam: date | None, progress: Progress | None = None
) -> RescheduleReport:
    """Replay every studied card's review log with today's policy (fsrs reschedule_card).

    Computed first, written in one transaction at the end: cancelling writes nothing.
    Counters (reps, lapses) are kept; a due date past the exam day moves to the exam day.
    """
    scheds = Schedulers(replace(plan.policy, maximum_interval=36500))
    exam_start = _day_start(exam, col) if exam else None
    with col.read() as s:
        rows = s.exec(select(Card).where(Card.state != int(CardState.NEW)))
        cards = {c.id: c for c in rows if c.id is not None}
        logs = _logs_by_card(s, list(cards))
    updates: dict[int, fsrs.Card] = {}
    for n, (card_id, card) in enumerate(cards.items(), 1):
        history = logs.get(card_id, [])
        if history:
            fresh = fsrs.Card(card_id=card_id, due=card.due)
            updates[card_id] = scheds.for_domain(card.domain).reschedule_card(fresh, history)
        if progress is not None and n % 200 in (0, 1) and not progress(n, len(cards)):
            raise Cancelled("Rescheduling cancelled; no card was changed.")
    _write_rescheduled(col, updates, exam_start)
    if progress is not None:
        progress(len(cards), len(cards))
    return RescheduleReport(len(updates), sum(len(v) for v in logs.values()))


def _logs_by_card(s: Session, card_ids: list[int]) -> dict[int, list[fsrs.ReviewLog]]:
    """Each card's answers since its last reset (revlog.current_answers), as fsrs logs."""
    return {
        card_id: [fsrs.ReviewLog(card_id, fsrs.Rating(e.rating), e.at, e.duration_ms) for e in life]
        for card_id, life in revlog.current_answers(s, card_ids)
    }


def _write_rescheduled(
    col: Collection, updates: dict[int, fsrs.Card], exam_start: datetime | None
) -> None:
    now = col.now()
    with col.transaction() as s:
        for card_id, new in updates.items():
            row = s.get(Card, card_id)
            if row is None:
                continue
            due = min(new.due, exam_start) if exam_start and new.due > now else new.due
            mem = replace(
                memory_of(row),
                state=CardState(int(new.state)),
                step=new.step,
                stability=new.stability,
                difficulty=new.difficulty,
                due=due,
                last_review=new.last_review,
            )
            apply_memory(row, mem, now)
            s.add(row)


def _day_start(day: date, col: Collection) -> datetime:
    """Start (UTC) of the study day of a local calendar date."""
    hour = col.settings().rollover_hour
    local = datetime.combine(day, time(hour), tzinfo=col.tz)
    return study_day_start(local, col.tz, hour)


# ----- personal parameters ---------------------------------------------------------------------
@dataclass(frozen=True)
class Fit:
    log_loss: float
    rmse_bins: float

    def to_json(self) -> dict[str, float]:
        return {"log_loss": round(self.log_loss, 5), "rmse_bins": round(self.rmse_bins, 5)}


@dataclass(frozen=True)
class OptimiseReport:
    """Old and new parameters scored on the same reviews, and which were kept."""

    cards: int
    reviews: int
    items: int
    old: tuple[float, ...]
    new: tuple[float, ...]
    old_fit: Fit | None
    new_fit: Fit | None
    kept: str  # "new" | "old"
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "cards": self.cards,
            "reviews": self.reviews,
            "items": self.items,
            "kept": self.kept,
            "reason": self.reason,
            "old": {"parameters": [round(w, 4) for w in self.old], **_fit_json(self.old_fit)},
            "new": {"parameters": [round(w, 4) for w in self.new], **_fit_json(self.new_fit)},
        }


def _fit_json(fit: Fit | None) -> dict[str, Any]:
    return fit.to_json() if fit else {"log_loss": None, "rmse_bins": None}


MIN_ITEMS = 50
MIN_GAIN = 1e-4
"""Fewer long-term reviews than this: too little data to fit, the old parameters stay."""


def optimise_parameters(col: Collection, progress: Progress | None = None) -> OptimiseReport:
    """Fit FSRS parameters to the review log; save them only if they predict it better.

    Both sets are scored (log loss, RMSE over bins) on the same reviews; the new set is kept
    only if it is better on both. The caller reschedules when the parameters changed.
    """
    import fsrs_rs_python as rs

    settings = col.settings()
    old = tuple(settings.parameters or DEFAULT_PARAMETERS)
    histories = _histories(col, settings.rollover_hour)
    items = _fsrs_items(histories)
    reviews = sum(len(h) for h in histories)
    if progress is not None and not progress(1, 3):
        raise Cancelled("Optimising cancelled; nothing was changed.")
    if len(items) < MIN_ITEMS:
        why = f"only {len(items)} long-term reviews; at least {MIN_ITEMS} are needed"
        return OptimiseReport(len(histories), reviews, len(items), old, old, None, None, "old", why)
    new = tuple(float(w) for w in rs.FSRS(list(old)).compute_parameters(items))
    if progress is not None and not progress(2, 3):
        raise Cancelled("Optimising cancelled; nothing was changed.")
    old_fit, new_fit = _evaluate(old, items), _evaluate(new, items)
    better = is_better(old_fit, new_fit)
    if better:
        col.save_settings(replace(settings, parameters=new))
    reason = "new parameters predict your reviews better" if better else "no improvement"
    kept = "new" if better else "old"
    return OptimiseReport(
        len(histories), reviews, len(items), old, new, old_fit, new_fit, kept, reason
    )


def is_better(old: Fit, new: Fit) -> bool:
    """New parameters win only with a real gain in log loss and no worse RMSE (bins).

    The tolerance keeps float noise from swapping equivalent parameter sets.
    """
    gain = old.log_loss - new.log_loss
    return gain > MIN_GAIN * old.log_loss and new.rmse_bins <= old.rmse_bins * (1 + MIN_GAIN)


def _evaluate(params: tuple[float, ...], items: list[Any]) -> Fit:
    import fsrs_rs_python as rs

    ev = rs.FSRS(list(params)).evaluate(items)
    return Fit(float(ev.log_loss), float(ev.rmse_bins))


def _histories(col: Collection, rollover: int) -> list[list[tuple[date, int]]]:
    """Per card: (study date, rating) of every answer since its last reset, oldest first."""
    by_card: list[list[tuple[date, int]]] = []
    with col.read() as s:
        for _, life in revlog.current_answers(s):
            days = [study_day_start(e.at, col.tz, rollover).astimezone(col.tz).date() for e in life]
            by_card.append([(d, e.rating) for d, e in zip(days, life, strict=True)])
    return by_card


def _fsrs_items(histories: list[list[tuple[date, int]]]) -> list[Any]:
    """fsrs-rs training items: every prefix of a card's history ending on a later day."""
    import fsrs_rs_python as rs

    items = []
    for history in histories:
        reviews = []
        last = history[0][0]
        for day, rating in history:
            delta = (day - last).days
            reviews.append(rs.FSRSReview(rating, delta))
            if delta > 0:
                items.append(rs.FSRSItem(list(reviews)))
            last = day
    return [i for i in items if i.long_term_review_cnt() > 0]


def plan_json(plan: DailyPlan) -> dict[str, Any]:
    """Today's plan for `cehrs-cards plan --json` and the settings dialog."""
    from cehrs_cards.core.domains import domain_key

    scheds = Schedulers(plan.policy)
    domains = {
        domain_key(d): {
            "value_ratio": round(r, 3),
            "retention": round(scheds.retention(d), 4),
            "planned_new": plan.quotas.get(d, 0),
            "share_of_new": round(plan.shares.get(d, 0.0), 3),
        }
        for d, r in sorted(plan.ratios.items())
    }
    pace = plan.pace
    return {
        "domains": domains,
        "tilt_applied": plan.policy.tilt,
        "maximum_interval": plan.policy.maximum_interval,
        "planning_rate": plan.rate,
        "capacity_before_exam": plan.capacity,
        "on_track": plan.on_track,
        "pace": None
        if pace is None
        else {
            "exam_date": pace.exam.isoformat(),
            "days_to_exam": pace.days_to_exam,
            "remaining_new": pace.remaining,
            "needed_per_day": pace.needed_per_day,
            "daily_limit": pace.limit,
            "feasible": pace.feasible,
            "message": pace.message(),
        },
    }


class SchedulingService:
    """Settings that change scheduling, and the long jobs they start, as operations."""

    def __init__(self, col: Collection, review: Replanner) -> None:
        self.col, self.review = col, review

    def save_settings(self, new: Settings) -> OpResult[bool]:
        """Store the settings; the value says whether studied cards must be rescheduled."""
        old = self.col.settings()
        self.col.save_settings(new)
        self.review.reload_settings()
        return OpResult(needs_reschedule(old, new), Changes(settings=True))

    def reschedule(self, progress: Progress | None = None) -> OpResult[RescheduleReport]:
        review = self.review
        review.reload_settings()
        report = reschedule_all(self.col, review.plan(), exam_date_of(review.settings), progress)
        return OpResult(report, Changes(cards=True))

    def optimise(self, progress: Progress | None = None) -> OpResult[OptimiseReport]:
        """Fit parameters to the review log; reschedule if the new ones were kept."""
        report = optimise_parameters(self.col, progress)
        if report.kept != "new":
            return OpResult(report, Changes())
        self.reschedule(progress)
        return OpResult(report, Changes(cards=True, settings=True))
