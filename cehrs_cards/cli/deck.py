"""`cehrs-cards deck check [PATH] [--json] [--loose]`: validate a deck and print its coverage."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    deck = sub.add_parser("deck", help="deck tools")
    deck_sub = deck.add_subparsers(dest="deck_command", required=True)
    check = deck_sub.add_parser("check", help="validate a deck folder and print its coverage")
    check.add_argument("path", nargs="?", type=Path, help="deck file or folder (default: bundled)")
    check.add_argument("--json", action="store_true")
    check.add_argument("--loose", action="store_true", help="skip the bundled deck's size rules")
    check.add_argument("--no-quality", action="store_true", help="skip the item-bank quality rules")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from cehrs_cards.interchange.deck_check import check_deck, coverage_table
    from cehrs_cards.interchange.deck_quality import quality_text
    from cehrs_cards.services.bundled import bundled_deck_dir

    path = args.path or bundled_deck_dir()
    report = check_deck(path, bundled=not args.loose, quality=not args.no_quality)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(coverage_table(report))
        print()
        print(quality_text(report.quality))
        for problem in report.problems:
            print(f"ERROR {problem}", file=sys.stderr)
        print(f"\n{len(report.problems)} problem(s).")
    return 1 if report.problems else 0
