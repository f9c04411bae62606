"""`cehrs-cards import FILE`, `cehrs-cards export FILE` and `cehrs-cards cards --json`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cehrs_cards.cli.output import emit


def register(sub: Any) -> None:
    imp = sub.add_parser("import", help="import an .apkg, .colpkg, CSV/TSV/TXT or .toml deck")
    imp.add_argument("file", type=Path)
    imp.add_argument("--domain", help="put every imported card in this domain (1-5 or a name)")
    imp.add_argument(
        "--deck-domain",
        action="append",
        default=[],
        metavar="DECK=DOMAIN",
        help="domain for one deck of the file (repeatable)",
    )
    imp.add_argument(
        "--scheduling", action="store_true", help="bring Anki review history in as FSRS state"
    )
    imp.add_argument("--preview", action="store_true", help="show what would happen; write nothing")
    imp.add_argument("--json", action="store_true", help="print JSON")
    imp.set_defaults(handler=run_import)
    _data_dir(imp)
    exp = sub.add_parser("export", help="export to .apkg, .csv/.tsv/.txt or .toml (by suffix)")
    exp.add_argument("file", type=Path)
    exp.add_argument("--deck", help="only this deck and its subdecks (default: everything)")
    exp.add_argument("--force", action="store_true", help="replace FILE if it exists")
    exp.add_argument(
        "--scheduling",
        action="store_true",
        help="(.apkg) include each card's state, due date, suspension, flag and review history",
    )
    exp.add_argument("--json", action="store_true", help="print JSON")
    exp.set_defaults(handler=run_export)
    _data_dir(exp)
    cards = sub.add_parser("cards", help="list notes with fields, tags, domain and card count")
    cards.add_argument("--deck", help="only this deck and its subdecks")
    cards.add_argument("--search", help="only notes with a card matching this browser search")
    cards.add_argument("--json", action="store_true", help="print JSON")
    cards.set_defaults(handler=run_cards)
    _data_dir(cards)


def _data_dir(parser: Any) -> None:
    """--data-dir after the sub-command too (`import FILE --data-dir DIR`), as the issue shows."""
    parser.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS, help="collection folder"
    )


def _domain(text: str) -> int:
    from cehrs_cards.core.domains import parse_domain

    dom = parse_domain(text)
    if dom is None:
        raise ValueError(f"unknown domain {text!r} (use 1-5, a domain name, or 'unassigned')")
    return dom


def _options(args: argparse.Namespace) -> Any:
    from cehrs_cards.services.transfer import ImportOptions

    deck_domains = {}
    for item in args.deck_domain:
        deck, sep, dom = item.rpartition("=")
        if not sep or not deck:
            raise ValueError(f"--deck-domain wants DECK=DOMAIN, not {item!r}")
        deck_domains[deck] = _domain(dom)
    return ImportOptions(
        domain=_domain(args.domain) if args.domain else None,
        deck_domains=deck_domains,
        with_scheduling=args.scheduling,
    )


def run_import(args: argparse.Namespace) -> int:
    from cehrs_cards.services.gc_pause import gc_paused

    with gc_paused():  # from before the import's modules load (see gc_paused)
        return _run_import(args)


def _run_import(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services import backup, transfer

    options = _options(args)
    col = open_collection(args)
    try:
        if args.preview:
            emit(_preview_json(transfer.preview_file(col, args.file, options)), args.json)
            return 0
        result = transfer.import_file(col, args.file, options)
        backup.compress_backups(col.data_dir)  # the one taken before the import, packed
    finally:
        col.close()
    data = result.to_json()
    emit(data, args.json)
    if not args.json:
        for item in data["skipped"]:
            print(f"skipped {item['id']}: {item['reason']}", file=sys.stderr)
    return 0


def _preview_json(p: Any) -> dict[str, Any]:
    from cehrs_cards.core.domains import domain_key

    return {
        "file": str(p.path),
        "format": p.format,
        "notes": p.notes,
        "cards": p.cards,
        "new_notes": p.new_notes,
        "existing_notes": p.existing_notes,
        "media": p.media,
        "has_scheduling": p.has_scheduling,
        "notetypes": p.notetypes,
        "decks": [
            {
                "name": d.name,
                "notes": d.notes,
                "cards": d.cards,
                "proposed_domain": d.proposed,
                "reason": d.reason,
                "notes_by_domain": {domain_key(k): v for k, v in sorted(d.by_domain.items())},
            }
            for d in p.decks
        ],
    }


def run_export(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services.transfer_export import export_file

    if not args.force and (args.file.exists() or args.file.is_symlink()):
        print(
            f"cehrs-cards: error: {args.file} already exists; nothing was written "
            "(add --force to replace it)",
            file=sys.stderr,
        )
        return 2
    col = open_collection(args)
    try:
        result = export_file(
            col, args.file, args.deck, scheduling=args.scheduling, overwrite=args.force
        )
    finally:
        col.close()
    emit(result.to_json(), args.json)
    return 0


def run_cards(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.services.transfer_export import list_notes

    col = open_collection(args)
    try:
        notes = list_notes(col, args.deck)
        if args.search:  # the browser's engine (services/browse.py), same syntax and results
            from cehrs_cards.services.browse import BrowseService

            keep = BrowseService(col).note_guids(args.search)
            notes = [n for n in notes if n["id"] in keep]
    finally:
        col.close()
    if args.json:
        emit(notes, True)
    else:
        for n in notes:
            first = next(iter(n["fields"].values()), "")[:60]
            print(f"{n['id']}\t{n['deck']}\td{n['domain']}\t{n['cards']} card(s)\t{first}")
    return 0
