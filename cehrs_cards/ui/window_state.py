"""Windows that fit the screen and remember where they were; the text zoom, remembered.

Every window and dialog opens inside the available geometry of its screen (a laptop's 1366x768,
less its panel, or the same at 150 % scaling): at its remembered size and place if that still
fits, else at its preferred size shrunk to the screen, centred. Layouts reflow or scroll, so a
window never needs more than the screen. The memory is a small INI file in the data folder
(ui-state.ini, set by the composition root); until then it lives in memory only, so tests and
scripts never write to the user's settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QObject,
    QRect,
    QSettings,
    QSize,
    QTimer,
)
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

STATE_FILE = "ui-state.ini"
MARGIN = 0.96
"""Share of the available width and height a window may take when it is first opened."""
FRAME_GUESS = QSize(8, 36)
WATCHED = (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.Close)


class Store:
    """Key -> value memory: an INI file once `use_file` was called, else a dict."""

    def __init__(self) -> None:
        self.settings: QSettings | None = None
        self.memory: dict[str, object] = {}

    def use_file(self, path: Path | None) -> None:
        self.settings = QSettings(str(path), QSettings.Format.IniFormat) if path else None
        self.memory = {}

    def get(self, key: str) -> object:
        if self.settings is not None:
            return self.settings.value(key)
        return self.memory.get(key)

    def put(self, key: str, value: object) -> None:
        if self.settings is not None:
            self.settings.setValue(key, value)
        else:
            self.memory[key] = value

    def sync(self) -> None:
        if self.settings is not None:
            self.settings.sync()


STORE = Store()


def use_data_dir(data_dir: Path | None) -> None:
    """Remember window places and the zoom in this data folder (None: in memory only)."""
    STORE.use_file(data_dir / STATE_FILE if data_dir is not None else None)


def screen_of(widget: QWidget) -> QScreen:
    """The screen the window is (or will be) on: its parent's, else the primary one."""
    parent = widget.parentWidget()
    window = parent.window() if parent is not None else widget
    screen = window.screen() if window is not None else None
    primary = QGuiApplication.primaryScreen()
    chosen = screen or primary
    assert chosen is not None, "no screen"
    return chosen


def available(widget: QWidget) -> QRect:
    return screen_of(widget).availableGeometry()


def frame_extra(widget: QWidget) -> QSize:
    """What the window manager's frame adds to the window (title bar, borders); before the
    frame is known, a generous guess."""
    frame, inner = widget.frameGeometry(), widget.geometry()
    known = QSize(frame.width() - inner.width(), frame.height() - inner.height())
    return known if known.height() > 0 else FRAME_GUESS


def fitted_size(widget: QWidget, preferred: QSize) -> QSize:
    """`preferred` shrunk to the screen (frame included), never below what the layout needs
    if that fits."""
    room = available(widget).size() - frame_extra(widget)
    most = QSize(int(room.width() * MARGIN), int(room.height() * MARGIN))
    size = preferred.boundedTo(most)
    return size.expandedTo(widget.minimumSizeHint().boundedTo(room))


def centre(widget: QWidget) -> None:
    """Centre the window on its screen's available area (over its parent if it has one)."""
    area = available(widget)
    parent = widget.parentWidget()
    middle = parent.window().frameGeometry().center() if parent is not None else area.center()
    frame = widget.frameGeometry()
    frame.moveCenter(middle)
    widget.move(clamp(frame, area).topLeft())


def clamp(frame: QRect, area: QRect) -> QRect:
    """`frame` moved (not resized) so that as much of it as possible lies inside `area`."""
    out = QRect(frame)
    if out.right() > area.right():
        out.moveRight(area.right())
    if out.bottom() > area.bottom():
        out.moveBottom(area.bottom())
    if out.left() < area.left():
        out.moveLeft(area.left())
    if out.top() < area.top():
        out.moveTop(area.top())
    return out


def inside_screen(widget: QWidget) -> bool:
    return available(widget).contains(widget.frameGeometry())


class GeometryKeeper(QObject):
    """Restores a window's remembered geometry when it is shown (or fits it to the screen),
    and remembers it when it is hidden or closed."""

    def __init__(self, window: QWidget, key: str, preferred: QSize) -> None:
        # Not the window's child: a filter destroyed with the window it watches would be
        # called mid-destruction. The application owns it; it goes when the window does.
        super().__init__(QCoreApplication.instance())
        self.window = window
        window.destroyed.connect(self.deleteLater)
        self.key = f"geometry/{key}"
        self.preferred = preferred
        self.placed = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in WATCHED:
            return False
        if watched is self.window and kind == QEvent.Type.Show and not self.placed:
            self.placed = True
            self.place()
        elif watched is self.window and kind in (QEvent.Type.Hide, QEvent.Type.Close):
            self.remember()
        return False

    def place(self) -> None:
        saved = STORE.get(self.key)
        restored = isinstance(saved, QByteArray | bytes) and self.window.restoreGeometry(
            QByteArray(saved)
        )
        if not restored or not inside_screen(self.window):
            self.fit(self.preferred)
        QTimer.singleShot(0, self.check)  # once the frame is known, it must fit too

    def fit(self, preferred: QSize) -> None:
        self.window.resize(fitted_size(self.window, preferred))
        centre(self.window)

    def check(self) -> None:
        if self.window.isVisible() and not inside_screen(self.window):
            self.fit(self.window.size())

    def remember(self) -> None:
        if self.placed:
            STORE.put(self.key, self.window.saveGeometry())
            STORE.sync()


def keep_geometry(window: QWidget, key: str, preferred: QSize) -> GeometryKeeper:
    """Make `window` open inside the screen at `preferred` size (or where it was last)."""
    return GeometryKeeper(window, key, preferred)
