"""Zoom of card, question and explanation text: Ctrl+= (or Ctrl++) larger, Ctrl+- smaller,
Ctrl+0 back to 100 %. One factor for the review screen and the exam windows, remembered
across starts (in the data folder's ui-state.ini, see window_state)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from cehrs_cards.ui.window_state import STORE

KEY = "zoom/text"
STEPS = (0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0)
ZOOM_IN = ("Ctrl+=", "Ctrl++", "Ctrl+Shift+=")
ZOOM_OUT = ("Ctrl+-",)
ZOOM_RESET = ("Ctrl+0",)


class TextZoom(QObject):
    sig_changed = Signal(float)  # the new factor

    def factor(self) -> float:
        """The remembered factor (1.0 when none was remembered, or it is unreadable)."""
        try:
            value = float(str(STORE.get(KEY) or 1.0))
        except ValueError:
            return 1.0
        return min(STEPS, key=lambda s: abs(s - value))

    def set_factor(self, factor: float) -> None:
        if factor != self.factor() or STORE.get(KEY) is None:
            STORE.put(KEY, factor)
            STORE.sync()
            self.sig_changed.emit(factor)

    def step(self, direction: int) -> None:
        """One step larger (+1) or smaller (-1), within STEPS."""
        i = STEPS.index(self.factor()) + direction
        self.set_factor(STEPS[min(max(i, 0), len(STEPS) - 1)])

    def zoom_in(self) -> None:
        self.step(+1)

    def zoom_out(self) -> None:
        self.step(-1)

    def reset(self) -> None:
        self.set_factor(1.0)


_zoom: TextZoom | None = None


def text_zoom() -> TextZoom:
    """The app's one text zoom (made with the first call, on the UI thread)."""
    global _zoom
    if _zoom is None:
        _zoom = TextZoom()
    return _zoom


def add_zoom_keys(widget: QWidget) -> None:
    """The zoom keys, active while `widget` or one of its children has the focus."""
    zoom = text_zoom()
    for keys, slot in (
        (ZOOM_IN, zoom.zoom_in),
        (ZOOM_OUT, zoom.zoom_out),
        (ZOOM_RESET, zoom.reset),
    ):
        for key in keys:
            shortcut = QShortcut(QKeySequence(key), widget)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
