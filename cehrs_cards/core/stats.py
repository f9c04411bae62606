"""Study statistics, pure: streaks, daily series, true retention, histograms and calibration.

Inputs are aggregates the database layer computed (counts and sums per group); nothing here
reads a table. A "recall test" is an answer given on a later study day than the card's
previous answer (fsrs-rs calls these long-term reviews); true retention and calibration count
only those. Definitions follow Anki and fsrs-rs where they exist (see each function).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

KINDS = ("new", "learning", "review", "relearning")
"""Answer kinds by the card's state before the answer (CardState order)."""
RETENTION_WINDOWS = (("today", 1), ("week", 7), ("month", 30))
"""True-retention windows: name and how many study days (ending today) each covers."""
MATURE_DAYS = 21
STABILITY_EDGES = (1, 3, 7, 14, 30, 90, 180, 365, 730)
"""Upper edges (days) of the stability histogram's bins; one more bin holds the rest."""
R_BINS = 20
"""Retrievability histogram: 5% bins."""
CALIBRATION_BINS = 20
"""fsrs-rs's get_bin: 20 bins of predicted R, log-spaced so they are finer near 100%."""


@dataclass(frozen=True)
class StudyFocus:
    """What a "study this" session is restricted to: any of these domains or task areas."""

    label: str
    domains: tuple[int, ...] = ()
    tasks: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "domains": list(self.domains), "tasks": list(self.tasks)}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> StudyFocus:
        return StudyFocus(
            str(d["label"]), tuple(int(x) for x in d["domains"]), tuple(map(str, d["tasks"]))
        )


# ----- forgetting curve --------------------------------------------------------------------------
def curve(parameters: Sequence[float]) -> tuple[float, float]:
    """(decay, factor) of FSRS-6's power forgetting curve for a parameter set."""
    decay = -parameters[20]
    return decay, 0.9 ** (1 / decay) - 1


def retrievability(days: int, stability: float, decay: float, factor: float) -> float:
    """R after `days` whole days at `stability`, as fsrs computes it."""
    return float((1 + factor * max(0, days) / stability) ** decay)


def cycle_mean_retention(desired: float, decay: float) -> float:
    """Average R of a card reviewed each time it falls to `desired` (over one interval).

    The integral of the power curve from 0 to the interval, divided by the interval; it does
    not depend on stability. About 0.94 for a desired retention of 0.90 with FSRS-6 defaults.
    """
    if desired >= 1:
        return 1.0
    top: float = desired ** ((decay + 1) / decay) - 1
    bottom: float = (decay + 1) * (desired ** (1 / decay) - 1)
    return top / bottom


# ----- days and streaks --------------------------------------------------------------------------
@dataclass(frozen=True)
class DayStat:
    """Answers on one study day: how many, how long, and how many of each kind."""

    day: date
    count: int = 0
    seconds: float = 0.0
    by_kind: tuple[int, int, int, int] = (0, 0, 0, 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "count": self.count,
            "minutes": round(self.seconds / 60, 1),
            **{k: n for k, n in zip(KINDS, self.by_kind, strict=True)},
        }


def day_stats(rows: Iterable[tuple[date, int, int, int]]) -> dict[date, DayStat]:
    """(day, kind 0-3, answers, milliseconds) rows merged into one DayStat per day."""
    out: dict[date, DayStat] = {}
    for day, kind, count, ms in rows:
        old = out.get(day, DayStat(day))
        k = min(max(kind, 0), 3)
        a, b, c, d = (n + (count if i == k else 0) for i, n in enumerate(old.by_kind))
        out[day] = DayStat(day, old.count + count, old.seconds + ms / 1000, (a, b, c, d))
    return out


def fill_days(stats: Mapping[date, DayStat], first: date, last: date) -> list[DayStat]:
    """One entry per day from `first` to `last` inclusive, zero where nothing was answered."""
    n = (last - first).days + 1
    return [stats.get(d, DayStat(d)) for d in (first + timedelta(days=i) for i in range(n))]


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    days_studied: int
    studied_today: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "longest": self.longest,
            "days_studied": self.days_studied,
            "studied_today": self.studied_today,
        }


def streak(days: Iterable[date], today: date) -> Streak:
    """Consecutive study days ending today (or yesterday while today is still open), the
    longest such run ever, and the number of days with any answer."""
    seen = {d for d in days if d <= today}
    longest = run = 0
    prev: date | None = None
    for d in sorted(seen):
        run = run + 1 if prev is not None and (d - prev).days == 1 else 1
        longest, prev = max(longest, run), d
    end = today if today in seen else today - timedelta(days=1)
    current = 0
    while end - timedelta(days=current) in seen:
        current += 1
    return Streak(current, longest, len(seen), today in seen)


# ----- true retention ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Retention:
    """Recall tests passed (Hard, Good or Easy) of those taken."""

    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def __add__(self, other: Retention) -> Retention:
        return Retention(self.passed + other.passed, self.total + other.total)

    def to_json(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "passed": self.passed,
            "total": self.total,
            "rate": None if rate is None else round(rate, 4),
        }


# ----- card states and histograms ----------------------------------------------------------------
@dataclass(frozen=True)
class StateCounts:
    """Cards by state, as Anki's card-count chart: young/mature split at 21-day intervals."""

    new: int = 0
    learning: int = 0
    relearning: int = 0
    young: int = 0
    mature: int = 0
    suspended: int = 0

    @property
    def total(self) -> int:
        return (
            self.new + self.learning + self.relearning + self.young + self.mature + (self.suspended)
        )

    def to_json(self) -> dict[str, int]:
        return {
            "new": self.new,
            "learning": self.learning,
            "relearning": self.relearning,
            "young": self.young,
            "mature": self.mature,
            "suspended": self.suspended,
            "total": self.total,
        }


def stability_labels() -> tuple[str, ...]:
    """Labels of the stability bins: '<1d', '1-3d', ..., '2y+'."""

    def fmt(days: int) -> str:
        return f"{days // 365}y" if days >= 365 and days % 365 == 0 else f"{days}d"

    lows = (0, *STABILITY_EDGES)
    labels = [f"<{fmt(STABILITY_EDGES[0])}"]
    labels += [
        f"{fmt(lo)}-{fmt(hi)}" for lo, hi in zip(lows[1:], STABILITY_EDGES[1:], strict=False)
    ]
    return (*labels, f"{fmt(STABILITY_EDGES[-1])}+")


def bin_of(value: float, edges: Sequence[float]) -> int:
    """Index of the bin holding `value`: the first edge it is below, else the last bin."""
    for i, edge in enumerate(edges):
        if value < edge:
            return i
    return len(edges)


def histogram(counts: Mapping[int, int], bins: int) -> list[int]:
    """Dense list of `bins` counts from a sparse {bin: count} map (out-of-range bins clamp)."""
    out = [0] * bins
    for b, n in counts.items():
        out[min(max(b, 0), bins - 1)] += n
    return out


# ----- calibration of recall predictions ---------------------------------------------------------
@dataclass(frozen=True)
class RecallGroup:
    """Recall tests of one domain sharing fsrs-rs's bin keys, summed by the database.

    `dt_key` = floor(log_3.62 of the interval in study days); `len_key` = floor(log_1.89 of
    the reviews before + 2); `lapse_key` = floor(log_1.73 lapses), None with no lapse;
    `p_bin` = fsrs-rs get_bin of the predicted R (0-19).
    """

    domain: int
    dt_key: int
    len_key: int
    lapse_key: int | None
    p_bin: int
    count: int
    sum_p: float
    sum_y: float
    sum_log_loss: float


def r_matrix_index(g: RecallGroup) -> tuple[int, int, int]:
    """fsrs-rs's RMSE bin of a group (FSRSItem::r_matrix_index), from its log keys."""
    dt = round(2.48 * 3.62**g.dt_key * 100)
    length = round(1.99 * 1.89**g.len_key)
    lapse = 0 if g.lapse_key is None else round(1.65 * 1.73**g.lapse_key)
    return dt, length, lapse


@dataclass(frozen=True)
class RecallCalibration:
    """How well predicted recall matched what happened, over a set of recall tests."""

    reviews: int
    predicted: float
    actual: float
    log_loss: float
    rmse_bins: float

    def to_json(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "predicted": round(self.predicted, 4),
            "actual": round(self.actual, 4),
            "log_loss": round(self.log_loss, 4),
            "rmse_bins": round(self.rmse_bins, 4),
        }


def calibrate(groups: Sequence[RecallGroup]) -> RecallCalibration | None:
    """Log loss and RMSE(bins) as fsrs-rs evaluates them (every review weighted equally).

    RMSE(bins) = sqrt(sum_b n_b (mean p_b - mean y_b)^2 / sum_b n_b) over the r-matrix bins.
    """
    n = sum(g.count for g in groups)
    if not n:
        return None
    bins: dict[tuple[int, int, int], list[float]] = {}
    for g in groups:
        acc = bins.setdefault(r_matrix_index(g), [0.0, 0.0, 0.0])
        acc[0] += g.count
        acc[1] += g.sum_p
        acc[2] += g.sum_y
    sq = sum(c * (p / c - y / c) ** 2 for c, p, y in bins.values())
    return RecallCalibration(
        reviews=n,
        predicted=sum(g.sum_p for g in groups) / n,
        actual=sum(g.sum_y for g in groups) / n,
        log_loss=sum(g.sum_log_loss for g in groups) / n,
        rmse_bins=math.sqrt(sq / n),
    )


def calibration_by_domain(groups: Sequence[RecallGroup]) -> dict[int, RecallCalibration]:
    """calibrate() per domain; domains without recall tests are left out."""
    by: dict[int, list[RecallGroup]] = {}
    for g in groups:
        by.setdefault(g.domain, []).append(g)
    out = {d: calibrate(gs) for d, gs in sorted(by.items())}
    return {d: c for d, c in out.items() if c is not None}


@dataclass(frozen=True)
class CurvePoint:
    """One bin of the calibration plot: mean predicted vs measured recall."""

    p_bin: int
    count: int
    predicted: float
    actual: float

    def to_json(self) -> dict[str, Any]:
        return {
            "bin": self.p_bin,
            "count": self.count,
            "predicted": round(self.predicted, 4),
            "actual": round(self.actual, 4),
        }


def calibration_curve(groups: Sequence[RecallGroup]) -> list[CurvePoint]:
    """Predicted vs measured recall in fsrs-rs's 20 log-spaced bins of predicted R."""
    acc: dict[int, list[float]] = {}
    for g in groups:
        a = acc.setdefault(min(max(g.p_bin, 0), CALIBRATION_BINS - 1), [0.0, 0.0, 0.0])
        a[0] += g.count
        a[1] += g.sum_p
        a[2] += g.sum_y
    return [CurvePoint(b, int(c), p / c, y / c) for b, (c, p, y) in sorted(acc.items()) if c > 0]


def p_bin(p: float) -> int:
    """fsrs-rs get_bin(p, 20): floor(exp(p * ln 21)) - 1, clamped to 0..19."""
    return min(max(math.floor(math.exp(p * math.log(CALIBRATION_BINS + 1))) - 1, 0), 19)
