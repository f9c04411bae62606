"""Composition root of the GUI: the one place that knows every service and view."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from cehrs_cards.services.bundled import load_bundled_if_first_run
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.notes import NotesService
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.undo import UndoStack
from cehrs_cards.ui.main_window import MainWindow
from cehrs_cards.ui.theme import apply_theme, wants_dark


def build_main_window(col: Collection, app: QApplication) -> MainWindow:
    """Services and views wired together for one open collection."""
    undo = UndoStack(col)
    review = ReviewService(col, undo)
    apply_theme(app, wants_dark(app, review.settings.theme))
    window = MainWindow(review, NotesService(col, undo), undo)

    def follow_system(_scheme: Qt.ColorScheme) -> None:
        if review.settings.theme == "system":
            dark = wants_dark(app, "system")
            apply_theme(app, dark)
            window.reviewer.set_dark(dark)

    app.styleHints().colorSchemeChanged.connect(follow_system)
    return window


def run_gui(data_dir: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("CEHRS Cards")
    try:
        col = Collection(data_dir)
        load_bundled_if_first_run(col)
    except Exception as exc:
        QMessageBox.critical(
            None, "CEHRS Cards", f"The collection in {data_dir} could not be opened:\n\n{exc}"
        )
        return 1
    window = build_main_window(col, app)
    window.show()
    return app.exec()
