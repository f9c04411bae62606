"""Every top-level window and dialog of the app, opened on a real collection that has been
studied for three weeks (fake clock) and holds finished mocks, an exam date and a backup.

Used by the laptop-screen tests (fit, keys, names; tests/ui/test_screens.py runs
tests/ui/fit_check.py in a subprocess per screen size) and by docs/screenshots.py.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import monotonic
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.core.exam import TUTOR, Attempt
from cehrs_cards.core.records import Rating
from cehrs_cards.services.bundled import load_bundled_if_first_run
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import BlockSpec, ExamOptions, ExamService
from cehrs_cards.services.review import ReviewService

START = datetime(2026, 1, 5, 14, tzinfo=UTC)
STUDY_DAYS = 21
CSV_TEXT = "Front;Back;Tags\nWhat does HIPAA stand for?;Health Insurance Portability and " \
    "Accountability Act;hipaa\nWhat is a CPT code?;A procedure code;coding\n"  # fmt: skip


def build_collection(data: Path) -> datetime:
    """The bundled deck studied for STUDY_DAYS days, two finished mocks, an exam date in six
    weeks and a backup; returns the moment the collection stands at."""
    clock = FakeClock(START)
    col = Collection(data, clock=clock, tz=UTC)
    try:
        load_bundled_if_first_run(col)
        exam_day = (START + timedelta(days=STUDY_DAYS + 42)).date().isoformat()
        col.save_settings(replace(col.settings(), new_per_day=20, fuzz=False, exam_date=exam_day))
        _study(ReviewService(col), clock)
        _mocks(ExamService(col), clock)
        col.backup("manual")
        return clock.now()
    finally:
        col.close()


def _study(review: ReviewService, clock: FakeClock) -> None:
    rng = random.Random(7)
    for _day in range(STUDY_DAYS):
        for _ in range(40):
            card = review.next_card()
            if card is None:
                break
            rating = rng.choices(list(Rating), (12, 10, 70, 8))[0]
            review.answer(card, rating, rng.randint(3000, 15000))
        clock.advance(timedelta(days=1))


def _mocks(exams: ExamService, clock: FakeClock) -> None:
    rng = random.Random(3)
    for seed, right in ((1, 0.62), (2, 0.71)):
        att = exams.start_mock(seed=seed).value
        for i, slot in enumerate(att.slots):
            exams.goto(att, i)
            key = slot.item.answer
            exams.select(att, key if rng.random() < right else (key + 1) % 4)
            clock.advance(timedelta(seconds=40))
        exams.submit(att)
        clock.advance(timedelta(days=3))


def copy_collection(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@dataclass
class Ctx:
    """The app opened on a copy of the collection: the main window and what it holds."""

    app: QApplication
    col: Collection
    main: Any  # MainWindow
    work: Path
    opened: list[QWidget] = field(default_factory=list)

    @property
    def services(self) -> Any:
        return self.main.services

    @property
    def runner(self) -> Any:
        return self.main.runner


def open_app(app: QApplication, data: Path, now: datetime, work: Path) -> Ctx:
    from cehrs_cards.ui.app import build_main_window

    col = Collection(data, clock=FakeClock(now), tz=UTC)
    main = build_main_window(col, app)
    main.show()
    settle(app)
    return Ctx(app, col, main, work)


def settle(app: QApplication, timeout: float = 30.0) -> None:
    """Run the event loop until every background job has reported back."""
    from cehrs_cards.ui.ops import active_jobs

    end = monotonic() + timeout
    app.processEvents()
    while active_jobs() and monotonic() < end:
        app.processEvents()
    for _ in range(3):
        app.processEvents()


def close(ctx: Ctx, widget: QWidget) -> None:
    """Close a screen without side effects (an exam window without asking; the main window
    stays open, back at the deck list)."""
    force = getattr(widget, "force_close", None)
    if widget is ctx.main:
        ctx.main.show_decks()
    elif callable(force):
        force()
    elif isinstance(widget, QDialog):
        widget.done(0)
    else:
        widget.close()
    settle(ctx.app)


def close_app(ctx: Ctx) -> None:
    ctx.main.exam_launcher.close_all()
    ctx.main.close()
    ctx.app.processEvents()
    ctx.col.close()


# ----- the screens ---------------------------------------------------------------------------
Builder = Callable[[Ctx], QWidget]
SCREENS: dict[str, Builder] = {}


def screen(name: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        SCREENS[name] = fn
        return fn

    return register


def _shown(ctx: Ctx, widget: QWidget) -> QWidget:
    widget.show()
    settle(ctx.app)
    return widget


@screen("decks")
def _decks(ctx: Ctx) -> QWidget:
    ctx.main.show_decks()
    return _shown(ctx, ctx.main)


@screen("review")
def _review(ctx: Ctx) -> QWidget:
    ctx.main.start_study(None)
    return _shown(ctx, ctx.main)


def _to_mcq(ctx: Ctx) -> Any:
    """Study until a multiple-choice card shows; the review screen."""
    ctx.main.start_study(None)
    settle(ctx.app)
    reviewer = ctx.main.reviewer
    while reviewer.card is not None and "options" not in reviewer.card.front_html:
        reviewer.reveal()
        reviewer.rate(Rating.GOOD)
        settle(ctx.app)
    return reviewer


@screen("review-answer")
def _review_answer(ctx: Ctx) -> QWidget:
    """A wrong option picked: the pick and the right option marked, a reason under each."""
    reviewer = _to_mcq(ctx)
    reviewer.pick((reviewer.card.mcq.answer + 1) % 4)
    return _shown(ctx, ctx.main)


@screen("review-mcq")
def _review_mcq(ctx: Ctx) -> QWidget:
    """A multiple-choice card before the reveal: A-D or a click picks an option."""
    _to_mcq(ctx)
    return _shown(ctx, ctx.main)


def _welcome(ctx: Ctx, page: int) -> QWidget:
    from cehrs_cards.services.welcome import welcome_info
    from cehrs_cards.ui.welcome_dialog import WelcomeDialog

    dialog = WelcomeDialog(welcome_info(ctx.services.scheduling), ctx.main)
    dialog.show()
    if page:
        dialog.next_button.click()
    return _shown(ctx, dialog)


@screen("welcome")
def _welcome_plan(ctx: Ctx) -> QWidget:
    return _welcome(ctx, 0)


@screen("welcome-daily")
def _welcome_daily(ctx: Ctx) -> QWidget:
    return _welcome(ctx, 1)


@screen("summary")
def _summary(ctx: Ctx) -> QWidget:
    from cehrs_cards.core.records import SessionSummary

    summary = SessionSummary(reviewed=42, seconds=600)
    summary.by_rating.update({1: 5, 2: 4, 3: 30, 4: 3})
    ctx.main._on_reviewer_finished(summary)
    return _shown(ctx, ctx.main)


def _mcq_note_id(ctx: Ctx) -> int:
    """A multiple-choice note: the note type with the most fields."""
    for card in ctx.services.browse.search("", "created", False)[:400]:
        detail = ctx.services.notes.note_of_card(card)
        if "Stem" in detail.fields:
            return int(detail.note_id)
    raise LookupError("no multiple-choice note")


@screen("edit-note")
def _edit_note(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.dialogs import EditNoteDialog

    detail = ctx.services.notes.note(_mcq_note_id(ctx))
    return _shown(ctx, EditNoteDialog(detail, ctx.main))


@screen("settings")
def _settings(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.dialogs import SettingsDialog

    review = ctx.services.review
    dialog = SettingsDialog(review.settings, ctx.main, plan=review.plan())
    return _shown(ctx, dialog)


@screen("restore")
def _restore(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.backup_dialog import RestoreDialog

    return _shown(ctx, RestoreDialog(ctx.services.session.backups(), ctx.main))


@screen("about")
def _about(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.about_dialog import AboutDialog

    return _shown(ctx, AboutDialog(ctx.services.data_dir, ctx.main))


@screen("shortcuts")
def _shortcuts(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.main_window import shortcuts_box

    return _shown(ctx, shortcuts_box(ctx.main))


@screen("rescheduling")
def _rescheduling(ctx: Ctx) -> QWidget:
    jobs = ctx.main.scheduling
    dialog = jobs.progress_dialog("Rescheduling cards…")
    dialog.show()
    ctx.app.processEvents()
    return dialog


@screen("browser")
def _browser(ctx: Ctx) -> QWidget:
    win = ctx.main.browsing.open()
    settle(ctx.app)
    return win


@screen("add-note")
def _add_note(ctx: Ctx) -> QWidget:
    dialog = ctx.main.browsing.add_note()
    dialog.set_kind("mcq")
    settle(ctx.app)
    return dialog


def _browser_child(ctx: Ctx, make: Callable[[QWidget], QWidget]) -> QWidget:
    browser = ctx.main.browsing.open()
    settle(ctx.app)
    return _shown(ctx, make(browser))


@screen("card-info")
def _card_info(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.browser_info import CardInfoDialog

    browse = ctx.services.browse
    card = browse.search("-is:new", "created", False)[0]
    return _browser_child(ctx, lambda b: CardInfoDialog(browse.card_info(card), b))


@screen("leeches")
def _leeches(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.browser_info import LeechDialog

    threshold, found = ctx.services.browse.leeches()
    return _browser_child(ctx, lambda b: LeechDialog(threshold, found, b))


@screen("change-deck")
def _change_deck(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui import browser_dialogs as dialogs

    decks = ctx.services.browse.sidebar().decks
    return _browser_child(ctx, lambda b: dialogs.ask_deck(decks, decks[0], 12, b))


@screen("change-domain")
def _change_domain(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui import browser_dialogs as dialogs

    return _browser_child(ctx, lambda b: dialogs.ask_domain(2, 12, b))


@screen("set-due")
def _set_due(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui import browser_dialogs as dialogs

    return _browser_child(ctx, lambda b: dialogs.ask_due(12, b))


@screen("add-tags")
def _add_tags(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui import browser_dialogs as dialogs

    hint = "Space-separated; applies to the notes of the selected cards."
    return _browser_child(ctx, lambda b: dialogs.ask_text("Add tags", "Tags", hint, b))


@screen("find-replace")
def _find_replace(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.browser_dialogs import FindReplaceDialog

    return _browser_child(ctx, lambda b: FindReplaceDialog(["Front", "Back", "Text"], 12, b))


@screen("search-help")
def _search_help(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.browser_actions import search_help_box

    return _browser_child(ctx, search_help_box)


@screen("mock-start")
def _mock_start(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.exam_dialogs import MockStartDialog

    return _shown(ctx, MockStartDialog(ctx.services.exams.options(), ctx.main))


@screen("practice")
def _practice(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.exam_dialogs import PracticeDialog

    catalog = ctx.services.exams.block_catalog()
    return _shown(ctx, PracticeDialog(catalog, ctx.main))


def _open_attempt(ctx: Ctx, att: Attempt) -> QWidget:
    win = ctx.main.exam_launcher.open_attempt(att)
    settle(ctx.app)
    return win


def _mock(ctx: Ctx, answered: int = 23, **opts: bool) -> Attempt:
    exams = ctx.services.exams
    att = exams.start_mock(seed=42, opts=ExamOptions(**opts)).value
    for i in range(answered):
        exams.goto(att, i)
        exams.select(att, att.slots[i].item.answer if i % 4 else (att.slots[i].item.answer + 1) % 4)
    exams.goto(att, answered)
    for i in (4, 17):
        att.slots[i].flagged = True
    return att


@screen("exam")
def _exam(ctx: Ctx) -> QWidget:
    return _open_attempt(ctx, _mock(ctx, allow_pause=True, allow_strike=True))


@screen("exam-review")
def _exam_review(ctx: Ctx) -> QWidget:
    win = _open_attempt(ctx, _mock(ctx))
    win.show_review()
    settle(ctx.app)
    return win


@screen("exam-submit")
def _exam_submit(ctx: Ctx) -> QWidget:
    win = _open_attempt(ctx, _mock(ctx))
    win.show_review()
    win.confirm_submit()
    settle(ctx.app)
    return win.confirm_box


@screen("exam-leave")
def _exam_leave(ctx: Ctx) -> QWidget:
    win = _open_attempt(ctx, _mock(ctx))
    win.close()  # asks first
    settle(ctx.app)
    return win.leave_box


@screen("exam-results")
def _exam_results(ctx: Ctx) -> QWidget:
    exams = ctx.services.exams
    last = exams.history()[-1]
    return _open_attempt(ctx, exams.load(last.attempt_id))


@screen("exam-tutor")
def _exam_tutor(ctx: Ctx) -> QWidget:
    exams = ctx.services.exams
    block = exams.start_block(BlockSpec(domains=(3,), size=5, mode=TUTOR), seed=3).value
    exams.select(block, (block.slots[0].item.answer + 1) % 4)
    return _open_attempt(ctx, block)


@screen("exam-history")
def _exam_history(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.exam_history import HistoryDialog

    return _shown(ctx, HistoryDialog(ctx.services.exams.history(), ctx.main))


@screen("resume")
def _resume(ctx: Ctx) -> QWidget:
    launcher = ctx.main.exam_launcher
    launcher._offer_box(_mock(ctx))
    settle(ctx.app)
    return launcher.resume_box


def _stats(ctx: Ctx, tab: int) -> QWidget:
    ctx.main.open_stats()
    win = ctx.main.stats_window
    settle(ctx.app, 120)
    win.tabs.setCurrentIndex(tab)
    settle(ctx.app)
    return win


@screen("stats-readiness")
def _stats_readiness(ctx: Ctx) -> QWidget:
    return _stats(ctx, 0)


@screen("stats-activity")
def _stats_activity(ctx: Ctx) -> QWidget:
    return _stats(ctx, 1)


@screen("stats-calibration")
def _stats_calibration(ctx: Ctx) -> QWidget:
    return _stats(ctx, 2)


def _package(ctx: Ctx) -> Path:
    path = ctx.work / "cehrs-export.apkg"
    if not path.exists():
        ctx.services.transfer.run_export(
            path, "CEHRS Cards deck::5 Reporting", None, scheduling=True
        )
    return path


@screen("import")
def _import(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.import_dialog import ImportDialog

    dialog = ImportDialog(ctx.services.transfer, ctx.runner, _package(ctx), ctx.main)
    return _shown(ctx, dialog)


@screen("import-csv")
def _import_csv(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.import_dialog import ImportDialog

    path = ctx.work / "my-notes.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    dialog = ImportDialog(ctx.services.transfer, ctx.runner, path, ctx.main)
    return _shown(ctx, dialog)


@screen("import-rules")
def _import_rules(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.rules_dialog import RulesDialog

    return _shown(ctx, RulesDialog(ctx.services.transfer, ctx.runner, ctx.main))


@screen("export")
def _export(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.export_dialog import ExportDialog

    dialog = ExportDialog(ctx.services.transfer, ctx.runner, ctx.work, ctx.main)
    return _shown(ctx, dialog)


@screen("export-replace")
def _export_replace(ctx: Ctx) -> QWidget:
    from cehrs_cards.ui.export_dialog import replace_box

    box, _replace = replace_box(_package(ctx), ctx.main)
    return _shown(ctx, box)
