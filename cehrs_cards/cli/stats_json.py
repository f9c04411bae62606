"""The statistics report as JSON: `cehrs-cards stats --json` (the only place it becomes JSON).

Field names, order and rounding are the CLI's published format; the records themselves live in
services/stats_report.py.
"""

from __future__ import annotations

from typing import Any

from cehrs_cards.services.stats_report import (
    CalibrationReport,
    Charts,
    MasteryReport,
    RetentionRow,
    StatsReport,
)


def report_json(r: StatsReport) -> dict[str, Any]:
    out: dict[str, Any] = {
        "generated_at": r.generated_at.isoformat(),
        "study_day": str(r.study_day),
    }
    if r.charts is not None and r.filter is not None:
        out |= {"filter": r.filter.to_json(), "charts": charts_json(r.charts)}
    if r.mastery is not None and r.readiness is not None:
        out |= {"mastery": mastery_json(r.mastery), "readiness": r.readiness.to_json()}
    if r.held_out is not None:
        out["held_out_readiness"] = r.held_out.to_json()
    if r.outcomes is not None:
        out["exam_outcomes"] = [o.to_json() for o in r.outcomes]
    if r.calibration is not None:
        out["calibration"] = calibration_json(r.calibration)
    return out


def charts_json(c: Charts) -> dict[str, Any]:
    o = c.overview
    return {
        "overview": {
            "reviews_today": o.reviews_today,
            "minutes_today": o.minutes_today,
            "due_today": o.due_today,
            "streak": o.streak.to_json(),
            "studied_cards": o.studied_cards,
            "average_retrievability": o.average_retrievability,
        },
        "reviews_per_day": [d.to_json() for d in c.reviews_per_day],
        "heatmap": {"first_day": str(c.heatmap_first_day), "counts": list(c.heatmap_counts)},
        "forecast": list(c.forecast),
        "card_states": c.card_states.to_json(),
        "true_retention": {row.key: _retention_json(row) for row in c.true_retention},
        "stability": {"labels": list(c.stability.labels), "counts": list(c.stability.counts)},
        "retrievability": {"bins": c.retrievability_bins, "counts": list(c.retrievability)},
    }


def _retention_json(row: RetentionRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "desired": row.desired,
        **{k: ret.to_json() for k, ret in row.windows},
    }


def mastery_json(m: MasteryReport) -> dict[str, Any]:
    return {
        "domains": [d.to_json() for d in m.domains],
        "unassigned_cards": m.unassigned_cards,
        "guess": m.guess,
    }


def calibration_json(c: CalibrationReport) -> dict[str, Any]:
    return {
        "window_days": c.window_days,
        "recall": {k: v.to_json() if v else None for k, v in c.recall},
        "curve": [p.to_json() for p in c.curve],
        "mocks": [x.to_json() for x in c.mocks],
        "mock_mean_difference": c.mock_mean_difference,
        "mock_mean_abs_difference": c.mock_mean_abs_difference,
    }
