"""Is the readiness estimate calibrated? Today's model against the held-out model, by simulation.

    .venv/bin/python benchmarks/readiness_calibration.py              # 4,000 candidates, ~15 min
    .venv/bin/python benchmarks/readiness_calibration.py --quick      # 60 candidates, a smoke run
    .venv/bin/python benchmarks/readiness_calibration.py --rows /tmp/r.json   # keep every row
    .venv/bin/python benchmarks/readiness_calibration.py --from-rows /tmp/r.json  # tables again

Synthetic candidates (benchmarks/readiness_world.py) study with the app's queue and scheduler,
take 1-3 mocks and sit a simulated real exam: 100 items by the blueprint drawn from the TRUE
content of each domain, including content the deck does not cover, against a cut anywhere in
65-75. On exam morning each model predicts the pass chance and the raw score:
- "memory only" is core/readiness.py as it was before the held-out model (kept as
  benchmarks/readiness_baseline.py): every item is a deck card, its mocks are deck items, the
  cut is the setting (70);
- "held-out" is core/readiness_model.py fitted on the mocks' held-out answers.
Writes docs/readiness-calibration.md (tables), .json (every aggregate) and .png (the reliability
diagram). Scenarios beyond the main one show what breaks the model: a held-out pool that covers
more than the exam does, and a cut that is really 70.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import readiness_baseline as old  # noqa: E402
from benchmarks import readiness_world as world  # noqa: E402
from benchmarks.readiness_tables import (  # noqa: E402
    decile_table,
    scores,
    summary_table,
    write_markdown,
)
from cehrs_cards.core import readiness_model as rm  # noqa: E402
from cehrs_cards.core.domains import DOMAINS  # noqa: E402

DOCS = ROOT / "docs"
CANDIDATES = 8000
"""Seeds 1-5000 and 5701-8700 (seeds(): the tuning seeds left out): 360 to 650 candidates in
each middle decile of predicted pass chance, so a decile's observed pass rate has a standard
error of 1.5 to 2.6 points (4,000 left it near 3; 1,000 near 6). About 21 minutes on 2 cores."""
TUNING_SEEDS = range(5001, 5701)
"""benchmarks/readiness_tuning.py's candidates: never reported here."""


@dataclass(frozen=True)
class Scenario:
    name: str
    pool_bias: float = 0.0
    """How much more of the held-out pool than of the exam the deck covers."""
    fixed_cut: int | None = None
    """The exam's true cut; None: anywhere in 65-75, equally likely."""
    first_sight: bool = True


SCENARIOS = (
    Scenario("main"),
    Scenario("pool covers 15 points more than the exam", pool_bias=0.15),
    Scenario("true cut 70", fixed_cut=70),
    Scenario("no first-sight prior", first_sight=False),
)


# ----- one candidate -----------------------------------------------------------------------------
def held_out(traj: world.Trajectory, sc: Scenario) -> list[rm.Answers]:
    """Each mock's scored items from the candidate's held-out pool, no item twice."""
    cand, out = traj.candidate, []
    rng = random.Random(f"pool-{cand.seed}")
    for i, snap in enumerate(traj.mocks):
        for d in DOMAINS:
            cov = min(1.0, cand.coverage[d.id - 1] + sc.pool_bias)
            n = d.scored_items
            right = sum(world.answer_exam_item(cand, snap, d.id, cov, rng) for _ in range(n))
            out.append(rm.Answers(d.id, snap.recall(d.id), n, right))
            assert (i + 1) * n <= world.POOL[d.id]
    return out


def old_mocks(traj: world.Trajectory) -> list[old.MockScore]:
    """Today's mocks: deck multiple-choice items, as today's app draws them (no repeats)."""
    cand, out = traj.candidate, []
    rng = random.Random(f"old-mock-{cand.seed}")
    order = {d.id: _mcq_order(traj.exam.cards[d.id], rng) for d in DOMAINS}
    for i, snap in enumerate(traj.mocks):
        right: list[bool] = []
        probs: list[float] = []
        for d in DOMAINS:
            for j in order[d.id][i * d.scored_items : (i + 1) * d.scored_items]:
                card = snap.cards[d.id][j]
                right.append(world.answer_card(cand, card, rng, transfer=False))
                probs.append(old.item_probability(card.app_r))
        out.append(old.mock_score(i, _when(snap.day), right, probs))
    return out


def _mcq_order(cards: Sequence[world.CardView], rng: random.Random) -> list[int]:
    idx = [j for j, c in enumerate(cards) if c.mcq]
    rng.shuffle(idx)
    return idx


def _when(day: int) -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=day)


def real_exam(traj: world.Trajectory) -> int:
    """The simulated real exam's raw score (the same draw in every scenario)."""
    cand, snap = traj.candidate, traj.exam
    rng = random.Random(f"exam-{cand.seed}")
    return sum(
        world.answer_exam_item(cand, snap, d.id, cand.coverage[d.id - 1], rng)
        for d in DOMAINS
        for _ in range(d.scored_items)
    )


def evaluate(
    traj: world.Trajectory, sc: Scenario, memo: dict[Any, Any] | None = None
) -> dict[str, Any]:
    """Both models' predictions on exam morning, the oracle's, and the outcome. `memo` shares
    what scenarios have in common (the exam, the truth, today's model, a fit on the same
    answers) between the scenarios of one candidate: the same numbers, computed once."""
    memo = {} if memo is None else memo
    cand, snap = traj.candidate, traj.exam
    cut = sc.fixed_cut or random.Random(f"cut-{cand.seed}").randint(65, 75)
    raw = _once(memo, "raw", lambda: real_exam(traj))
    cuts = (sc.fixed_cut,) if sc.fixed_cut else rm.CUTS
    oracle = _once(memo, "oracle", lambda: _binomials(world.true_shares(cand, snap)))
    answers, new = _once(memo, ("new", sc.pool_bias, sc.first_sight), lambda: _new(traj, sc))
    row: dict[str, Any] = {
        "seed": cand.seed,
        "days": cand.days,
        "mocks": len(traj.mocks),
        "raw": raw,
        "cut": cut,
        "passed": raw >= cut,
        "oracle_raw": rm.expected(oracle),
        "oracle_pass": rm.pass_chance(oracle, cuts),
        "new_raw": new.raw,
        "new_pass": new.pass_probability,
        "new_range": [new.raw_low, new.raw_high],
        "new_status": "estimate" if not rm.too_few(answers) else "too_few",
    }
    return row | _once(memo, "old", lambda: _old(traj))


def _once(memo: dict[Any, Any], key: Any, make: Any) -> Any:
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _new(traj: world.Trajectory, sc: Scenario) -> tuple[list[rm.Answers], rm.Forecast]:
    """The held-out model on exam morning: its answers and its forecast."""
    snap = traj.exam
    first = {d: rm.FirstSight(d, n, k) for d, (n, k) in snap.first_sight.items() if sc.first_sight}
    answers = held_out(traj, sc)
    posts = rm.fit_all(answers, first)
    return answers, rm.forecast(posts, [{d.id: snap.recall(d.id) for d in DOMAINS}])


def _old(traj: world.Trajectory) -> dict[str, Any]:
    """Today's model on exam morning (the same in every scenario: its mocks are deck items
    and its cut the setting, 70)."""
    snap = traj.exam
    seen = sum(g.seen for g in snap.memory.values())
    if old.too_little(seen, snap.tests):
        return {"old_pass": None, "old_raw": None, "old_range": None}
    est = old.estimate({d: g.share for d, g in snap.memory.items()}, old_mocks(traj), 70)
    return {
        "old_pass": est.pass_probability,
        "old_raw": est.raw,
        "old_range": [est.raw_low, est.raw_high],
    }


def _binomials(shares: dict[int, float]) -> list[float]:
    dist = [1.0]
    for d in DOMAINS:
        dist = rm.convolve(dist, rm.binomial(d.scored_items, shares[d.id]))
    return dist


def run_seed(seed: int) -> dict[str, Any]:
    """One candidate in every scenario. Everything random is seeded by the candidate's seed,
    so the result does not depend on which worker process runs it, or on how many there are."""
    started = time.process_time()
    traj = world.trajectory(seed)
    memo: dict[Any, Any] = {}
    rows = {sc.name: evaluate(traj, sc, memo) for sc in SCENARIOS}
    return {
        "seed": seed,
        "minutes": traj.minutes,
        "candidate": describe(traj),
        "rows": rows,
        "cpu": time.process_time() - started,
    }


def describe(traj: world.Trajectory) -> dict[str, Any]:
    """The candidate's truth and exam-morning recall, for finding who lands in a decile."""
    cand, snap = traj.candidate, traj.exam
    n = len(cand.coverage)
    return {
        "coverage": sum(cand.coverage) / n,
        "transfer": cand.transfer,
        "knowledge": sum(cand.knowledge) / n,
        "eliminate": cand.eliminate,
        "minutes": cand.minutes,
        "new_per_day": cand.new_per_day,
        "days": cand.days,
        "mock_days": list(cand.mock_days),
        "mock_recall": [sum(m.recall(d.id) for d in DOMAINS) / 5 for m in traj.mocks],
        "exam_recall": sum(snap.recall(d.id) for d in DOMAINS) / 5,
    }


# ----- scoring -----------------------------------------------------------------------------------
def summarise(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per scenario: the candidates with a number from both models, and every model's scores."""
    out: dict[str, Any] = {}
    for sc in SCENARIOS:
        rows = [r["rows"][sc.name] for r in results]
        both = [r for r in rows if r["old_pass"] is not None and r["new_status"] == "estimate"]
        out[sc.name] = {
            "candidates": len(rows),
            "compared": len(both),
            "pass_rate": sum(r["passed"] for r in both) / len(both),
            "models": {m: scores(both, m) for m in ("old", "new", "oracle")},
        }
    return out


def seeds(n: int) -> list[int]:
    """The first n candidate seeds from 1 up, the tuning candidates' seeds left out."""
    out = list(range(1, n + 1))
    if n >= TUNING_SEEDS[0]:
        out = [s for s in range(1, n + len(TUNING_SEEDS) + 1) if s not in TUNING_SEEDS]
    return out


def run(n: int, workers: int) -> tuple[list[dict[str, Any]], float]:
    """n candidates (seeds()) on `workers` processes: results in seed order, and the seconds."""
    started = time.perf_counter()
    results = []
    with ProcessPoolExecutor(workers) as ex:
        for i, r in enumerate(ex.map(run_seed, seeds(n), chunksize=8), 1):
            results.append(r)
            if i % 500 == 0:
                print(f"{i}/{n} candidates, {time.perf_counter() - started:.0f} s", flush=True)
    return results, time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=CANDIDATES)
    ap.add_argument("--quick", action="store_true", help="60 candidates, a smoke run")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", type=Path, default=DOCS, help="where the .md/.json/.png go")
    ap.add_argument("--rows", type=Path, help="also write every candidate's rows (JSON) here")
    ap.add_argument("--from-rows", type=Path, help="no simulation: the tables from --rows")
    args = ap.parse_args()
    if args.from_rows:
        saved = json.loads(args.from_rows.read_text())
        results, seconds = saved["results"], saved["seconds"]
    else:
        results, seconds = run(60 if args.quick else args.candidates, args.workers)
    n, cpu = len(results), sum(r["cpu"] for r in results)
    summary = summarise(results)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"candidates": n, "seconds": seconds, "cpu_seconds": cpu, "summary": summary}
    (args.out / "readiness-calibration.json").write_text(json.dumps(payload, indent=1))
    if args.rows:
        args.rows.write_text(json.dumps({"seconds": seconds, "results": results}))
    write_markdown(summary, n, seconds, cpu, args.out)
    from benchmarks.readiness_plot import draw_reliability

    draw_reliability(summary[SCENARIOS[0].name]["models"], args.out / "readiness-calibration.png")
    print("\n".join(summary_table(summary)))
    print("\n".join(decile_table(summary)))
    print(f"wrote {args.out}/readiness-calibration.md, .json, .png in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
