"""`cehrs-cards info [--json]`: collection counts."""

from __future__ import annotations

import argparse
from typing import Any

from cehrs_cards.cli.output import emit


def register(sub: Any) -> None:
    p = sub.add_parser("info", help="collection counts")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services.info import collection_info
    from cehrs_cards.services.review import ReviewService

    col = open_collection(args)
    try:
        emit(collection_info(ReviewService(col)), args.json)
    finally:
        col.close()
    return 0
