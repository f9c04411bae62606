"""The readiness calibration study's scores and tables (benchmarks/readiness_calibration.py
runs the candidates): Brier score, raw-score error, range coverage and reliability by decile
of predicted pass chance, and docs/readiness-calibration.md."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

AIM = 0.05
"""Issue 20's aim: within 5 points in every decile of predicted pass chance holding >= 50."""
BIG = 50


# ----- scoring -----------------------------------------------------------------------------------
def deciles(rows: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Reliability by predicted decile: count, mean predicted, observed pass rate and its SE,
    and the truth's own mean pass chance there (what the decile would pass without exam luck)."""
    bins: list[list[dict[str, Any]]] = [[] for _ in range(10)]
    for r in rows:
        bins[min(9, int(r[key] * 10))].append(r)
    out = []
    for i, b in enumerate(bins):
        n = len(b)
        pred = sum(r[key] for r in b) / n if n else None
        obs = sum(r["passed"] for r in b) / n if n else None
        se = math.sqrt(obs * (1 - obs) / n) if n and obs is not None else None
        truth = sum(r["oracle_pass"] for r in b) / n if n else None
        out.append(
            {"decile": i, "n": n, "predicted": pred, "observed": obs, "se": se, "truth": truth}
        )
    return out


def scores(rows: Sequence[dict[str, Any]], model: str) -> dict[str, Any]:
    """Brier score, raw-score MAE, 80 % range coverage and the worst decile (n >= 50)."""
    have = [r for r in rows if r[f"{model}_pass"] is not None]
    n = len(have)
    table = deciles(have, f"{model}_pass")
    big = [d for d in table if d["n"] >= BIG]
    key = "range" if model != "oracle" else None
    return {
        "n": n,
        "brier": sum((r[f"{model}_pass"] - r["passed"]) ** 2 for r in have) / n,
        "mae_raw": sum(abs(r[f"{model}_raw"] - r["raw"]) for r in have) / n,
        "mean_error_raw": sum(r[f"{model}_raw"] - r["raw"] for r in have) / n,
        "range_coverage": (
            sum(r[f"{model}_{key}"][0] <= r["raw"] <= r[f"{model}_{key}"][1] for r in have) / n
            if key
            else None
        ),
        "worst_decile_gap": max((abs(d["predicted"] - d["observed"]) for d in big), default=None),
        "deciles_big": len(big),
        "deciles_over_5": sum(_gap(d) > AIM for d in big),
        "deciles_beyond_noise": sum(_gap(d) > AIM and _gap(d) > 2 * d["se"] for d in big),
        "deciles": table,
    }


def _gap(d: dict[str, Any]) -> float:
    return float(abs(d["predicted"] - d["observed"]))


# ----- output ------------------------------------------------------------------------------------
MODEL_NAMES = {"old": "memory only (before)", "new": "held-out model (now)", "oracle": "truth"}


def summary_table(summary: dict[str, Any]) -> list[str]:
    lines = [
        "| scenario | model | Brier | raw MAE | raw bias | 80 % range holds | worst decile gap "
        "| deciles off by > 5 pts (of those >= 50) | of them beyond 2 SE |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in summary.items():
        for m, sc in s["models"].items():
            cov = "" if sc["range_coverage"] is None else f"{sc['range_coverage']:.1%}"
            gap = sc["worst_decile_gap"]
            lines.append(
                f"| {name} | {MODEL_NAMES[m]} | {sc['brier']:.3f} | {sc['mae_raw']:.2f} "
                f"| {sc['mean_error_raw']:+.2f} | {cov} | "
                f"{'' if gap is None else f'{gap * 100:.1f} pts'} "
                f"| {sc['deciles_over_5']} of {sc['deciles_big']} | {sc['deciles_beyond_noise']} |"
            )
    return lines


def decile_table(summary: dict[str, Any], scenario: str | None = None) -> list[str]:
    """Both models by decile of predicted pass chance; the held-out model's gap (predicted
    minus passed) is starred where it is over 5 points and over two standard errors."""
    models = summary[scenario or next(iter(summary))]["models"]
    lines = [
        "| predicted | before: n | predicted | passed | after: n | predicted | passed "
        "| gap | truth's chance |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for i in range(10):
        cells = [f"{i * 10}-{i * 10 + 10} %"]
        for m in ("old", "new"):
            d = models[m]["deciles"][i]
            if d["n"]:
                cells += [
                    str(d["n"]),
                    f"{d['predicted']:.1%}",
                    f"{d['observed']:.1%} ± {d['se']:.1%}",
                ]
            else:
                cells += ["0", "", ""]
        d = models["new"]["deciles"][i]
        beyond = d["n"] >= BIG and _gap(d) > AIM and _gap(d) > 2 * d["se"]
        gap = "" if not d["n"] else f"{(d['predicted'] - d['observed']) * 100:+.1f}"
        cells.append(gap + (" *" if beyond else ""))
        cells.append("" if d["truth"] is None else f"{d['truth']:.1%}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_markdown(summary: dict[str, Any], n: int, seconds: float, cpu: float, out: Path) -> None:
    """docs/readiness-calibration.md: the scores of every scenario and model, the main
    scenario's deciles and those of the pool that covers more than the exam (the second)."""
    names = list(summary)
    main = summary[names[0]]
    text = [
        "# Readiness calibration: simulation",
        "",
        f"Generated by `.venv/bin/python benchmarks/readiness_calibration.py` ({n} synthetic "
        f"candidates, {seconds / 60:.1f} min on {os.cpu_count()} cores shared with other work; "
        f"{cpu / 60:.0f} CPU-minutes in all). Each candidate "
        "studies with the app's own queue and scheduler, takes 1-3 mocks, and sits a "
        "simulated real exam; both models predict on exam morning. "
        f"{main['compared']} candidates had a number from both models; "
        f"{main['pass_rate']:.0%} of them passed. docs/readiness.md explains the models, the "
        "world and what the scenarios mean.",
        "",
        "## Scores",
        "",
        "Brier score: mean squared difference between the predicted pass chance and the "
        "outcome (0 or 1); lower is better. Raw MAE: mean absolute difference between the "
        "predicted and the actual raw score (of 100); the exam's own chance keeps even the "
        "truth at about 3.5. Worst decile gap: the largest |predicted − observed| over the "
        "deciles of predicted pass chance holding at least 50 candidates; the next columns "
        "count the deciles off by more than 5 points, and those of them off by more than two "
        "standard errors of their observed pass rate. The truth's rows (its deciles are of "
        "its own pass chance, right by construction) show how far the exam day's luck alone "
        "moves a decile in this sample.",
        "",
        *summary_table(summary),
        "",
        "## Reliability by decile (main scenario)",
        "",
        "Observed pass rate ± its standard error. Gap: the held-out model's predicted minus "
        "passed, in points, starred where it is over 5 points and over two standard errors "
        "(more than the exam's luck explains). The truth's chance is the mean pass chance "
        "the simulation itself gives the held-out model's candidates in that decile (their true "
        "shares and the cut's spread, without the exam day's luck): where passed and the truth's "
        "chance differ, the exam's luck did it.",
        "",
        *decile_table(summary),
        "",
        "![reliability diagram](readiness-calibration.png)",
        "",
        f"## By decile: {names[1]}",
        "",
        "The same candidates when the held-out pool is easier for the deck than the exam is "
        "(docs/readiness.md, *The pool is like the exam*): the model learns a coverage that is "
        "too high.",
        "",
        *decile_table(summary, names[1]),
        "",
    ]
    (out / "readiness-calibration.md").write_text("\n".join(text), encoding="utf-8")
