"""The review screen before submitting: counts, the full navigator, review flagged or unanswered
items, and submit (which asks for confirmation)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cehrs_cards.ui.exam_navigator import Cell, NavigatorGrid, legend
from cehrs_cards.ui.theme import colours
from cehrs_cards.ui.widgets import scrolled


class ReviewPage(QWidget):
    sig_goto = Signal(int)
    sig_back = Signal()
    sig_all = Signal()
    sig_flagged = Signal()
    sig_unanswered = Signal()
    sig_submit = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.title = QLabel("<h2>Review your answers</h2>")
        self.clock = QLabel()
        self.clock.setObjectName("examClock")
        self.counts = QLabel()
        self.counts.setObjectName("reviewCounts")
        self.counts.setStyleSheet("font-size: 15px;")
        note = QLabel(
            "Click a question to go to it. You can change any answer until you submit; "
            "unanswered questions count as wrong."
        )
        note.setWordWrap(True)
        self.grid = NavigatorGrid(columns=13, cell=34)
        self.grid.sig_goto.connect(self.sig_goto.emit)
        self.buttons: dict[str, QPushButton] = {}
        self._build(note)
        self._shortcuts()

    def _build(self, note: QLabel) -> None:
        specs: list[tuple[str, str, Callable[[], None]]] = [
            ("back", "Back to the question (Esc)", self.sig_back.emit),
            ("all", "Review all from the start (A)", self.sig_all.emit),
            ("flagged", "Review flagged (F)", self.sig_flagged.emit),
            ("unanswered", "Review unanswered (U)", self.sig_unanswered.emit),
            ("submit", "Submit exam… (S)", self.sig_submit.emit),
        ]
        grid = QGridLayout()
        for i, (key, text, slot) in enumerate(specs):
            b = QPushButton(text)
            b.setMinimumHeight(40)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            self.buttons[key] = b
            grid.addWidget(b, i // 2, i % 2)
        self.buttons["submit"].setStyleSheet(
            "QPushButton { font-weight: bold; border: 2px solid palette(highlight);"
            " border-radius: 6px; padding: 6px; }"
        )
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.clock)
        middle = QVBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(self.counts)
        middle.addWidget(note)
        middle.addSpacing(8)
        middle.addWidget(self.grid, 0, Qt.AlignmentFlag.AlignHCenter)
        middle.addWidget(legend(), 0, Qt.AlignmentFlag.AlignHCenter)
        middle.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 16, 24, 16)
        box.addLayout(top)
        box.addWidget(scrolled(middle), 1)  # the buttons below stay in view on a short screen
        box.addLayout(grid)

    def _shortcuts(self) -> None:
        keys = {
            "Escape": self.sig_back.emit,
            "Backspace": self.sig_back.emit,
            "A": self.sig_all.emit,
            "F": self.sig_flagged.emit,
            "U": self.sig_unanswered.emit,
            "S": self.sig_submit.emit,
        }
        for key, slot in keys.items():
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    def show_cells(self, cells: Sequence[Cell], current: int) -> None:
        answered = sum(c.answered for c in cells)
        flagged = sum(c.flagged for c in cells)
        unanswered = len(cells) - answered
        warn = f"color:{colours().error};" if unanswered else ""
        self.counts.setText(
            f"<b>{answered}</b> answered · <b style='{warn}'>{unanswered}</b> unanswered · "
            f"<b>{flagged}</b> flagged · {len(cells)} questions"
        )
        self.buttons["flagged"].setEnabled(flagged > 0)
        self.buttons["unanswered"].setEnabled(unanswered > 0)
        self.grid.set_cells(cells, current)

    def set_clock(self, text: str, warn: bool) -> None:
        colour = colours().error if warn else "palette(text)"
        self.clock.setStyleSheet(f"font-size: 16px; font-weight: bold; color: {colour};")
        self.clock.setText(text)
