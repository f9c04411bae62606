"""Exam-day projection by simulation (issue 20 item 5): the candidate's own cards, memory
parameters, answer times, rating habits and daily minutes run through the app's queue and
scheduler (core/simulate.py's learner) from today to exam morning, several times with
different luck. Each run gives every domain's mean recall on exam morning; the held-out model
(core/readiness_model.py) turns each into a forecast, and the runs' spread is the range.

Unlike extrapolating today's pace, this lets reviews pile up under a fixed daily budget and
new cards slow down accordingly. Pure and deterministic for the inputs and run count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from cehrs_cards.core import readiness_model as rm
from cehrs_cards.core import simulate as sim
from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.core.exam_day import COSTS
from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.core.scheduling import Policy, Schedulers, value_ratios

RUNS = 12
"""Simulated futures per projection: enough for a 10th-90th percentile range, a few seconds."""


@dataclass(frozen=True)
class ProjectionInputs:
    """Everything the projection needs about the candidate, read from the collection."""

    now: datetime
    exam: date
    cards: tuple[tuple[int, MemoryState], ...]
    """(domain, memory state) of every studyable card (held-out items aside)."""
    parameters: tuple[float, ...]
    daily_minutes: float
    new_per_day: int
    reviews_per_day: int
    base_retention: float
    costs: tuple[tuple[float, ...], ...] = COSTS
    """Seconds per answer: rows learning / review / relearning, columns Again..Easy."""
    first_rating: tuple[float, ...] = sim.FIRST_RATING
    recall_rating: tuple[float, ...] = sim.RECALL_RATING

    @property
    def days(self) -> int:
        return max(0, (self.exam - self.now.date()).days)


class _Future(sim._Sim):
    """The candidate's own deck and habits instead of a synthetic learner's."""

    def __init__(self, inputs: ProjectionInputs, run: int) -> None:
        self.start = inputs.now
        self.costs, self.first_rating = inputs.costs, inputs.first_rating
        self.recall_rating = inputs.recall_rating
        cfg = sim.SimConfig(
            days=inputs.days,
            cards=0,
            daily_minutes=inputs.daily_minutes,
            new_per_day=inputs.new_per_day,
            reviews_per_day=inputs.reviews_per_day,
            base_retention=inputs.base_retention,
        )
        super().__init__(cfg, sim.STRATEGIES["weighted"], run)
        self.params = inputs.parameters
        self.true_params = inputs.parameters
        self.truth = Schedulers(Policy(parameters=inputs.parameters, fuzz=False), sim.DAYS)
        self.cards = [
            sim._Card(i, dom, None, mem, mem, new=mem.state == CardState.NEW)
            for i, (dom, mem) in enumerate(inputs.cards, 1)
        ]
        self.learning = {c.id: c for c in self.cards if c.sched.state in _LEARNING}
        self.active = {d.id: 0 for d in DOMAINS}
        for c in self.cards:
            self.active[c.domain] = self.active.get(c.domain, 0) + 1
        self.ratios = value_ratios(self.active)

    def _plan(self, today: date) -> tuple[Policy, Mapping[int, float] | None]:
        policy, shares = super()._plan(today)
        return replace(policy, parameters=self.params), shares

    def exam_recall(self) -> dict[int, float]:
        """Each domain's mean recall on exam morning (a card never studied counts 0)."""
        for day in range(self.cfg.days):
            self._study(day)
        when = self.start + timedelta(days=self.cfg.days)
        total = {d.id: 0.0 for d in DOMAINS}
        for c in self.cards:
            if not c.new and c.domain in total:
                total[c.domain] += sim.true_recall(self.params, c.true, when)
        return {d: total[d] / n if (n := self.active.get(d, 0)) else 0.0 for d in total}


_LEARNING = (CardState.LEARNING, CardState.RELEARNING)


@dataclass(frozen=True)
class Projection:
    """The forecast for exam day over the simulated futures, and the spread between them."""

    exam: date
    runs: int
    forecast: rm.Forecast
    """All runs together: the pass chance and raw range include the futures' spread."""
    raw_by_run: tuple[float, ...]
    raw_range: tuple[float, float]
    """10th and 90th percentile of the runs' expected raw scores."""
    recall: dict[int, float]
    """Mean exam-morning recall per domain over the runs."""


def exam_recalls(inputs: ProjectionInputs, runs: int = RUNS) -> list[dict[int, float]]:
    """Each run's exam-morning recall per domain."""
    return [_Future(inputs, run).exam_recall() for run in range(1, runs + 1)]


def project(
    inputs: ProjectionInputs, posteriors: Mapping[int, rm.Posterior], runs: int = RUNS
) -> Projection:
    """Simulate `runs` futures to exam morning and forecast the exam in each."""
    recalls = exam_recalls(inputs, runs)
    each = sorted(rm.forecast(posteriors, [r]).raw for r in recalls)
    mean = {d.id: sum(r[d.id] for r in recalls) / len(recalls) for d in DOMAINS}
    return Projection(
        exam=inputs.exam,
        runs=runs,
        forecast=rm.forecast(posteriors, recalls),
        raw_by_run=tuple(each),
        raw_range=(_percentile(each, 0.1), _percentile(each, 0.9)),
        recall=mean,
    )


def _percentile(xs: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile of sorted values."""
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
