"""The statistics report as typed records: what StatsService.report() returns.

The statistics view reads these attributes; `cehrs-cards stats --json` turns the same records
into JSON (cli/stats.py), so both show the same figures. Each section is None when it was not
asked for (the view asks for the slow calibration second).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

from cehrs_cards.core import stats as cs
from cehrs_cards.core.readiness import DomainMastery, MockScore, Readiness
from cehrs_cards.services.held_out import HeldOutReadiness
from cehrs_cards.services.outcome import ExamOutcome

T = TypeVar("T")


@dataclass(frozen=True)
class StatsFilter:
    """What the charts cover: a domain, a deck (with its subdecks) and how many days."""

    domain: int | None = None
    deck_id: int | None = None
    days: int = 30

    def to_json(self) -> dict[str, Any]:
        return {"domain": self.domain, "deck_id": self.deck_id, "days": self.days}


@dataclass(frozen=True)
class Overview:
    """The line above the charts: today, the streak, and recall now."""

    reviews_today: int
    minutes_today: float
    due_today: int
    streak: cs.Streak
    studied_cards: int
    average_retrievability: float | None


@dataclass(frozen=True)
class RetentionRow:
    """True retention of one domain (or of all, key "all") in each window, against the
    retention the scheduler aims for (None for all domains together)."""

    key: str
    name: str
    desired: float | None
    windows: tuple[tuple[str, cs.Retention], ...]
    """(window name, retention) in cs.RETENTION_WINDOWS order: today, week, month."""

    def window(self, name: str) -> cs.Retention:
        return dict(self.windows)[name]


@dataclass(frozen=True)
class Histogram:
    labels: tuple[str, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Charts:
    """Every chart of the Activity tab; honours the filter."""

    overview: Overview
    reviews_per_day: tuple[cs.DayStat, ...]
    heatmap_first_day: date
    heatmap_counts: tuple[int, ...]
    forecast: tuple[int, ...]
    """Cards due on each study day from today (overdue cards count as today)."""
    card_states: cs.StateCounts
    true_retention: tuple[RetentionRow, ...]
    """One row per domain shown, then the row of all domains."""
    stability: Histogram
    retrievability_bins: int
    retrievability: tuple[int, ...]

    def domain_names(self) -> dict[str, str]:
        """Domain key -> name, for the rows of other tables keyed the same way."""
        return {r.key: r.name for r in self.true_retention}


@dataclass(frozen=True)
class MasteryReport:
    domains: tuple[DomainMastery, ...]
    unassigned_cards: int
    guess: float


@dataclass(frozen=True)
class CalibrationReport:
    """Predicted against actual: recall per domain (key "all" last) and full mocks."""

    window_days: int
    recall: tuple[tuple[str, cs.RecallCalibration | None], ...]
    curve: tuple[cs.CurvePoint, ...]
    mocks: tuple[MockScore, ...]
    mock_mean_difference: float | None
    mock_mean_abs_difference: float | None


@dataclass(frozen=True)
class StatsReport:
    generated_at: datetime
    study_day: date
    filter: StatsFilter | None = None
    """The charts' filter (None when the charts were not computed)."""
    charts: Charts | None = None
    mastery: MasteryReport | None = None
    readiness: Readiness | None = None
    calibration: CalibrationReport | None = None
    held_out: HeldOutReadiness | None = None
    """The held-out model's forecast (computed with the readiness section)."""
    outcomes: tuple[ExamOutcome, ...] | None = None
    """Real exam results beside the estimate of that morning (with the readiness section)."""

    def merged(self, newer: StatsReport) -> StatsReport:
        """This report with every section `newer` has replaced, and newer's time."""
        return replace(
            self,
            generated_at=newer.generated_at,
            study_day=newer.study_day,
            filter=_newer(newer.filter, self.filter),
            charts=_newer(newer.charts, self.charts),
            mastery=_newer(newer.mastery, self.mastery),
            readiness=_newer(newer.readiness, self.readiness),
            calibration=_newer(newer.calibration, self.calibration),
            held_out=_newer(newer.held_out, self.held_out),
            outcomes=_newer(newer.outcomes, self.outcomes),
        )

    def without_filtered(self) -> StatsReport:
        """Only the sections that do not depend on the filter (kept across a re-run)."""
        return replace(self, filter=None, charts=None)

    def sections(self) -> set[str]:
        """Which of services.stats.SECTIONS this report holds."""
        have = {
            "charts": self.charts is not None,
            "readiness": self.readiness is not None,
            "calibration": self.calibration is not None,
        }
        return {k for k, v in have.items() if v}


def _newer(new: T | None, old: T | None) -> T | None:
    return new if new is not None else old
