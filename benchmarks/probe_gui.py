"""Subprocess probe: open a collection in the real main window, time it, answer cards through
the real review widget, and report timings and peak RSS as JSON. Used by benchmarks/run.py.

Each answer is given once the window has finished the work a card's showing starts (the
counts of what is left, on the reader thread), as it has for a user who reads the card
first; `answer_ms` times the answer and the next card's showing. `rapid_ms` times the same
with answers given the instant a card appears, the counts still running beside them (a pace
no reader keeps; it shows what that overlap costs)."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The window's module first, as `cehrs-cards` loads it (cli -> ui.app): what is imported
# before or after PySide6 changes the window's memory (cehrs_cards/ui/__init__.py). Importing
# PySide6 first, as this probe did, kept 19 MB that the app itself does not keep.
from cehrs_cards.ui.app import build_main_window  # noqa: E402

# isort: split
from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from cehrs_cards.core.records import Rating  # noqa: E402
from cehrs_cards.services.collection import Collection  # noqa: E402
from cehrs_cards.ui.ops import active_jobs  # noqa: E402


def until(app: QApplication, done: object) -> None:
    """Process events until done() (work runs on the database thread), sleeping in Qt's event
    loop between events as the app's own loop does: a loop that spun on processEvents() would
    hold Python's lock against the very thread it waits for."""
    assert callable(done)
    while not done():
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)


def main(data: Path, answers: int) -> None:
    app = QApplication([])
    col = Collection(data)
    window = build_main_window(col, app)
    window.show()
    until(app, lambda: window.decks.tree.topLevelItemCount() > 0)  # the deck list is read
    cold = time.perf_counter() - STARTED
    window.start_study(None)
    rv = window.reviewer
    until(app, lambda: rv.card is not None and not rv.busy)
    latencies: dict[str, list[float]] = {"answer_ms": [], "rapid_ms": []}
    for i in range(answers):
        if rv.card is None:
            break
        reading = i < answers // 2
        if reading:
            until(app, lambda: active_jobs() == 0)  # the counts are shown: the card was read
        rv.reveal()
        t = time.perf_counter()
        rv.rate((Rating.GOOD, Rating.AGAIN, Rating.EASY)[i % 3])
        until(app, lambda: not rv.busy)  # answered on the writer thread, next card shown
        latencies["answer_ms" if reading else "rapid_ms"].append((time.perf_counter() - t) * 1000)
    window.close_collection(backup_first=False)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cold_start_s": cold, **latencies, "peak_rss_mb": rss_mb}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
