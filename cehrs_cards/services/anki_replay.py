"""A heavy import's review-log replay, shared with a process of its own (issue 22).

Replaying an Anki log through FSRS is most of a heavy scheduled import: reading a million
entries in card order, a memory state after each, a million rows to write and sort. None of
it needs the notes, so with a big log (REPLAY_MIN_ROWS) a second process (the machine's
second core: Python's threads would share one) replays the cards with the lowest Anki ids,
REPLAY_SHARE of the log, while the importer writes notes and cards and replays the rest as
it goes, so that both finish at about the same time. The process reads the unpacked package
itself, replays each card exactly as the importer does (schedule_from_anki, the same
functions), and writes memory states and log rows to a scratch file in the package's folder
(db/replay_file.py). The importer writes each card the process replays with a new card's
state; once the process is done, those cards take their states in one UPDATE, and the
process's log is sorted into the collection together with the importer's own.

A small log is replayed in the import's own process: starting a process costs about half a
second of imports. The process is this app's own executable with a hidden flag (WORKER_FLAG),
its task pickled on its standard input. It ends by itself if the importer is gone (killed),
so that it never outlives it; a failure inside it fails the import with its message.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.scheduling import Policy, Schedulers
from cehrs_cards.db import replay_file, revlog
from cehrs_cards.db.study import memory_row
from cehrs_cards.interchange.apkg_history import FIRST_ID, LAST_ID, HistoryFile
from cehrs_cards.interchange.apkg_notes import scheduled_cards
from cehrs_cards.interchange.package import ImportCancelled, Package
from cehrs_cards.interchange.zipsafe import Limits, PackageError
from cehrs_cards.services.anki_history import schedule_from_anki

REPLAY_MIN_ROWS = 100_000
"""Review-log rows from which the replay gets a process of its own."""
REPLAY_SHARE = 0.7
"""The share of the log (its first cards) the process replays; the importer replays the rest
while it writes notes and cards, so that both are done at about the same time (measured on
the 1,000,000-entry benchmark: benchmarks/anki_compare.py)."""
SCRATCH = "replay.sqlite"
_CHECK_PARENT_EVERY = 500  # cards


@dataclass(frozen=True)
class ReplayTask:
    """What the replay process needs (sent to it pickled)."""

    db: Path  # the unpacked package collection
    folder: Path  # its folder (the importer's: the replay never removes it)
    rows: int
    below: int  # the process replays the cards with Anki ids below this; the importer the rest
    out: Path  # the scratch file
    policy: Policy
    days: StudyDays
    now: datetime
    parent: int  # the importer's process id


def run(task: ReplayTask) -> None:
    """The replay process: every card of the package replayed into the scratch file."""
    writer = replay_file.Writer(task.out)
    error: str | None = None
    try:
        _replay(task, writer)
    except PackageError as exc:
        error = str(exc)
    except Exception as exc:
        error = f"the package's review log could not be replayed ({type(exc).__name__}: {exc})"
    writer.finish(error)


def _replay(task: ReplayTask, writer: replay_file.Writer) -> None:
    schedulers = Schedulers(task.policy, task.days)
    history = HistoryFile(task.folder, task.db, task.rows, Limits(), owns_folder=False)
    history.start_walk((FIRST_ID, task.below))
    try:
        for i, card in enumerate(scheduled_cards(history.con, task.below)):
            if i % _CHECK_PARENT_EVERY == 0 and os.getppid() != task.parent:
                raise SystemExit(0)  # the importer is gone: nobody will read this
            if not card.anki_id:  # an id not worth keeping: the importer replays it
                continue
            sched = schedule_from_anki(card, 0, schedulers, task.now, history.of(card.anki_id))
            if sched is not None:
                log = revlog.answer_rows(card.anki_id, sched.answers, sched.states)
                writer.add(card.anki_id, memory_row(sched.memory), log)
    finally:
        history.close()


WORKER_FLAG = "--replay-worker"
"""The command-line flag that makes the app's own executable the replay process (cli/)."""


def worker_main() -> int:
    """The replay process's entry: its task comes pickled on stdin, from the importer."""
    try:
        task = pickle.loads(sys.stdin.buffer.read())  # our own importer wrote it
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        task = None
    if not isinstance(task, ReplayTask):
        print("cehrs-cards: --replay-worker is started by an import, not by hand", file=sys.stderr)
        return 2
    run(task)
    return 0


def _command() -> list[str]:
    """This app as a command: the frozen executable, or this Python running the package.
    (A fresh process, not multiprocessing's: it would import the caller's main module.)"""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_FLAG]
    return [sys.executable, "-m", "cehrs_cards", WORKER_FLAG]


class ReplayJob:
    """The importer's side: the process started, waited for, or stopped."""

    def __init__(self, task: ReplayTask) -> None:
        self.task = task
        replay_file.create(task.out)
        self._err = (task.folder / "replay.err").open("wb")
        no_window = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console flash
        self.proc = subprocess.Popen(  # our own executable, fixed arguments
            _command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._err,
            creationflags=no_window,
        )
        assert self.proc.stdin is not None
        with self.proc.stdin as pipe:
            pipe.write(pickle.dumps(task))

    def wait(self, should_stop: Callable[[], bool] | None = None) -> None:
        """Until the process is done; PackageError with its message if it failed,
        ImportCancelled (the process stopped) if `should_stop()` says so meanwhile."""
        while True:
            if should_stop is not None and should_stop():
                self.stop()
                raise ImportCancelled()
            try:
                self.proc.wait(0.1)
                break
            except subprocess.TimeoutExpired:
                continue
        self._err.close()
        error = replay_file.outcome(self.task.out)
        if error is None:
            said = (self.task.folder / "replay.err").read_text(errors="replace").strip()
            last = said.splitlines()[-1] if said else f"exit code {self.proc.returncode}"
            raise PackageError(f"the review-log replay stopped unexpectedly ({last})")
        if error:
            raise PackageError(error)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._err.close()


def start_replay(pkg: Package, schedulers: Schedulers | None, now: datetime) -> ReplayJob | None:
    """A replay process for part of the package's log if it is heavy and wanted (else None);
    the log's walk here starts too (apkg_history.HistoryFile.start_walk), over the rest."""
    history = pkg.history
    if history is None or schedulers is None:
        return None
    below = history.card_at_share(REPLAY_SHARE) if history.rows >= REPLAY_MIN_ROWS else None
    if below is None:
        history.start_walk()
        return None
    history.start_walk((below, LAST_ID))
    folder = history.db.parent
    task = ReplayTask(
        history.db, folder, history.rows, below, folder / SCRATCH, schedulers.policy,
        schedulers.days, now, os.getpid(),
    )  # fmt: skip
    return ReplayJob(task)
