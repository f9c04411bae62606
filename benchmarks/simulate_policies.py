"""The standard comparison of exam-weighted vs plain FSRS scheduling, by simulation.

    .venv/bin/python benchmarks/simulate_policies.py            # ~8 minutes on 2 cores
    .venv/bin/python benchmarks/simulate_policies.py --quick    # fewer seeds, a smoke run

Runs cehrs_cards.core.simulate (seeded, pure) for 60 days with 400 and 1,000 cards, tight and
generous daily time, on the bundled deck's domain mix and on a skewed imported-deck mix: the
app's policy against plain FSRS with new cards in deck order, in alphabetical subdeck order
(Anki's default) and in random order, and the app's exam-day placement against the old exam
cap; then a sweep of daily minutes. Writes docs/simulation.md (tables), docs/simulation.json
(every number) and docs/simulation.png (exam score against workload, drawn with Qt's
QPainter offscreen: no plotting library needed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cehrs_cards.core import simulate as sim  # noqa: E402

DOCS = ROOT / "docs"
SCENARIOS = [
    (400, 10.0, "tight"),
    (400, 60.0, "generous"),
    (1000, 15.0, "tight"),
    (1000, 60.0, "generous"),
]
MIXES = ("bundled", "skewed")
BASELINES = ("plain", "alphabetical", "random")
POLICIES = (*BASELINES, "weighted", "weighted-cap")
SWEEP_MINUTES = (5.0, 15.0, 30.0, 60.0)


def _run(task: tuple[sim.SimConfig, str, int]) -> tuple[str, int, dict[str, Any]]:
    cfg, policy, seed = task
    return policy, seed, asdict(sim.simulate(cfg, policy, seed))


def run_all(
    cfg: sim.SimConfig, policies: tuple[str, ...], seeds: list[int], ex: Any
) -> dict[str, list[sim.SeedResult]]:
    """Every policy on the same seeds, in parallel; results in seed order."""
    tasks = [(cfg, p, s) for p in policies for s in seeds]
    out: dict[str, dict[int, sim.SeedResult]] = {p: {} for p in policies}
    for policy, seed, r in ex.map(_run, tasks, chunksize=2):
        out[policy][seed] = sim.SeedResult(**r)
    return {p: [out[p][s] for s in seeds] for p in policies}


def _fmt(ms: dict[str, float], digits: int = 1) -> str:
    return f"{ms['mean']:.{digits}f} ± {ms['se']:.{digits}f}"


def _diff(ms: dict[str, float], digits: int = 1) -> str:
    return f"{ms['mean']:+.{digits}f} ± {ms['se']:.{digits}f}"


def main_table(seeds: list[int], ex: Any) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Weighted against each baseline (raw points, pass probability) and the exam-day
    placement against the old cap (exam-day pile, raw points)."""
    rows: list[dict[str, Any]] = []
    lines = [
        "| deck mix | cards | min/day | weighted: raw | pass | − deck order: raw | pass "
        "| − alphabetical: raw | pass | − random: raw | pass |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    exam_lines = [
        "| deck mix | cards | min/day | due on exam day: cap → placed | raw: placed − cap "
        "| pass: placed − cap | new cards seen: cap → placed |",
        "|---|---|---|---|---|---|---|",
    ]
    for mix in MIXES:
        for cards, minutes, label in SCENARIOS:
            cfg = sim.with_mix(sim.SimConfig(days=60, cards=cards, daily_minutes=minutes), mix)
            runs = run_all(cfg, POLICIES, seeds, ex)
            summary = {p: sim.summarize(runs[p]) for p in POLICIES}
            diffs = {b: sim.paired_difference(runs["weighted"], runs[b]) for b in BASELINES}
            exam = sim.paired_difference(runs["weighted"], runs["weighted-cap"])
            seen = {p: sum(r.new_cards for r in runs[p]) / len(seeds) for p in POLICIES}
            rows.append(
                {
                    "mix": mix,
                    "cards": cards,
                    "minutes": minutes,
                    "label": label,
                    "summary": summary,
                    "weighted_minus": diffs,
                    "placed_minus_cap": exam,
                    "new_cards_seen": seen,
                }
            )
            w = summary["weighted"]
            cells = " | ".join(
                f"{_diff(diffs[b]['expected_raw'], 2)} | {_diff(diffs[b]['pass_probability'], 3)}"
                for b in BASELINES
            )
            lines.append(
                f"| {mix} | {cards} | {minutes:.0f} ({label}) | {_fmt(w['expected_raw'])} | "
                f"{_fmt(w['pass_probability'], 3)} | {cells} |"
            )
            cap = summary["weighted-cap"]["exam_day_due"]["mean"]
            exam_lines.append(
                f"| {mix} | {cards} | {minutes:.0f} | {cap:.0f} → "
                f"{w['exam_day_due']['mean']:.0f} | {_diff(exam['expected_raw'], 2)} | "
                f"{_diff(exam['pass_probability'], 3)} | "
                f"{seen['weighted-cap']:.0f} → {seen['weighted']:.0f} |"
            )
            print(lines[-1], flush=True)
    return rows, lines, exam_lines


def sweep(seeds: list[int], ex: Any) -> list[dict[str, Any]]:
    """Exam score against daily minutes at 1,000 cards, both policies, both mixes."""
    points = []
    for mix in MIXES:
        for minutes in SWEEP_MINUTES:
            cfg = sim.with_mix(sim.SimConfig(days=60, cards=1000, daily_minutes=minutes), mix)
            runs = run_all(cfg, ("plain", "weighted"), seeds, ex)
            for p in ("plain", "weighted"):
                s = sim.summarize(runs[p])
                points.append(
                    {
                        "mix": mix,
                        "policy": p,
                        "budget": minutes,
                        "minutes_per_day": s["minutes"]["mean"] / 60,
                        "scaled": s["expected_scaled"],
                    }
                )
            print(f"sweep {mix} {minutes:.0f} min done", flush=True)
    return points


def draw_plot(points: list[dict[str, Any]], path: Path) -> None:
    """Expected scaled score vs minutes actually studied per day; QPainter, offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    app = QGuiApplication.instance() or QGuiApplication([])
    w, h, left, right, top, bottom = 1000, 560, 80, 240, 50, 70
    img = QImage(w, h, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    xmax = max(pt["minutes_per_day"] for pt in points) * 1.05
    ymin, ymax = 300.0, 500.0

    def at(x: float, y: float) -> QPointF:
        return QPointF(
            left + x / xmax * (w - left - right),
            top + (ymax - y) / (ymax - ymin) * (h - top - bottom),
        )

    p.setFont(QFont("Sans", 10))
    p.setPen(QPen(QColor("#ccc"), 1))
    for y in range(300, 501, 25):
        p.drawLine(at(0, y), at(xmax, y))
        p.setPen(QColor("#333"))
        p.drawText(QRectF(0, at(0, y).y() - 9, left - 8, 18), Qt.AlignmentFlag.AlignRight, str(y))
        p.setPen(QPen(QColor("#ccc"), 1))
    for x in range(0, int(xmax) + 1, 5):
        p.setPen(QColor("#333"))
        p.drawText(
            QRectF(at(x, 0).x() - 20, h - bottom + 6, 40, 18), Qt.AlignmentFlag.AlignCenter, str(x)
        )
    p.setPen(QPen(QColor("#b00020"), 1.5, Qt.PenStyle.DotLine))
    p.drawLine(at(0, 390), at(xmax, 390))
    p.drawText(at(0.3, 392), "pass 390")
    styles = {
        ("bundled", "plain"): ("#1a73e8", Qt.PenStyle.DashLine),
        ("bundled", "weighted"): ("#1a73e8", Qt.PenStyle.SolidLine),
        ("skewed", "plain"): ("#e37400", Qt.PenStyle.DashLine),
        ("skewed", "weighted"): ("#e37400", Qt.PenStyle.SolidLine),
    }
    for i, ((mix, pol), (colour, style)) in enumerate(styles.items()):
        pts = sorted(
            (q for q in points if q["mix"] == mix and q["policy"] == pol), key=lambda q: q["budget"]
        )
        p.setPen(QPen(QColor(colour), 2.5, style))
        for a, b in itertools.pairwise(pts):
            p.drawLine(
                at(a["minutes_per_day"], a["scaled"]["mean"]),
                at(b["minutes_per_day"], b["scaled"]["mean"]),
            )
        p.setPen(QPen(QColor(colour), 1.5))
        for q in pts:
            c, se = (
                at(q["minutes_per_day"], q["scaled"]["mean"]),
                q["scaled"]["se"] / (ymax - ymin) * (h - top - bottom),
            )
            p.drawLine(QPointF(c.x(), c.y() - se), QPointF(c.x(), c.y() + se))
            p.drawEllipse(c, 3, 3)
        ly = top + 20 + i * 24
        p.setPen(QPen(QColor(colour), 2.5, style))
        p.drawLine(QPointF(w - right + 15, ly), QPointF(w - right + 45, ly))
        p.setPen(QColor("#222"))
        p.drawText(QPointF(w - right + 52, ly + 4), f"{pol}, {mix} deck")
    p.setPen(QColor("#222"))
    p.setFont(QFont("Sans", 11))
    p.drawText(
        QRectF(0, 10, w, 24),
        Qt.AlignmentFlag.AlignCenter,
        "Expected CEHRS scaled score (est.) on day 60, 1,000 cards, mean ± SE across seeds",
    )
    p.drawText(
        QRectF(left, h - 30, w - left - right, 24),
        Qt.AlignmentFlag.AlignCenter,
        "minutes actually studied per day (average over 60 days)",
    )
    p.end()
    img.save(str(path))
    del app


def write_markdown(
    lines: list[str], exam_lines: list[str], seeds: list[int], seconds: float
) -> None:
    cfg = sim.SimConfig()
    text = [
        "# Exam-weighted vs plain FSRS: simulation",
        "",
        f"Generated by `.venv/bin/python benchmarks/simulate_policies.py` ({len(seeds)} seeds "
        f"per cell, {seconds / 60:.1f} min). Exam on day 60; new-card limit {cfg.new_per_day}/day; "
        f"base retention {cfg.base_retention}; guessing {cfg.guess}; cut score C = {cfg.cut:.0f}. "
        "Differences are paired by seed (the same learner, the same random streams): mean ± "
        "standard error. Raw points are out of 100 scored items; pass probability is the chance "
        "of a raw score at or above the cut. Elapsed time is counted in study days (the app's "
        "clock) for the scheduler and the learner's memory alike.",
        "",
        "Deck mixes (share of cards in domains 1-5): bundled "
        f"{sim.BUNDLED_MIX}, skewed {sim.SKEWED_MIX} "
        "(blueprint weights 0.28, 0.32, 0.15, 0.15, 0.10).",
        "",
        "## Where the gain comes from",
        "",
        "The weighted policy values a card at its domain's blueprint weight ÷ the cards in that "
        "domain, and introduces the most valuable cards first. Scored with every card worth "
        "the same, the policies tie: the whole gain comes from that valuation, and it exists "
        "only when the deck's domains are out of proportion to the blueprint *and* time is "
        "too short to see every card. On a deck built in blueprint proportion (the bundled "
        "deck) every card is worth about the same and the gain is about a raw point at most.",
        "",
        "## Weighted minus each baseline (raw points, pass probability)",
        "",
        "Baselines are plain FSRS with new cards in deck order (one domain's deck after "
        "another), in alphabetical subdeck order (Anki's default: Clinical Operations first) "
        "and in random order.",
        "",
        *lines,
        "",
        "## Exam day: final reviews placed vs the old exam cap",
        "",
        "The old rule capped every interval at exam day, so every studied card whose next "
        "review fell later was due on exam morning. The app now places a card's final review "
        "before the exam when its predicted exam-day recall would be below 0.95, on the latest "
        "day that fits the recent daily review pace, and orders the last weeks' reviews by exam "
        "points per minute (core/exam_day.py); behind the new-card plan it places nothing.",
        "",
        *exam_lines,
        "",
        "![exam score vs workload](simulation.png)",
        "",
    ]
    (DOCS / "simulation.md").write_text("\n".join(text), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--sweep-seeds", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="4 seeds, for a smoke run")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    n, ns = (2, 2) if args.quick else (args.seeds, args.sweep_seeds)
    seeds, sweep_seeds = list(range(1, n + 1)), list(range(1, ns + 1))
    DOCS.mkdir(exist_ok=True)
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as ex:
        rows, lines, exam_lines = main_table(seeds, ex)
        points = sweep(sweep_seeds, ex)
    seconds = time.perf_counter() - started
    (DOCS / "simulation.json").write_text(json.dumps({"table": rows, "sweep": points}, indent=1))
    write_markdown(lines, exam_lines, seeds, seconds)
    draw_plot(points, DOCS / "simulation.png")
    print(f"wrote docs/simulation.md, .json, .png in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
