"""Command line: `cehrs-cards` opens the app; sub-commands answer from the same services.

Each feature registers its sub-commands in its own module (listed in COMMANDS): a module has
`register(sub)` adding parsers whose `handler(args) -> exit code` is set with set_defaults.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from cehrs_cards import __version__
from cehrs_cards.services.paths import default_data_dir

if TYPE_CHECKING:
    from cehrs_cards.services.collection import Collection

Handler = Callable[[argparse.Namespace], int]
COMMANDS = (
    "cehrs_cards.cli.info",
    "cehrs_cards.cli.deck",
    "cehrs_cards.cli.exam",
    "cehrs_cards.cli.transfer",
    "cehrs_cards.cli.schedule",
    "cehrs_cards.cli.browse",
    "cehrs_cards.cli.stats",
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cehrs-cards", description="CEHRS exam flashcards and mocks")
    p.add_argument("--data-dir", type=Path, help="collection folder (default: user data dir)")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Packaging smoke test only (make bundle, CI): open the window, print "ready", close.
    p.add_argument("--quit-after-start", action="store_true", help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return p


def open_collection(args: argparse.Namespace) -> Collection:
    """The collection of --data-dir (or the default), first-run deck loaded."""
    from cehrs_cards.services.bundled import load_bundled_if_first_run
    from cehrs_cards.services.collection import Collection

    col = Collection(args.data_dir or default_data_dir())
    load_bundled_if_first_run(col)
    return col


def qt_missing_text(exc: ImportError) -> str:
    """Why the window cannot open when its modules fail to load: Qt's system libraries (what
    to install), or a part of this installation (reinstall) — never the one for the other."""
    from cehrs_cards.ui.xcb_check import README_PACKAGES

    name = exc.name or ""
    if not name.startswith(("PySide6", "shiboken6")) and ".so" not in str(exc):
        return (
            f"CEHRS Cards cannot open its window: a part of this installation is missing "
            f"({exc}). Reinstall CEHRS Cards; your cards are not affected."
        )
    return (
        f"CEHRS Cards cannot open its window: Qt could not load ({exc}).\n"
        "On Debian/Ubuntu, install what Qt needs on a minimal Linux (README, Install):\n"
        f"  sudo apt install {' '.join(README_PACKAGES)}"
    )


def main(argv: list[str] | None = None, *, exit_fast: bool = False) -> int:
    """Run the app or a sub-command; its exit code. `exit_fast` (the console command and
    the frozen app, never a test calling this): a sub-command's process ends through
    exit_now once its work is done."""
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["--replay-worker"]:  # a heavy import's second process (anki_replay.py)
        from cehrs_cards.services.anki_replay import worker_main

        return exit_now(worker_main()) if exit_fast else worker_main()
    args = build_parser().parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        try:
            from cehrs_cards.ui.app import run_gui
        except ImportError as exc:  # Qt itself cannot load: a system library is missing
            print(qt_missing_text(exc), file=sys.stderr)
            return 1
        return run_gui(args.data_dir or default_data_dir(), quit_after_start=args.quit_after_start)
    try:
        code = handler(args)
    except Exception as exc:  # the CLI reports any failure as one line on stderr, exit 2
        print(f"cehrs-cards: error: {exc}", file=sys.stderr)
        code = 2
    return exit_now(code) if exit_fast else code


def exit_now(code: int) -> NoReturn:
    """End a finished sub-command's process without the interpreter's teardown.

    A sub-command has closed its collection by the time it returns; what Python would do
    next is free every object of every module it loaded (SQLAlchemy, pydantic, the import's
    rows), 0.07-0.17 s of a 20,000-note import (issue 15, benchmarks/import_process.py),
    which nobody waits for usefully. Output is flushed and the at-exit handlers run (temporary
    folders, logging) as on a normal exit; with another thread still running, the exit is
    the normal one, which waits for it."""
    if threading.active_count() > 1:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            code = code or 1
    atexit._run_exitfuncs()
    os._exit(code)
