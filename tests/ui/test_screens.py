"""Every window and dialog on a laptop's screen (issue 16): it fits at 1366x768, 1280x720 and
1024x640, and at 1366x768 with 150 % scaling; Enter does what the screen says; every control
has a name for screen readers and shows when it has the keyboard focus.

The screen size of Qt's offscreen platform is fixed per process, so the fit test runs
tests/ui/fit_check.py in a subprocess per size; the other tests walk the same screens
(tests/ui/screens.py) in this process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QTextEdit,
    QWidget,
)

from tests.ui import screens
from tests.ui.fit_check import screen_config

ROOT = Path(__file__).parents[2]
GEOMETRIES = [(1366, 768, 1.0), (1280, 720, 1.0), (1024, 640, 1.0), (1366, 768, 1.5)]
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTextEdit,
    QPlainTextEdit,
    QTabBar,
)


@pytest.fixture(scope="module")
def studied(tmp_path_factory) -> tuple[Path, str]:
    """The screens' collection, built once: (folder, the moment it stands at)."""
    data = tmp_path_factory.mktemp("screens") / "data"
    return data, screens.build_collection(data).isoformat()


@pytest.mark.slow
@pytest.mark.parametrize("width,height,scale", GEOMETRIES, ids=lambda g: str(g))
def test_every_window_fits_the_screen(studied, tmp_path, width, height, scale):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(screen_config(width, height)))
    report = tmp_path / "report.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": str(scale),
    }
    data, now = studied
    args = [sys.executable, "-m", "tests.ui.fit_check", str(data), now, str(tmp_path), str(report)]
    run = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(report.read_text())
    available = result["screen"]
    assert available[2:] == [round(width / scale), round(height / scale)] or scale != 1.0
    opened = result["screens"]
    assert set(opened) == set(screens.SCREENS)
    bad = {name: r["problems"] for name, r in opened.items() if r["problems"]}
    assert bad == {}


# ----- in this process ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def ctx(studied, tmp_path_factory, qapp):
    data, now = studied
    from datetime import datetime

    work = tmp_path_factory.mktemp("work")
    copy = screens.copy_collection(data, work / "data")
    opened = screens.open_app(qapp, copy, datetime.fromisoformat(now), work)
    yield opened
    screens.close_app(opened)
    screens.settle(qapp)


def _open(ctx, name: str) -> QWidget:
    window = screens.SCREENS[name](ctx)
    window.raise_()
    window.activateWindow()
    screens.settle(ctx.app)
    return window


def _controls(window: QWidget) -> list[QWidget]:
    return [
        w
        for w in window.findChildren(QWidget)
        if isinstance(w, INTERACTIVE) and w.isVisible() and w.window() is window
    ]


def _name(w: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(w)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def test_every_control_has_a_name_for_screen_readers(ctx):
    """What a screen reader announces (Qt's accessibility interface: the accessible name, a
    button's text, a label's buddy): never nothing."""
    nameless = {}
    for name in screens.SCREENS:
        window = _open(ctx, name)
        missing = [
            f"{type(w).__name__} {w.objectName()}"
            for w in _controls(window)
            if not _name(w) and not _is_internal(w)
        ]
        if missing:
            nameless[name] = missing
        screens.close(ctx, window)
    assert nameless == {}


def _is_internal(w: QWidget) -> bool:
    """Parts Qt makes inside other controls (a combo box's line edit, a spin box's editor,
    a scroll area's bars, a table's corner button): the outer control carries the name."""
    parent = w.parentWidget()
    inside = isinstance(parent, QComboBox | QAbstractSpinBox)
    header = isinstance(w, QHeaderView)  # a table's column titles; the table has the name
    return inside or header or w.objectName().startswith("qt_")


def test_the_custom_exam_controls_have_names(ctx):
    win = _open(ctx, "exam")
    assert _name(win.question.grid) == "Question navigator"
    assert _name(win.question.options[0]).startswith("Option A: ")
    screens.close(ctx, win)


def test_every_focusable_control_shows_its_focus(ctx):
    """A control looks different with the keyboard focus than without it."""
    unseen = {}
    for name in screens.SCREENS:
        window = _open(ctx, name)
        hidden = [
            f"{type(w).__name__} {_name(w)!r}"
            for w in _controls(window)
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.isEnabled()
            and not _is_internal(w)
            and not _focus_shows(ctx.app, w)
        ]
        if hidden:
            unseen[name] = hidden
        screens.close(ctx, window)
    assert unseen == {}


def _focus_shows(app: QApplication, w: QWidget) -> bool:
    """Compare the control with and without the focus, as a keyboard user sees it (Qt's
    styles draw some focus frames only after a key moved the focus: one Tab first)."""
    window = w.window()
    window.activateWindow()
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_Tab)
    w.clearFocus()
    app.processEvents()
    without = w.grab().toImage()
    w.setFocus(Qt.FocusReason.TabFocusReason)
    app.processEvents()
    inside = w.hasFocus() or w.isAncestorOf(QApplication.focusWidget())  # a cell's combo
    shown = inside and w.grab().toImage() != without
    w.clearFocus()
    return shown


# ----- keys ---------------------------------------------------------------------------------
HINT = re.compile(r"(?<!\+)\bEnter (\w+)")


def _default_button(window: QWidget) -> QPushButton | None:
    if isinstance(window, QMessageBox):
        return window.defaultButton()
    found = [b for b in window.findChildren(QPushButton) if b.isDefault() and b.isVisible()]
    assert len(found) <= 1, [b.text() for b in found]
    return found[0] if found else None


def _hints(window: QWidget) -> list[str]:
    found = [*window.findChildren(QLabel), *window.findChildren(QPushButton)]
    texts = [w.text() for w in found if w.isVisible()]
    return [m.group(1) for t in texts for m in HINT.finditer(t)]


def test_every_dialog_s_enter_hint_names_its_default_button(ctx):
    """Wherever a dialog says "Enter does X", the default button is X, and it stays the
    default whichever field or box has the focus (a button only takes Enter while it has the
    focus itself)."""
    checked = []
    for name in screens.SCREENS:
        window = _open(ctx, name)
        if isinstance(window, QDialog) and not isinstance(window, QMessageBox):
            for verb in _hints(window):
                stem = verb.lower().removesuffix("s")
                for w in _controls(window):
                    if isinstance(w, QPushButton) or not w.isEnabled():
                        continue
                    w.setFocus()
                    ctx.app.processEvents()
                    default = _default_button(window)
                    text = default.text().replace("&", "").lower() if default else None
                    assert text and stem in text, (name, verb, type(w).__name__, text)
                checked.append((name, verb))
        screens.close(ctx, window)
    hinted = {name for name, _verb in checked}
    assert {"mock-start", "practice", "import", "export", "exam-history"} <= hinted


def test_esc_closes_every_dialog(ctx):
    """Esc cancels (nothing was typed in these, so nothing is asked first)."""
    still_open = []
    for name in screens.SCREENS:
        window = _open(ctx, name)
        if isinstance(window, QDialog):
            QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_Escape)
            screens.settle(ctx.app)
            if window.isVisible():
                still_open.append(name)
        screens.close(ctx, window)
    assert still_open == []


def test_destructive_questions_default_to_the_safe_answer(ctx):
    expected = {
        "exam-submit": "Keep working",
        "exam-leave": "Stay",
        "export-replace": "Cancel",
    }
    for name, safe in expected.items():
        box = _open(ctx, name)
        assert isinstance(box, QMessageBox)
        assert box.defaultButton().text().replace("&", "") == safe
        assert box.escapeButton().text().replace("&", "") == safe
        screens.close(ctx, box)
