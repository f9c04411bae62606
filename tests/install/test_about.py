"""Help > About: version, licences, notices for every shipped library, the data folder."""

from __future__ import annotations

import importlib.metadata as md
import re

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from cehrs_cards import __version__
from cehrs_cards.ui.about_dialog import NOTICES, AboutDialog, app_icon


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions() -> set[str]:
    """cehrs-cards' installed dependency tree (no extras), normalised names."""
    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = ["cehrs-cards"]
    while todo:
        name = _norm(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for raw in md.distribution(name).requires or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen - {"cehrs-cards"}


def test_the_notices_name_every_library_the_app_ships():
    listed = {_norm(n.distribution) for n in NOTICES if n.distribution}
    assert runtime_distributions() <= listed


@pytest.fixture
def about(qtbot, tmp_path):
    dialog = AboutDialog(tmp_path / "my data")
    qtbot.addWidget(dialog)
    return dialog


def test_about_shows_version_licences_notices_and_the_data_folder(about, tmp_path):
    shown = about.title.text() + about.notices.toPlainText() + about.folder.text()
    shown += " ".join(label.text() for label in about.findChildren(type(about.title)))
    assert f"Version {__version__}" in shown
    assert "MIT" in shown and "CC BY 4.0" in shown
    assert "GNU Lesser General Public License version 3" in shown
    assert "_internal/PySide6/" in shown and "Contents/Frameworks/PySide6/" in shown
    for notice in NOTICES:
        assert notice.name in shown and notice.licence in shown
    assert md.version("fsrs") in about.notices.toPlainText()
    assert str(tmp_path / "my data") in about.folder.text()


class _FileUrls(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


def test_open_data_folder_asks_the_desktop_to_open_that_folder(about, qtbot, tmp_path):
    handler = _FileUrls()  # Qt's own hook for file: URLs, instead of a real file manager
    QDesktopServices.setUrlHandler("file", handler, "open")
    try:
        qtbot.mouseClick(about.open_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in handler.opened] == [str(tmp_path / "my data")]


def test_help_about_opens_the_dialog_and_the_window_has_the_icon(qtbot, mini_col):
    from tests.ops_helpers import make_main_window

    window = make_main_window(qtbot, mini_col)
    about = next(a for a in window.findChildren(type(window.undo_action)) if a.text() == "&About")
    about.trigger()
    dialogs = window.findChildren(AboutDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    assert dialogs[0].data_dir == mini_col.data_dir
    dialogs[0].close()
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
