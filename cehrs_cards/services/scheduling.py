"""Scheduling use cases: today's exam-weighted plan, the exam plan's placement of final
reviews, rescheduling every card from its review log after a settings change, and fitting
the user's own FSRS parameters (services/optimise.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Protocol

import fsrs

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.exam_day import HORIZON, ExamPlacer, review_budget
from cehrs_cards.core.history import LogEntry, since_last_reset
from cehrs_cards.core.ops import Changes, OpResult
from cehrs_cards.core.records import CardState, MemoryState, Rating
from cehrs_cards.core.scheduling import (
    MAX_INTERVAL,
    PACE_WINDOW,
    DailyPlan,
    Schedulers,
    daily_plan,
)
from cehrs_cards.db import queue, repo, revlog
from cehrs_cards.db.models import Card
from cehrs_cards.db.session import Session
from cehrs_cards.db.settings import Settings
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.memory import apply_memory
from cehrs_cards.services.optimise import (
    Cancelled,
    Fit,
    OptimiseReport,
    is_better,
    optimise_parameters,
)
from cehrs_cards.services.policy import base_policy as base_policy  # re-exported


class Replanner(Protocol):
    """What SchedulingService needs of the review service (which itself uses this module):
    today's settings and plan, reloaded after a change."""

    settings: Settings

    def reload_settings(self) -> None: ...

    def plan(self) -> DailyPlan: ...


Progress = Callable[[int, int], bool]
SETTINGS_THAT_RESCHEDULE = ("base_retention", "tilt", "parameters", "exam_date", "exam_target")
__all__ = ["Cancelled", "Fit", "OptimiseReport", "is_better", "optimise_parameters"]


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
        active = queue.active_by_domain(s)  # held-out diagnostic items left out
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
    """Replay every studied card's answers since its last reset with today's policy, on the
    study-day clock (the same code that schedules an answer).

    Computed first, written in one transaction at the end: cancelling writes nothing.
    Counters (reps, lapses) are kept. With the exam in the last weeks, a final review due
    on or after exam day is placed before it as an answer would be (core/exam_day.py);
    once exam day has passed, due dates are left as the replay gives them.
    """
    w = _window(col)
    scheds = Schedulers(replace(plan.policy, maximum_interval=MAX_INTERVAL), col.study_days())
    placer = exam_placer(col, plan, w)
    with col.read() as s:
        cards = {c.id: c for c in repo.studied_cards(s) if c.id is not None}
        logs = history_by_card(s, list(cards))
    updates: dict[int, MemoryState] = {}
    for n, (card_id, card) in enumerate(cards.items(), 1):
        answers = [(e.at, Rating(e.rating)) for e in since_last_reset(logs.get(card_id, []))]
        mem = scheds.replay(card_id, card.domain, answers)
        if mem is not None:
            updates[card_id] = _placed(mem, placer, col.study_days(), w.now)
        if progress is not None and n % 200 in (0, 1) and not progress(n, len(cards)):
            raise Cancelled("Rescheduling cancelled; no card was changed.")
    _write_rescheduled(col, updates)
    if progress is not None:
        progress(len(cards), len(cards))
    return RescheduleReport(len(updates), sum(len(v) for v in logs.values()))


def _placed(
    mem: MemoryState, placer: ExamPlacer | None, days: StudyDays, now: datetime
) -> MemoryState:
    """A replayed review state whose due date falls on or after exam day, moved to its
    final-review day when the exam plan says so (counted in the day's load)."""
    if placer is None or mem.state != CardState.REVIEW or mem.due <= now:
        return mem
    ahead = days.elapsed(now, mem.due)
    day = placer(mem, ahead)
    placer.add(day)
    return mem if day == ahead else replace(mem, due=now + timedelta(days=day))


def history_by_card(s: Session, card_ids: list[int]) -> dict[int, list[LogEntry]]:
    """Each card's review-log entries in time order, resets included (the memory model
    starts again after the last one: core.history.since_last_reset)."""
    return revlog.log_entries(s, card_ids)


def _write_rescheduled(col: Collection, updates: dict[int, MemoryState]) -> None:
    now = col.now()
    with col.transaction() as s:
        for card_id, new in updates.items():
            row = s.get(Card, card_id)
            if row is None:
                continue
            mem = replace(new, reps=row.reps, lapses=row.lapses)
            apply_memory(row, mem, now)
            s.add(row)


def _window(col: Collection) -> queue.DayWindow:
    now, days = col.now(), col.study_days()
    return queue.DayWindow(now, days.start_of(now), days.end_of(now))


# ----- the exam plan's placement of final reviews -----------------------------------------------
def exam_placer(col: Collection, plan: DailyPlan, w: queue.DayWindow) -> ExamPlacer | None:
    """Today's placement of final reviews before the exam (None outside the last weeks, and
    while new cards are behind the plan: then review time goes to the cards not yet seen)."""
    settings = col.settings()
    exam = exam_date_of(settings)
    days = col.study_days()
    today = days.day_of(w.now)
    if exam is None or not plan.on_track or not 0 < (exam - today).days <= HORIZON:
        return None
    left = (exam - today).days
    starts = [days.start(today + timedelta(days=k)) for k in range(1, left + 1)]
    with col.read() as s:
        loads = queue.reviews_due_between(s, starts)
        recent = queue.reviews_per_day(s, w, PACE_WINDOW)
    sched = fsrs.Scheduler(parameters=plan.policy.parameters, enable_fuzzing=False)
    budget = review_budget(settings.reviews_per_day, recent)
    return ExamPlacer(sched, left, budget, dict(enumerate(loads, 1)), settings.exam_target)


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
