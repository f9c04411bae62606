"""Scheduling commands: `plan` (today's exam-weighted plan and pace), `optimize` (fit FSRS
parameters to your reviews) and `simulate` (weighted vs plain FSRS on a synthetic learner)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cehrs_cards.cli.output import emit


def register(sub: Any) -> None:
    plan = sub.add_parser("plan", help="today's exam-weighted plan: value, retention, pace")
    plan.add_argument("--json", action="store_true", help="print JSON")
    plan.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    plan.set_defaults(handler=run_plan)
    opt = sub.add_parser("optimize", help="fit FSRS parameters to your review log (kept if better)")
    opt.add_argument("--json", action="store_true", help="print JSON")
    opt.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="collection folder")
    opt.set_defaults(handler=run_optimize)
    sim = sub.add_parser("simulate", help="simulate a candidate up to exam day, paired by seed")
    sim.add_argument(
        "--policy", type=_policy, default="weighted", help="a scheduling policy (e.g. weighted)"
    )
    sim.add_argument("--days", type=int, default=60, help="exam on this day (default 60)")
    sim.add_argument("--cards", type=int, default=1000)
    sim.add_argument("--daily-minutes", type=float, default=30.0)
    sim.add_argument("--seeds", type=int, default=10)
    sim.add_argument("--new-per-day", type=int, default=20)
    sim.add_argument(
        "--deck-mix", default="bundled", help="bundled | blueprint | skewed | 5 shares"
    )
    sim.add_argument("--tilt", type=float, default=None, help="retention tilt (default: app's)")
    sim.add_argument("--json", action="store_true", help="print JSON")
    sim.set_defaults(handler=run_simulate)


def _policy(name: str) -> str:
    """A policy the simulator knows, checked when given (the simulator is imported then, not
    by every sub-command's start-up)."""
    from cehrs_cards.core.simulate import STRATEGIES

    if name not in STRATEGIES:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(STRATEGIES)}")
    return name


def run_plan(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services.review import ReviewService
    from cehrs_cards.services.scheduling import plan_json

    col = open_collection(args)
    try:
        emit(plan_json(ReviewService(col).plan()), args.json)
    finally:
        col.close()
    return 0


def run_optimize(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services.review import ReviewService
    from cehrs_cards.services.scheduling import optimise_parameters, reschedule_all

    col = open_collection(args)
    try:
        report = optimise_parameters(col)
        out = report.to_json()
        if report.kept == "new":
            review = ReviewService(col)
            done = reschedule_all(col, review.plan(), _exam(review))
            out["rescheduled_cards"] = done.cards
        emit(out, args.json)
    finally:
        col.close()
    return 0


def _exam(review: Any) -> Any:
    from cehrs_cards.services.scheduling import exam_date_of

    return exam_date_of(review.settings)


def run_simulate(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from cehrs_cards.core import simulate as sim

    cfg = sim.SimConfig(
        days=args.days,
        cards=args.cards,
        daily_minutes=args.daily_minutes,
        new_per_day=args.new_per_day,
    )
    cfg = sim.with_mix(cfg, _mix(args.deck_mix))
    if args.tilt is not None:
        cfg = replace(cfg, tilt=args.tilt)
    emit(sim.report(cfg, args.policy, range(1, args.seeds + 1), _progress), args.json)
    return 0


def _mix(text: str) -> str | tuple[float, ...]:
    from cehrs_cards.core.simulate import MIXES

    if text in MIXES:
        return text
    parts = tuple(float(x) for x in text.replace(",", " ").split())
    if len(parts) != 5 or min(parts) < 0 or sum(parts) <= 0:
        raise ValueError(f"--deck-mix: a name ({', '.join(MIXES)}) or five non-negative shares")
    return parts


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\rsimulating {done}/{total}", end="" if done < total else "\n", file=sys.stderr)
