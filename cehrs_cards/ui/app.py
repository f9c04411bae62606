"""Composition root of the GUI: the one place that knows every service and view."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from cehrs_cards.services import backup
from cehrs_cards.services.bundled import BundledDeckMissingError, load_bundled_if_first_run
from cehrs_cards.services.collection import (
    Collection,
    CorruptCollectionError,
    MissingCollectionError,
    ReadOnlyCollectionError,
    needs_upgrade,
    set_aside_empty,
)
from cehrs_cards.services.container import build_services
from cehrs_cards.services.lock import CollectionInUseError
from cehrs_cards.services.records import SchemaTooNewError
from cehrs_cards.ui.about_dialog import APP_ID, app_icon
from cehrs_cards.ui.main_window import MainWindow
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.outcome_dialog import OutcomeAsker
from cehrs_cards.ui.safe_html import message
from cehrs_cards.ui.theme import apply_theme, wants_dark
from cehrs_cards.ui.window_state import use_data_dir

BACKUP_CHECK_MS = 5 * 60 * 1000


def build_main_window(col: Collection, app: QApplication) -> MainWindow:
    """The composition root: every service of the collection, one operation runner, and the
    window that hands each view the services it needs."""
    services = build_services(col)
    use_data_dir(col.data_dir)  # window places and the text zoom are remembered there
    theme = services.review.settings.theme
    dark = wants_dark(app, theme)
    apply_theme(app, dark)
    runner = OpRunner()
    window = MainWindow(services, runner, dark)
    runner.setParent(window)
    window.settings = services.review.settings

    def follow_system(_scheme: Qt.ColorScheme) -> None:
        if window.settings is not None and window.settings.theme == "system":
            apply_theme(app, wants_dark(app, "system"))

    app.styleHints().colorSchemeChanged.connect(follow_system)
    return window


class Shell(QObject):
    """Opens the collection (recovering from a damaged file), shows the window, backs up.

    A QObject so that worker results arrive as queued calls on the UI thread.
    """

    def __init__(self, app: QApplication, data_dir: Path) -> None:
        super().__init__()
        self.app = app
        self.data_dir = data_dir
        self.window: MainWindow | None = None
        self.timer = QTimer()
        self.timer.setInterval(BACKUP_CHECK_MS)
        self.timer.timeout.connect(self._on_timer_timeout)

    def open(self) -> bool:
        col = self._open_collection()
        if col is None:
            return False
        self._show(col)
        return True

    def _show(self, col: Collection) -> None:
        try:
            self.window = build_main_window(col, self.app)
        except Exception:
            if col.is_intact():
                raise
            col.close()
            restored = self._offer_restore(self._damaged_text())
            if restored is not None:
                self._show(restored)
            return
        self.window.sig_restore.connect(self._on_window_restore)
        self.window.show()
        QTimer.singleShot(0, self._offer_resume)  # unfinished mock?
        QTimer.singleShot(0, self._offer_welcome)  # a collection nobody has studied yet?
        asker = OutcomeAsker(self.window.services.outcome, self.window.runner, self.window)
        QTimer.singleShot(0, asker.check)  # the exam date has passed: how did it go?
        self.timer.start()
        self._check_in_background(col)
        self._pack_backups()  # the last session's closing backup, one taken before an import

    def _offer_resume(self) -> None:
        """On the window shown now: the one this was queued for may have been replaced (a
        damaged file restored) or closed meanwhile."""
        if self.window is not None and not self.window.closed:
            self.window.exam_launcher.offer_resume()

    def _offer_welcome(self) -> None:
        if self.window is not None and not self.window.closed:
            self.window.show_welcome(auto=True)

    def _check_in_background(self, col: Collection) -> None:
        """quick_check reads the whole file; do it after the window is up, not before (on the
        reader thread, so the first answers do not wait behind it)."""
        assert self.window is not None
        session = self.window.services.session
        self.window.runner.query(lambda _p: session.is_intact(), self._on_check_done, long=True)

    def _on_check_done(self, intact: bool) -> None:
        if intact or self.window is None:
            return
        old = self.window
        old.hide()
        old.close_collection(backup_first=False)
        self.window = None
        col = self._offer_restore(self._damaged_text())
        old.deleteLater()
        if col is not None:
            self._show(col)

    def _upgrade_notice(self) -> QLabel | None:
        """A note on screen while an older collection is brought up to date (once; about
        10 s for a million reviews), so the wait before the window is explained."""
        if not needs_upgrade(self.data_dir):
            return None
        notice = QLabel(
            "Updating your collection to this version of CEHRS Cards…\n"
            "This happens once; a large collection takes a few seconds. A backup is kept."
        )
        notice.setWindowTitle("CEHRS Cards")
        notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        notice.setMargin(24)
        notice.show()
        self.app.processEvents()
        return notice

    def _damaged_text(self) -> str:
        return (
            f"The collection file in {self.data_dir} is damaged (it fails SQLite's integrity "
            "check). It has not been changed."
        )

    def _open_collection(self, start_new: bool = False) -> Collection | None:
        notice = self._upgrade_notice()
        try:
            col = Collection(self.data_dir, full_check=False, start_new=start_new)
        except CollectionInUseError as exc:
            message(None, QMessageBox.Icon.Warning, "CEHRS Cards", str(exc))
            return None
        except SchemaTooNewError as exc:
            message(None, QMessageBox.Icon.Critical, "CEHRS Cards", str(exc))
            return None
        except ReadOnlyCollectionError as exc:
            message(None, QMessageBox.Icon.Critical, "CEHRS Cards", str(exc))
            return None
        except CorruptCollectionError as exc:
            return self._offer_restore(str(exc), isinstance(exc, MissingCollectionError))
        finally:
            if notice is not None:
                notice.close()
        try:
            load_bundled_if_first_run(col)
        except BundledDeckMissingError as exc:  # the user's own cards still open
            message(None, QMessageBox.Icon.Warning, "CEHRS Cards", str(exc))
        return col

    def _offer_restore(self, problem: str, missing: bool = False) -> Collection | None:
        """Offer the newest good backup; for a missing or empty collection, also (never by
        default) a new empty one. Nothing is deleted either way."""
        good = backup.newest_good_backup(self.data_dir)
        if good is not None:
            when = good.taken.astimezone().strftime("%a %d %b %Y %H:%M")
            yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
            text = f"{problem}\n\nRestore the newest good backup, from {when}?"
            if message(None, QMessageBox.Icon.Question, "CEHRS Cards", text, yes | no, yes) == yes:
                backup.restore(self.data_dir / "collection.sqlite", good.path, datetime.now(UTC))
                return self._open_collection()
        elif not missing:
            text = f"{problem}\n\nNo good backup was found."
            message(None, QMessageBox.Icon.Critical, "CEHRS Cards", text)
        return self._offer_new(problem if good is None else "", missing)

    def _offer_new(self, problem: str, missing: bool) -> Collection | None:
        if not missing:
            return None
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        lead = f"{problem}\n\nNo good backup was found.\n\n" if problem else ""
        text = (
            f"{lead}Start a new collection with the bundled deck instead? Your backups stay in "
            f"{backup.backup_dir(self.data_dir)}, and an empty collection file is kept aside."
        )
        if message(None, QMessageBox.Icon.Question, "CEHRS Cards", text, yes | no, no) != yes:
            return None
        set_aside_empty(self.data_dir, datetime.now(UTC))
        return self._open_collection(start_new=True)

    def _on_timer_timeout(self) -> None:
        if self.window is None or self.window.closed:
            return
        session = self.window.services.session
        if session.backup_due():
            self.window.runner.query(
                lambda _p: session.backup("timer"), lambda _b: self._pack_backups()
            )

    def _pack_backups(self) -> None:
        """Pack every plain backup with zstd, on the file thread (a second or so each for a
        large collection; the database jobs do not wait behind it)."""
        if self.window is None:
            return
        data_dir = self.data_dir
        self.window.runner.file_job(lambda _p: backup.compress_backups(data_dir))

    def _on_window_restore(self, chosen: backup.Backup) -> None:
        assert self.window is not None
        old = self.window
        now = datetime.now(UTC)
        # No closing backup: restore keeps the current file aside anyway, and a backup taken
        # now would rotate out a same-day backup, possibly the very one being restored.
        old.close_collection(backup_first=False)
        backup.restore(self.data_dir / "collection.sqlite", chosen.path, now)
        old.hide()
        old.deleteLater()
        self.open()


def run_gui(data_dir: Path, quit_after_start: bool = False) -> int:
    """The GUI's event loop. `quit_after_start` (packaging smoke test) prints "ready" once
    the window takes input, then closes it as a user would."""
    from cehrs_cards.ui.xcb_check import xcb_problem

    problem = xcb_problem()
    if problem:  # Qt would abort (exit 134) naming the wrong library
        print(problem, file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("CEHRS Cards")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    shell = Shell(app, data_dir)
    if not shell.open():
        return 1
    if quit_after_start:
        QTimer.singleShot(0, lambda: _ready_then_close(shell))
    code = app.exec()
    if shell.window is not None:
        shell.window.close_collection()  # waits for queued work: none may outlive the app
    return code


def _ready_then_close(shell: Shell) -> None:
    print("ready", flush=True)
    if shell.window is not None:
        shell.window.close()
