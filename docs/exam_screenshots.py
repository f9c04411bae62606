"""Regenerate the mock-exam screenshots offscreen: `.venv/bin/python docs/exam_screenshots.py`.

Uses the bundled deck, a fixed clock and fixed seeds, so the pictures only change when the code
or the deck does.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QWidget

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.core.exam import TUTOR, Attempt
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.bundled import bundled_deck_dir
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import BlockSpec, ExamService
from cehrs_cards.services.importing import import_package
from cehrs_cards.ui.exam_history import HistoryDialog
from cehrs_cards.ui.exam_view import ExamWindow
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.theme import apply_theme

DOCS = Path(__file__).parent


def save(app: QApplication, widget: QWidget, name: str) -> None:
    widget.show()
    app.processEvents()
    widget.grab().save(str(DOCS / name))


def answer(
    exams: ExamService,
    att: Attempt,
    upto: int,
    rng: random.Random,
    clock: FakeClock,
    p_right: float = 0.74,
) -> None:
    """Answer items from the current one up to `upto`, `p_right` of them right, 50 s each."""
    for i in range(att.current, upto):
        exams.goto(att, i)
        key = att.slots[i].item.answer
        exams.select(att, key if rng.random() < p_right else (key + 1) % 4)
        clock.advance(timedelta(seconds=50))


def shoot(app: QApplication, dark: bool) -> None:
    apply_theme(app, dark)
    tag = "dark" if dark else "light"
    clock = FakeClock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    col = Collection(Path(tempfile.mkdtemp()), clock=clock, tz=UTC)
    import_package(col, read_native(bundled_deck_dir()))
    exams = ExamService(col)
    for p_right in (0.58, 0.66):  # two earlier mocks, for the history's trend
        earlier = exams.start_mock(seed=int(p_right * 100)).value
        answer(exams, earlier, 125, random.Random(p_right), clock, p_right)
        exams.submit(earlier)
        clock.advance(timedelta(days=4))
    rng = random.Random(1)
    att = exams.start_mock(seed=42).value
    answer(exams, att, 23, rng, clock)
    for i in (4, 17):
        exams.goto(att, i)
        exams.toggle_flag(att)
    runner = OpRunner()
    win = ExamWindow(exams, runner, att, col.media_dir, dark)
    win.resize(1180, 800)
    save(app, win, f"exam-{tag}.png")
    if not dark:
        win.show_review()
        save(app, win, "exam-review-light.png")
        answer(exams, att, 125, rng, clock)
        exams.submit(att)
        win.show_results()
        win.results.filter.setCurrentIndex(1)
        save(app, win, "exam-results-light.png")
        save(app, HistoryDialog(exams.history()), "exam-history-light.png")
        block = exams.start_block(BlockSpec(domains=(3,), size=5, mode=TUTOR), seed=3).value
        exams.select(block, (block.slots[0].item.answer + 1) % 4)
        tutor = ExamWindow(exams, runner, block, col.media_dir, dark)
        tutor.resize(1180, 800)
        save(app, tutor, "exam-tutor-light.png")
        tutor.force_close()
    win.force_close()
    runner.wait()
    col.close()


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    for dark in (False, True):
        shoot(app, dark)
    print(f"saved exam screenshots in {DOCS}")


if __name__ == "__main__":
    main()
