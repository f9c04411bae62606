"""`cehrs-cards exam new --json [--seed S]` and `cehrs-cards exam history --json`: check forms
and scoring from outside the app."""

from __future__ import annotations

import argparse
from typing import Any

from cehrs_cards.cli.output import emit


def register(sub: Any) -> None:
    exam = sub.add_parser("exam", help="mock exams: assemble a form, list past attempts")
    exam_sub = exam.add_subparsers(dest="exam_command", required=True)
    new = exam_sub.add_parser("new", help="print an assembled mock form (no clock is started)")
    new.add_argument("--seed", type=int, help="seed of the draw (same seed, same form)")
    new.add_argument("--json", action="store_true", help="print JSON")
    new.set_defaults(handler=run_new)
    hist = exam_sub.add_parser("history", help="past mocks and practice blocks with scores")
    hist.add_argument("--json", action="store_true", help="print JSON")
    hist.set_defaults(handler=run_history)


def run_new(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services.exams import ExamService

    col = open_collection(args)
    try:
        form = ExamService(col).assemble(args.seed).to_json()
    finally:
        col.close()
    if args.json:
        emit(form, True)
        return 0
    print(f"seed: {form['seed']}  scored per domain: {form['scored_per_domain']}")
    for r in form["items"]:
        tag = " (pretest)" if r["pretest"] else ""
        print(f"{r['position']:3}  domain {r['domain']}  {r['guid'] or r['card_id']}{tag}")
    return 0


def run_history(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services.exams import ExamService

    col = open_collection(args)
    try:
        rows = [h.to_json() for h in ExamService(col).history()]
    finally:
        col.close()
    if args.json:
        emit(rows, True)
        return 0
    if not rows:
        print("No mock exams or practice blocks yet.")
    for r in rows:
        est = (
            f"  scaled est. {r['scaled']} ({r['band'][0]}-{r['band'][1]})" if "scaled" in r else ""
        )
        print(
            f"{r['started'][:16]}  {r['kind']:8} {r['correct']}/{r['total']} ({r['percent']}%){est}"
        )
    return 0
