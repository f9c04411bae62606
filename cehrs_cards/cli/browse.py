"""`cehrs-cards search QUERY` and `cehrs-cards leeches`: the browser's engine from outside."""

from __future__ import annotations

import argparse
from typing import Any

from cehrs_cards.cli.output import emit


class _QueryParser(argparse.ArgumentParser):
    """Reads a word starting with a single '-' that is none of its options as the query, so
    `search -tag:leech` works; `search -- QUERY` takes any query (even --hipaa)."""

    def _parse_optional(self, arg_string: str) -> Any:
        known = arg_string in self._option_string_actions
        if len(arg_string) > 1 and arg_string[0] == "-" and arg_string[1] != "-" and not known:
            return None
        return super()._parse_optional(arg_string)  # type: ignore[misc]


def _sort_key(name: str) -> str:
    """A sort key the browser knows, checked when given (the search module is imported then,
    not by every sub-command's start-up)."""
    from cehrs_cards.core.search import SORT_KEYS

    if name not in SORT_KEYS:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(sorted(SORT_KEYS))}")
    return name


def register(sub: Any) -> None:
    p = sub.add_parser("search", help="cards matching a browser search (Anki syntax)")
    p.__class__ = _QueryParser  # argparse makes every sub-parser of one class
    p.add_argument(
        "query",
        help='e.g. "hipaa -tag:leech domain:4 prop:r<0.8"; a query may start with -, and '
        "anything after -- is the query (search -- --hipaa)",
    )
    p.add_argument("--sort", type=_sort_key, default="created", help="e.g. due, domain, front")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument("--limit", type=int, default=0, help="at most this many cards (0: all)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_search)
    lp = sub.add_parser("leeches", help="cards forgotten again and again (>= leech_lapses)")
    lp.add_argument("--tag", action="store_true", help="tag their notes 'leech'")
    lp.add_argument("--json", action="store_true", help="print JSON")
    lp.set_defaults(handler=run_leeches)


def run_search(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services.browse import BrowseService

    col = open_collection(args)
    try:
        browse = BrowseService(col)
        ids = browse.search(args.query, args.sort, args.desc)
        ids = ids[: args.limit] if args.limit > 0 else ids
        rows = [
            _row_json(r)
            for start in range(0, len(ids), 500)
            for r in browse.rows(ids[start : start + 500])
        ]
    finally:
        col.close()
    if args.json:
        emit(rows, True)
    else:
        for r in rows:
            print(f"{r['id']}\t{r['deck']}\td{r['domain']}\t{r['state']}\t{r['question'][:70]}")
    return 0


def _row_json(r: Any) -> dict[str, Any]:
    return {
        "id": r.card_id,
        "note_id": r.note_id,
        "question": r.question,
        "deck": r.deck,
        "domain": r.domain,
        "tags": r.tags.split(),
        "state": r.state.name.lower(),
        "due": r.due.isoformat() if r.due else None,
        "interval_days": r.interval,
        "stability": r.stability,
        "difficulty": r.difficulty,
        "retrievability": r.retrievability,
        "lapses": r.lapses,
        "reps": r.reps,
        "created": r.created.isoformat(),
        "suspended": r.suspended,
        "buried": r.buried,
        "flag": r.flag,
    }


def run_leeches(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services import browse_info

    col = open_collection(args)
    try:
        tagged = browse_info.tag_leeches(col).value if args.tag else 0
        threshold, found = browse_info.leeches(col)
    finally:
        col.close()
    data = {
        "threshold": threshold,
        "advice": browse_info.LEECH_ADVICE.format(n=threshold),
        "newly_tagged_notes": tagged,
        "leeches": [
            {
                "id": x.card_id,
                "note_id": x.note_id,
                "lapses": x.lapses,
                "deck": x.deck,
                "domain": x.domain,
                "tagged": x.tagged,
                "question": x.question,
            }
            for x in found
        ],
    }
    if args.json:
        emit(data, True)
    else:
        print(data["advice"])
        for x in found:
            print(f"{x.card_id}\t{x.lapses} lapses\t{x.deck}\t{x.question[:70]}")
    return 0
