"""Exam readiness, pure: from the memory model (FSRS retrievability of the user's cards) and
mock-exam results to an expected raw and scaled score, its uncertainty and a pass chance.

The model; every figure it yields is an estimate and is shown with these assumptions:
- An item of domain d tests a random unsuspended card of d. It is answered right if the card
  is recalled (FSRS retrievability R) or, failing that, by guessing one of four options:
  p = R + (1 - R) / 4. A card never studied is a pure guess (1/4).
- The 100 scored items follow the blueprint; drawn independently, the raw score is a sum of
  binomials Binomial(n_d, m_d), m_d the mean p of d's cards (item sampling and answering).
- The memory model may be off as a whole (recalling a card is not answering an exam item): a
  normal error with a prior sd of MODEL_SD raw points, re-centred and narrowed by full mocks
  (each mock's actual score against what the model predicted for its items at the time),
  never narrower than MIN_MODEL_SD.
- Raw to scaled by docs/exam-model.md's linear model with an assumed raw cut C (core/exam.py).
The raw score is stochastically increasing in every card's R, so no estimate falls when
retrievability rises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cehrs_cards.core.domains import DOMAIN_BY_ID, DOMAINS, TASK_AREA_BY_ID, domain_name
from cehrs_cards.core.exam import CUT_BAND, scaled_score
from cehrs_cards.core.simulate import raw_distribution
from cehrs_cards.core.stats import StudyFocus, cycle_mean_retention
from cehrs_cards.core.words import count

GUESS = 0.25
MODEL_SD = 5.0
MIN_MODEL_SD = 3.0
MIN_SEEN = 100
MIN_TESTS = 50
RECENT_MOCKS = 5
LEVEL = 0.8
"""The central interval shown: 10th to 90th percentile."""
ESTIMATE_LABEL = "Estimate (est.): a model's guess, not an NHA score"


def item_probability(r: float) -> float:
    """Chance of answering an item whose card is recalled with probability r (else a guess)."""
    return GUESS + (1 - GUESS) * r


@dataclass(frozen=True)
class GroupMemory:
    """Memory of a group of unsuspended cards (a domain or a task area), summed."""

    cards: int = 0
    seen: int = 0
    sum_r: float = 0.0
    below: int = 0
    """Studied cards whose R is now below their domain's desired retention."""
    sum_r_below: float = 0.0
    sum_r_exam: float = 0.0
    """Sum of R on exam day if nothing more were studied (0 without an exam date)."""

    @property
    def unseen(self) -> int:
        return self.cards - self.seen

    @property
    def share(self) -> float:
        """Expected share of this group's items answered right today (a guess if empty)."""
        if not self.cards:
            return GUESS
        return (GUESS * self.cards + (1 - GUESS) * self.sum_r) / self.cards


# ----- mastery -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskMastery:
    task: str | None
    domain: int
    cards: int
    seen: int
    share: float
    points_lost: float
    """Raw points of 100 this task area is expected to lose: its domain's items times its
    share of the domain's cards times the share answered wrong."""

    @property
    def name(self) -> str:
        area = TASK_AREA_BY_ID.get(self.task or "")
        return area.name if area else (self.task or "No task area")

    def focus(self) -> StudyFocus:
        if self.task is None:
            return StudyFocus(domain_name(self.domain), domains=(self.domain,))
        return StudyFocus(self.name, tasks=(self.task,))

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "name": self.name,
            "cards": self.cards,
            "studied": self.seen,
            "expected": round(self.share, 4),
            "points_lost": round(self.points_lost, 2),
            "focus": self.focus().to_json(),
        }


@dataclass(frozen=True)
class DomainMastery:
    domain: int
    cards: int
    seen: int
    share: float
    weakest: tuple[TaskMastery, ...]

    @property
    def items(self) -> int:
        return DOMAIN_BY_ID[self.domain].scored_items

    @property
    def points(self) -> float:
        return self.items * self.share

    def focus(self) -> StudyFocus:
        return StudyFocus(domain_name(self.domain), domains=(self.domain,))

    def to_json(self) -> dict[str, Any]:
        d = DOMAIN_BY_ID[self.domain]
        return {
            "domain": d.id,
            "name": d.name,
            "weight": d.weight,
            "items": d.scored_items,
            "cards": self.cards,
            "studied": self.seen,
            "expected": round(self.share, 4),
            "points": round(self.points, 2),
            "weakest": [t.to_json() for t in self.weakest],
            "focus": self.focus().to_json(),
        }


def mastery(
    domains: Mapping[int, GroupMemory],
    tasks: Mapping[tuple[int, str | None], GroupMemory],
    weakest: int = 3,
) -> tuple[DomainMastery, ...]:
    """Each domain's expected share of items right, with its task areas losing most points."""
    out = []
    for d in DOMAINS:
        g = domains.get(d.id, GroupMemory())
        areas = [
            TaskMastery(task, dom, t.cards, t.seen, t.share, _lost(d.scored_items, g, t))
            for (dom, task), t in tasks.items()
            if dom == d.id and t.cards
        ]
        areas.sort(key=lambda t: (-t.points_lost, t.share, t.name))
        out.append(DomainMastery(d.id, g.cards, g.seen, g.share, tuple(areas[:weakest])))
    return tuple(out)


def _lost(items: int, domain: GroupMemory, area: GroupMemory) -> float:
    return items * area.cards / domain.cards * (1 - area.share) if domain.cards else 0.0


# ----- mocks -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MockScore:
    """A finished full mock: its actual raw score and what the memory model predicted for its
    scored items when it started (both per 100 scored items)."""

    attempt_id: int
    when: datetime
    actual: float
    predicted: float
    variance: float
    """Sum of p(1-p) over its items: the chance spread of the actual around the prediction."""

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "started": self.when.isoformat(),
            "actual_raw": round(self.actual, 1),
            "predicted_raw": round(self.predicted, 1),
            "difference": round(self.actual - self.predicted, 1),
        }


def mock_score(
    attempt_id: int, when: datetime, right: Sequence[bool], probs: Sequence[float]
) -> MockScore:
    """A mock's actual and predicted raw score, rescaled to 100 scored items."""
    scale = 100 / len(right) if right else 0.0
    return MockScore(
        attempt_id,
        when,
        actual=sum(right) * scale,
        predicted=sum(probs) * scale,
        variance=sum(p * (1 - p) for p in probs) * scale * scale,
    )


def model_error(mocks: Sequence[MockScore]) -> tuple[float, float]:
    """(shift, sd) of the memory model's overall error: a normal prior N(0, MODEL_SD^2)
    updated with each mock's actual minus predicted score; sd never below MIN_MODEL_SD."""
    precision = 1 / MODEL_SD**2
    weighted = 0.0
    for m in mocks:
        var = max(m.variance, 1.0)
        precision += 1 / var
        weighted += (m.actual - m.predicted) / var
    return weighted / precision, max(MIN_MODEL_SD, math.sqrt(1 / precision))


# ----- the estimate ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimate:
    """Expected raw score of 100, its 80% interval, scaled scores and the chance of passing."""

    cut: int
    raw: float
    raw_low: float
    raw_high: float
    memory_raw: float
    shift: float
    model_sd: float
    pass_probability: float
    pass_band: tuple[float, float]
    """Chance of passing if the cut is CUT_BAND[1] (harder) or CUT_BAND[0] (easier)."""
    points: dict[int, float]

    @property
    def scaled(self) -> float:
        return scaled_score(self.raw, self.cut)

    @property
    def scaled_range(self) -> tuple[float, float]:
        """The scaled scores of the raw range's ends."""
        return scaled_score(self.raw_low, self.cut), scaled_score(self.raw_high, self.cut)

    @property
    def scaled_cut_band(self) -> tuple[float, float]:
        """The scaled score if the cut is CUT_BAND[1] (harder) or CUT_BAND[0] (easier)."""
        return scaled_score(self.raw, CUT_BAND[1]), scaled_score(self.raw, CUT_BAND[0])

    def to_json(self) -> dict[str, Any]:
        return {
            "raw": round(self.raw, 1),
            "raw_range": [round(self.raw_low, 1), round(self.raw_high, 1)],
            "range_level": LEVEL,
            "scaled": round(self.scaled),
            "scaled_range": [round(x) for x in self.scaled_range],
            "scaled_cut_band": [round(x) for x in self.scaled_cut_band],
            "cut": self.cut,
            "cut_band": list(CUT_BAND),
            "pass_probability": round(self.pass_probability, 3),
            "pass_probability_cut_band": [round(p, 3) for p in self.pass_band],
            "memory_model_raw": round(self.memory_raw, 1),
            "mock_adjustment": round(self.shift, 1),
            "model_sd": round(self.model_sd, 1),
            "points_by_domain": {str(d): round(p, 1) for d, p in self.points.items()},
        }


def estimate(shares: Mapping[int, float], mocks: Sequence[MockScore], cut: int) -> Estimate:
    """The exam estimate from each domain's expected share right and the recent mocks."""
    dist = raw_distribution([(shares.get(d.id, GUESS), d.scored_items) for d in DOMAINS])
    memory = sum(k * p for k, p in enumerate(dist))
    shift, sd = model_error(mocks)

    def quantile(q: float) -> float:
        lo, hi = -50.0, 150.0
        for _ in range(50):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _cdf(dist, mid - shift, sd) < q else (lo, mid)
        return min(100.0, max(0.0, (lo + hi) / 2))

    tail = (1 - LEVEL) / 2
    return Estimate(
        cut=cut,
        raw=min(100.0, max(0.0, memory + shift)),
        raw_low=quantile(tail),
        raw_high=quantile(1 - tail),
        memory_raw=memory,
        shift=shift,
        model_sd=sd,
        pass_probability=_pass(dist, shift, sd, cut),
        pass_band=(_pass(dist, shift, sd, CUT_BAND[1]), _pass(dist, shift, sd, CUT_BAND[0])),
        points={d.id: d.scored_items * shares.get(d.id, GUESS) for d in DOMAINS},
    )


def _phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _cdf(dist: Sequence[float], x: float, sd: float) -> float:
    """P(K + E <= x) with K ~ dist and E ~ N(0, sd^2)."""
    return sum(p * _phi((x - k) / sd) for k, p in enumerate(dist))


def _pass(dist: Sequence[float], shift: float, sd: float, cut: float) -> float:
    """P(raw >= cut): the raw score (model error included) rounds to at least the cut."""
    return 1 - _cdf(dist, cut - 0.5 - shift, sd)


# ----- what would move it ------------------------------------------------------------------------
@dataclass(frozen=True)
class Lever:
    """One thing to do, with the raw points it is expected to add (est.)."""

    text: str
    gain: float
    cards: int
    focus: StudyFocus | None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "gain": round(self.gain, 1),
            "cards": self.cards,
            "focus": self.focus.to_json() if self.focus else None,
        }


def levers(
    domains: Mapping[int, GroupMemory], retention: Mapping[int, float], top: int = 3
) -> tuple[Lever, ...]:
    """What would raise the expected raw score most: learning unseen cards, reviewing cards
    below their desired retention, adding cards to an empty domain. Each gain assumes the
    cards end up at their desired retention."""
    out: list[Lever] = []
    for d in DOMAINS:
        g, target = domains.get(d.id, GroupMemory()), retention.get(d.id, 0.9)
        focus = StudyFocus(d.name, domains=(d.id,))
        if not g.cards:
            gain = d.scored_items * (1 - GUESS) * target
            text = f"Add cards for {d.name}: its {d.scored_items} items are guesses today"
            out.append(Lever(text, gain, 0, None))
            continue
        per = d.scored_items / g.cards * (1 - GUESS)
        if g.unseen:
            text = f"Learn the {count(g.unseen, f'unseen {d.name} card')}"
            out.append(Lever(text, per * g.unseen * target, g.unseen, focus))
        if g.below:
            gain = per * max(0.0, g.below * target - g.sum_r_below)
            text = f"Review the {count(g.below, f'{d.name} card')} below {target:.0%} recall"
            out.append(Lever(text, gain, g.below, focus))
    out.sort(key=lambda lv: -lv.gain)
    return tuple(lv for lv in out if lv.gain >= 0.05)[:top]


# ----- exam-day projection -----------------------------------------------------------------------
@dataclass(frozen=True)
class ExamPlan:
    """The exam date and the pace of new cards the scheduler plans until then."""

    exam: date
    days: int
    rate: int
    quotas: Mapping[int, int]
    decay: float


@dataclass(frozen=True)
class Projection:
    plan: ExamPlan
    introduced: int
    at_pace: Estimate
    if_stopped: Estimate

    def to_json(self) -> dict[str, Any]:
        return {
            "exam_date": self.plan.exam.isoformat(),
            "days_to_exam": self.plan.days,
            "new_per_day": self.plan.rate,
            "new_cards_by_exam": self.introduced,
            "at_current_pace": self.at_pace.to_json(),
            "if_study_stopped_today": self.if_stopped.to_json(),
        }


def project(
    domains: Mapping[int, GroupMemory],
    retention: Mapping[int, float],
    plan: ExamPlan,
    mocks: Sequence[MockScore],
    cut: int,
) -> Projection:
    """Exam-day estimates: at the current pace (planned new cards learnt, every studied card
    reviewed when due, so on exam day it sits anywhere in its cycle: R = the cycle mean), and
    if study stopped today (R decays to exam day)."""
    pace: dict[int, float] = {}
    stopped: dict[int, float] = {}
    introduced = 0
    for d in DOMAINS:
        g = domains.get(d.id, GroupMemory())
        new = min(g.unseen, max(0, plan.quotas.get(d.id, 0)))
        introduced += new
        r = cycle_mean_retention(retention.get(d.id, 0.9), plan.decay)
        pace[d.id] = GroupMemory(g.cards, g.seen + new, r * (g.seen + new)).share
        stopped[d.id] = GroupMemory(g.cards, g.seen, g.sum_r_exam).share
    return Projection(plan, introduced, estimate(pace, mocks, cut), estimate(stopped, mocks, cut))


# ----- all together ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Readiness:
    estimate: Estimate | None
    reasons: tuple[str, ...]
    seen: int
    tests: int
    mocks: tuple[MockScore, ...]
    levers: tuple[Lever, ...]
    projection: Projection | None
    assumptions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "estimate" if self.estimate else "too_little_data",
            "label": ESTIMATE_LABEL,
            "reasons": list(self.reasons),
            "studied_cards": self.seen,
            "recall_tests": self.tests,
            "needs": {"studied_cards": MIN_SEEN, "recall_tests": MIN_TESTS},
            "estimate": self.estimate.to_json() if self.estimate else None,
            "mocks_used": [m.to_json() for m in self.mocks],
            "what_would_move_it": [lv.to_json() for lv in self.levers],
            "projection": self.projection.to_json() if self.projection else None,
            "assumptions": list(self.assumptions),
        }


def too_little(seen: int, tests: int) -> tuple[str, ...]:
    """Why there is not yet enough history to estimate (empty when there is)."""
    out = []
    if seen < MIN_SEEN:
        out.append(
            f"{count(seen, 'card')} studied: the estimate needs at least {MIN_SEEN} "
            f"({MIN_SEEN - seen} more)."
        )
    if tests < MIN_TESTS:
        out.append(
            f"{count(tests, 'review')} a day or more after the previous one (last year): at least "
            f"{MIN_TESTS} are needed before recall predictions can be trusted."
        )
    return tuple(out)


def assess(
    domains: Mapping[int, GroupMemory],
    tests: int,
    mocks: Sequence[MockScore],
    cut: int,
    retention: Mapping[int, float],
    plan: ExamPlan | None = None,
) -> Readiness:
    """Readiness today (and on exam day), or the reasons there is too little data."""
    seen = sum(g.seen for d, g in domains.items() if d in DOMAIN_BY_ID)
    recent = tuple(mocks[-RECENT_MOCKS:])
    reasons = too_little(seen, tests)
    est = None if reasons else estimate({d: g.share for d, g in domains.items()}, recent, cut)
    proj = project(domains, retention, plan, recent, cut) if plan and not reasons else None
    return Readiness(
        est,
        reasons,
        seen,
        tests,
        recent,
        levers(domains, retention),
        proj,
        assumptions(cut, recent, plan is not None),
    )


def assumptions(cut: int, mocks: Sequence[MockScore], projected: bool) -> tuple[str, ...]:
    """The estimate's assumptions, in words, with the numbers it used."""
    shift, sd = model_error(mocks)
    out = [
        "Each exam item tests a random card of its domain; you answer it if you recall the "
        "card (FSRS retrievability today) or else guess 1 in 4. Unstudied cards are guesses; "
        "suspended cards are left out.",
        "100 scored items in blueprint proportion (28/32/15/15/10); the range is the "
        f"{LEVEL:.0%} interval of item sampling, answering chance and model error.",
        f"Scaled score: the app's linear model with an assumed raw cut of {cut} (NHA does "
        f"not publish it; {CUT_BAND[0]}-{CUT_BAND[1]} shown as a band); docs/exam-model.md.",
    ]
    if mocks:
        out.append(
            f"Adjusted by {shift:+.1f} raw points from your last {len(mocks)} full mock(s) "
            f"(actual vs predicted); model error sd {sd:.1f} points."
        )
    else:
        out.append(
            f"No full mock yet: the memory model's own error is assumed to be within about "
            f"±{MODEL_SD:.0f} raw points (sd); a mock checks it."
        )
    if projected:
        out.append(
            "Exam day at your pace: the planned new cards are learnt and every studied card "
            "is reviewed when due (on exam day each sits somewhere in its review cycle)."
        )
    return tuple(out)
