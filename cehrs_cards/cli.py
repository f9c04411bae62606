"""Command line: `cehrs-cards` opens the app; sub-commands answer from the same services.

Later features add sub-commands here via `add_parser`; each handler returns an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cehrs_cards.services.collection import Collection, default_data_dir

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cehrs-cards", description="CEHRS exam flashcards and mocks")
    p.add_argument("--data-dir", type=Path, help="collection folder (default: user data dir)")
    sub = p.add_subparsers(dest="command")
    info = sub.add_parser("info", help="collection counts")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(handler=cmd_info)
    deck = sub.add_parser("deck", help="bundled deck tools")
    deck_sub = deck.add_subparsers(dest="deck_command", required=True)
    check = deck_sub.add_parser("check", help="validate a deck folder and print its coverage")
    check.add_argument("path", nargs="?", type=Path, help="deck file or folder (default: bundled)")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=cmd_deck_check)
    return p


def open_collection(args: argparse.Namespace) -> Collection:
    from cehrs_cards.services.bundled import load_bundled_if_first_run

    col = Collection(args.data_dir or default_data_dir())
    load_bundled_if_first_run(col)
    return col


def cmd_info(args: argparse.Namespace) -> int:
    from cehrs_cards.services.info import collection_info
    from cehrs_cards.services.review import ReviewService

    col = open_collection(args)
    try:
        info = collection_info(ReviewService(col))
    finally:
        col.close()
    _print(info, args.json)
    return 0


def cmd_deck_check(args: argparse.Namespace) -> int:
    from cehrs_cards.interchange.deck_check import check_deck, coverage_table
    from cehrs_cards.services.bundled import bundled_deck_dir

    report = check_deck(args.path or bundled_deck_dir())
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(coverage_table(report))
        for problem in report.problems:
            print(f"ERROR {problem}", file=sys.stderr)
        print(f"\n{len(report.problems)} problem(s).")
    return 1 if report.problems else 0


def _print(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        print(f"{key}: {value}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        from cehrs_cards.ui.app import run_gui

        return run_gui(args.data_dir or default_data_dir())
    try:
        return handler(args)
    except Exception as exc:  # the CLI reports any failure as one line, exit 2
        print(f"cehrs-cards: error: {exc}", file=sys.stderr)
        return 2
