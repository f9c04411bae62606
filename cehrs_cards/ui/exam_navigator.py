"""The navigator: one cell per question showing answered / unanswered / flagged / current.

Painted in one widget (not 125 buttons) so it redraws instantly; click a cell to go there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.ui.theme import colours


@dataclass(frozen=True)
class Cell:
    answered: bool
    flagged: bool


class NavigatorGrid(QWidget):
    """Grid of question numbers; emits sig_goto(index) when a cell is clicked."""

    sig_goto = Signal(int)

    def __init__(self, columns: int = 10, cell: int = 30, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.cell = cell
        self.gap = 4
        self.cells: list[Cell] = []
        self.current = -1
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Question navigator")
        self.setAccessibleDescription("Click a question to go to it; Ctrl+G asks for a number")

    def set_cells(self, cells: Sequence[Cell], current: int) -> None:
        resized = len(cells) != len(self.cells)
        self.cells, self.current = list(cells), current
        if resized:
            self.updateGeometry()
            self.adjustSize()
        self.update()

    def sizeHint(self) -> QSize:
        rows = max(1, (len(self.cells) + self.columns - 1) // self.columns)
        step = self.cell + self.gap
        return QSize(self.columns * step - self.gap + 2, rows * step - self.gap + 2)

    def _rect(self, i: int) -> QRect:
        step = self.cell + self.gap
        row, col = divmod(i, self.columns)
        return QRect(1 + col * step, 1 + row * step, self.cell, self.cell)

    def index_at(self, pos: QPoint) -> int | None:
        for i in range(len(self.cells)):
            if self._rect(i).contains(pos):
                return i
        return None

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        accent = pal.color(QPalette.ColorRole.Highlight)
        font = QFont(self.font())
        font.setPixelSize(max(9, self.cell * 2 // 5))
        p.setFont(font)
        for i, c in enumerate(self.cells):
            self._paint_cell(p, i, c, accent, pal)
        p.end()

    def _paint_cell(self, p: QPainter, i: int, c: Cell, accent: QColor, pal: QPalette) -> None:
        r = self._rect(i)
        fill = accent if c.answered else pal.color(QPalette.ColorRole.Base)
        text = (
            pal.color(QPalette.ColorRole.HighlightedText)
            if c.answered
            else pal.color(QPalette.ColorRole.Text)
        )
        border = QPen(pal.color(QPalette.ColorRole.Mid), 1)
        if i == self.current:
            border = QPen(pal.color(QPalette.ColorRole.Text), 2.5)
        p.setPen(border)
        p.setBrush(fill)
        p.drawRoundedRect(r.adjusted(1, 1, -1, -1), 4, 4)
        p.setPen(text)
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, str(i + 1))
        if c.flagged:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(colours().flags[1]))
            s = self.cell // 3
            p.drawPolygon([r.topRight() + QPoint(-s, 0), r.topRight(), r.topRight() + QPoint(0, s)])

    def mousePressEvent(self, event: QMouseEvent) -> None:
        i = self.index_at(event.position().toPoint())
        if i is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sig_goto.emit(i)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.index_at(event.position().toPoint())
        if i is None:
            QToolTip.hideText()
            return
        c = self.cells[i]
        state = ("answered" if c.answered else "unanswered") + (", flagged" if c.flagged else "")
        QToolTip.showText(event.globalPosition().toPoint(), f"Question {i + 1}: {state}", self)


def legend() -> QWidget:
    """A one-line key to the navigator's cells, drawn by the same painter."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    for cell, text in (
        (Cell(True, False), "answered"),
        (Cell(False, False), "unanswered"),
        (Cell(False, True), "flagged"),
    ):
        swatch = NavigatorGrid(columns=1, cell=18)
        swatch.set_cells([cell], -1)
        swatch.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        row.addWidget(swatch)
        row.addWidget(QLabel(text))
        row.addSpacing(8)
    row.addStretch(1)
    return box


def navigator_panel(grid: NavigatorGrid, title: str) -> QWidget:
    """Title, grid and legend, scrolling vertically when the window is short (a laptop
    screen at 150 % shows about 8 of the 13 rows of a mock)."""
    panel = QWidget()
    box = QVBoxLayout(panel)
    box.setContentsMargins(0, 0, 0, 0)
    head = QLabel(f"<b>{title}</b>")
    box.addWidget(head)
    box.addWidget(grid, 0, Qt.AlignmentFlag.AlignLeft)
    box.addWidget(legend())
    box.addStretch(1)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(panel)
    bar = area.verticalScrollBar()
    extent = bar.sizeHint().width() if bar is not None else 16
    area.setFixedWidth(max(panel.sizeHint().width(), grid.sizeHint().width()) + extent + 4)
    area.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
    return area
