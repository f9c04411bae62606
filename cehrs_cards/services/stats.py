"""Statistics and readiness: read the collection, return the figures as typed records.

The statistics view and `cehrs-cards stats --json` both show report()'s records (the CLI turns
them into JSON), so the figures they show are the same by construction. Charts honour a domain
and deck filter; mastery, readiness and calibration always cover the whole collection (the
exam does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cehrs_cards.core import stats as cs
from cehrs_cards.core.domains import DOMAIN_IDS, UNASSIGNED, domain_key, domain_name
from cehrs_cards.core.projection import RUNS
from cehrs_cards.core.readiness import (
    GUESS,
    ExamPlan,
    GroupMemory,
    MockScore,
    Readiness,
    assess,
    item_probability,
    mastery,
    mock_score,
)
from cehrs_cards.core.scheduling import DailyPlan, Schedulers, study_day_end, study_day_start
from cehrs_cards.db import queue
from cehrs_cards.db import stats_queries as q
from cehrs_cards.db.session import Session
from cehrs_cards.db.timefmt import from_db, from_ms
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.held_out import HeldOutReadiness, held_out_readiness
from cehrs_cards.services.outcome import ExamOutcome, OutcomeService
from cehrs_cards.services.projection import ProjectionReport, ProjectionService
from cehrs_cards.services.scheduling import exam_date_of, plan_for
from cehrs_cards.services.stats_report import (
    CalibrationReport,
    Charts,
    Histogram,
    MasteryReport,
    Overview,
    RetentionRow,
    StatsReport,
)
from cehrs_cards.services.stats_report import StatsFilter as StatsFilter

HEATMAP_DAYS = 365
CALIBRATION_DAYS = 365
RANGES = (7, 30, 90, 365)
SECTIONS = ("charts", "readiness", "calibration")
JDN_OFFSET = 1721425
"""Julian day number minus date.toordinal() (the SQL's day keys are Julian day numbers)."""


@dataclass(frozen=True)
class Moment:
    """The moment the figures are for, with the study-day arithmetic and today's policy."""

    now: datetime
    offset: timedelta
    """Local UTC offset minus the rollover hour: a study day is a date of (UTC time + offset)."""
    plan: DailyPlan
    exam: date | None

    @property
    def today(self) -> date:
        return (self.now.astimezone(UTC) + self.offset).date()

    @property
    def shiftd(self) -> float:
        """The SQL's :shiftd (1e-8 days puts a review exactly at the rollover in the new day)."""
        return 0.5 + self.offset.total_seconds() / 86400 + 1e-8

    @property
    def curve(self) -> tuple[float, float]:
        return cs.curve(self.plan.policy.parameters)

    @property
    def targets(self) -> dict[int, float]:
        """Desired retention per domain under today's policy."""
        scheds = Schedulers(self.plan.policy)
        return {d: scheds.retention(d) for d in (UNASSIGNED, *DOMAIN_IDS)}

    def day_start(self, day: date) -> datetime:
        """UTC start of a study day, consistent with the SQL's day numbers."""
        return datetime.combine(day, time(), tzinfo=UTC) - self.offset

    def days_ago(self, n: int) -> datetime:
        return self.day_start(self.today - timedelta(days=n))

    def day_of(self, jdn: int) -> date:
        return date.fromordinal(jdn - JDN_OFFSET)


class StatsService:
    def __init__(self, col: Collection) -> None:
        self.col = col

    def moment(self) -> Moment:
        """Now, the study-day offset and today's scheduling plan."""
        settings = self.col.settings()
        now = self.col.now()
        hour = settings.rollover_hour
        local = now.astimezone(self.col.tz).utcoffset() or timedelta()
        w = queue.DayWindow(
            now, study_day_start(now, self.col.tz, hour), study_day_end(now, self.col.tz, hour)
        )
        plan = plan_for(self.col, settings, w)
        return Moment(now, local - timedelta(hours=hour), plan, exam_date_of(settings))

    def report(
        self, f: StatsFilter | None = None, sections: Sequence[str] = SECTIONS
    ) -> StatsReport:
        """The figures of the statistics view (some sections only if asked: calibration
        reads a year of reviews, the view fetches it second)."""
        f, m = f or StatsFilter(), self.moment()
        charts: Charts | None = None
        mastery_report: MasteryReport | None = None
        ready: Readiness | None = None
        calibration: CalibrationReport | None = None
        held: HeldOutReadiness | None = None
        outcomes: tuple[ExamOutcome, ...] | None = None
        groups: list[cs.RecallGroup]
        with self.col.read() as s:
            if "charts" in sections:
                charts = self._charts(s, m, f)
            tests, groups = 0, []  # one pass over the review log serves both sections
            if "readiness" in sections or "calibration" in sections:
                tests, groups = self._recall(s, m)
            if "readiness" in sections:
                mastery_report, ready = self._readiness(s, m, tests)
                decay = m.plan.policy.parameters[20]
                held = held_out_readiness(s, m.now, self.col.study_days(), decay)
                outcomes = tuple(OutcomeService(self.col).outcomes())
            if "calibration" in sections:
                calibration = self._calibration(s, m, groups)
        shown = f if charts is not None else None
        return StatsReport(
            m.now, m.today, shown, charts, mastery_report, ready, calibration, held, outcomes
        )

    def projection(self, runs: int = RUNS) -> ProjectionReport:
        """Exam day by simulation of your own study to the exam date (seconds: on request)."""
        return ProjectionService(self.col).project(runs)

    def decks(self) -> list[tuple[int, str]]:
        with self.col.read() as s:
            return q.decks(s)

    # ----- charts ------------------------------------------------------------------------------
    def _scope(self, s: Session, f: StatsFilter) -> q.Scope:
        if f.deck_id is None:
            return q.Scope(f.domain, None)
        all_decks = q.decks(s)
        root = next((n for i, n in all_decks if i == f.deck_id), None)
        if root is None:
            raise KeyError(f"no deck with id {f.deck_id}")
        ids = tuple(i for i, n in all_decks if n == root or n.startswith(root + "::"))
        return q.Scope(f.domain, ids)

    def _charts(self, s: Session, m: Moment, f: StatsFilter) -> Charts:
        scope = self._scope(s, f)
        rows = q.answers_by_day(s, m.shiftd, m.days_ago(HEATMAP_DAYS - 1), scope)
        by_day = cs.day_stats((m.day_of(d), k, n, ms) for d, k, n, ms in rows)
        year = cs.fill_days(by_day, m.today - timedelta(days=HEATMAP_DAYS - 1), m.today)
        streak = cs.streak((m.day_of(d) for d in q.study_days(s, m.shiftd, scope)), m.today)
        forecast = self._forecast(s, m, scope, max(f.days, 30))
        r_bins, r_sum, r_cards = q.retrievability_bins(
            s, scope, m.now, m.shiftd, m.curve, cs.R_BINS
        )
        stab_bins = len(cs.STABILITY_EDGES) + 1
        return Charts(
            overview=Overview(
                reviews_today=year[-1].count,
                minutes_today=round(year[-1].seconds / 60, 1),
                due_today=forecast[0],
                streak=streak,
                studied_cards=r_cards,
                average_retrievability=round(r_sum / r_cards, 4) if r_cards else None,
            ),
            reviews_per_day=tuple(year[-f.days :]),
            heatmap_first_day=year[0].day,
            heatmap_counts=tuple(d.count for d in year),
            forecast=tuple(forecast[: f.days]),
            card_states=cs.StateCounts(**q.state_counts(s, scope, cs.MATURE_DAYS)),
            true_retention=self._retention(s, m, scope),
            stability=Histogram(
                cs.stability_labels(), tuple(cs.histogram(q.stability_bins(s, scope), stab_bins))
            ),
            retrievability_bins=cs.R_BINS,
            retrievability=tuple(cs.histogram(r_bins, cs.R_BINS)),
        )

    def _forecast(self, s: Session, m: Moment, scope: q.Scope, days: int) -> list[int]:
        """Cards due on each of the next `days` study days; overdue cards count as today."""
        out = [0] * days
        until = m.day_start(m.today + timedelta(days=days))
        for d, n in q.due_by_day(s, m.shiftd, until, scope):
            out[max(0, (m.day_of(d) - m.today).days)] += n
        return out

    def _retention(self, s: Session, m: Moment, scope: q.Scope) -> tuple[RetentionRow, ...]:
        """True retention per domain and overall in each window, with desired retention."""
        starts = {name: m.days_ago(n - 1) for name, n in cs.RETENTION_WINDOWS}
        windows = q.retention_by_domain(s, m.shiftd, starts, scope)
        targets = m.targets
        shown = sorted({d for w in windows.values() for d in w} | set(DOMAIN_IDS))
        rows = [
            RetentionRow(
                domain_key(d),
                domain_name(d),
                round(targets.get(d, targets[UNASSIGNED]), 4),
                tuple((k, cs.Retention(*w.get(d, (0, 0)))) for k, w in windows.items()),
            )
            for d in shown
        ]
        overall = tuple(
            (k, sum((cs.Retention(*v) for v in w.values()), cs.Retention()))
            for k, w in windows.items()
        )
        return (*rows, RetentionRow("all", "All domains", None, overall))

    # ----- mastery and readiness ---------------------------------------------------------------
    def _readiness(self, s: Session, m: Moment, tests: int) -> tuple[MasteryReport, Readiness]:
        exam_at = m.day_start(m.exam) if m.exam and m.exam >= m.today else None
        targets = m.targets
        # diagnostic (held-out) items are not studied: not part of mastery
        domains = q.memory_by(s, False, m.now, m.shiftd, exam_at, m.curve, targets, True)
        tasks = q.memory_by(s, True, m.now, m.shiftd, None, m.curve, targets, True)
        cut = ExamService(self.col).options().cut
        plan = None
        if m.exam is not None and exam_at is not None:
            quotas = dict(m.plan.quotas)
            plan = ExamPlan(m.exam, (m.exam - m.today).days, m.plan.rate, quotas, m.curve[0])
        ready = assess(domains, tests, self._mocks(s, m.curve), cut, targets, plan)
        unassigned = domains.get(UNASSIGNED, GroupMemory()).cards
        return MasteryReport(mastery(domains, tasks), unassigned, GUESS), ready

    def _mocks(self, s: Session, curve: tuple[float, float]) -> list[MockScore]:
        """Every finished full mock with what the memory model predicted when it started."""
        by_attempt: dict[int, tuple[datetime, list[bool], list[float]]] = {}
        days = self.col.study_days()
        for aid, started, right, stability, last in q.mock_items(s):
            when = from_db(started)
            assert when is not None
            entry = by_attempt.setdefault(aid, (when, [], []))
            entry[1].append(right)
            seen = _at(last)
            elapsed = None if seen is None else days.elapsed(seen, when)
            entry[2].append(_probability(elapsed, stability, curve))
        return [mock_score(a, w, r, p) for a, (w, r, p) in by_attempt.items()]

    # ----- calibration -------------------------------------------------------------------------
    def _recall(self, s: Session, m: Moment) -> tuple[int, list[cs.RecallGroup]]:
        """The last year's recall tests: how many (readiness), summed by bin (calibration)."""
        return q.recall_tests(s, m.shiftd, m.days_ago(CALIBRATION_DAYS - 1), m.curve)

    def _calibration(
        self, s: Session, m: Moment, groups: list[cs.RecallGroup]
    ) -> CalibrationReport:
        """Predicted vs actual recall per domain, and predicted vs actual mock scores."""
        mocks = self._mocks(s, m.curve)
        overall = cs.calibrate(groups)
        diffs = [x.actual - x.predicted for x in mocks]
        by_domain = cs.calibration_by_domain(groups)
        return CalibrationReport(
            window_days=CALIBRATION_DAYS,
            recall=(*((domain_key(d), c) for d, c in by_domain.items()), ("all", overall)),
            curve=tuple(cs.calibration_curve(groups)),
            mocks=tuple(mocks),
            mock_mean_difference=round(sum(diffs) / len(diffs), 1) if diffs else None,
            mock_mean_abs_difference=(
                round(sum(abs(x) for x in diffs) / len(diffs), 1) if diffs else None
            ),
        )


def _at(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def _probability(days: int | None, stability: float | None, curve: tuple[float, float]) -> float:
    """Chance of answering an item from its card's stability and the whole study days since
    its last answer (core/clock StudyDays.elapsed: the scheduler's clock); a guess if unseen."""
    if days is None or stability is None or stability <= 0:
        return GUESS
    return item_probability(cs.retrievability(days, stability, *curve))
