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
    QGridLayout,
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

    def set_columns(self, columns: int) -> None:
        """Lay the cells out in this many columns (a narrow window: fewer)."""
        if columns != self.columns:
            self.columns = columns
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
    """A key to the navigator's cells, drawn by the same painter: one line, or one entry a
    line beside a narrow grid (set_stacked)."""
    box = QWidget()
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setHorizontalSpacing(4)
    grid.setVerticalSpacing(2)
    for cell, text in (
        (Cell(True, False), "answered"),
        (Cell(False, False), "unanswered"),
        (Cell(False, True), "flagged"),
    ):
        swatch = NavigatorGrid(columns=1, cell=18)
        swatch.set_cells([cell], -1)
        swatch.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        label = QLabel(text)
        label.setContentsMargins(0, 0, 8, 0)
        grid.addWidget(swatch)
        grid.addWidget(label)
    _place(grid, stacked=False)
    return box


def _place(grid: QGridLayout, stacked: bool) -> None:
    """The legend's (swatch, label) pairs side by side, or one pair a row."""
    items = [grid.itemAt(i) for i in range(grid.count())]
    widgets = [w for item in items if item is not None and (w := item.widget()) is not None]
    for w in widgets:
        grid.removeWidget(w)
    for i, w in enumerate(widgets):
        pair, part = divmod(i, 2)
        row, col = (pair, part) if stacked else (0, 2 * pair + part)
        grid.addWidget(w, row, col, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    grid.setColumnStretch(grid.columnCount() - 1, 1)


def set_stacked(box: QWidget, stacked: bool) -> None:
    layout = box.layout()
    if isinstance(layout, QGridLayout):
        _place(layout, stacked)


class NavigatorPanel(QScrollArea):
    """Title, grid and legend, scrolling vertically when the window is short (a laptop
    screen at 150 % shows about 8 of the 13 rows of a mock); as wide as the grid's columns."""

    def __init__(self, grid: NavigatorGrid, title: str) -> None:
        super().__init__()
        self.grid = grid
        panel = QWidget()
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        head = QLabel(f"<b>{title}</b>")
        box.addWidget(head)
        box.addWidget(grid, 0, Qt.AlignmentFlag.AlignLeft)
        self.legend = legend()
        box.addWidget(self.legend)
        box.addStretch(1)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWidget(panel)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self._fit_width()

    def set_columns(self, columns: int) -> None:
        if columns != self.grid.columns:
            self.grid.set_columns(columns)
            set_stacked(self.legend, columns < 10)
            self._fit_width()

    def _fit_width(self) -> None:
        bar = self.verticalScrollBar()
        extent = bar.sizeHint().width() if bar is not None else 16
        wide = max(self.grid.sizeHint().width(), self.legend.minimumSizeHint().width())
        self.setFixedWidth(wide + extent + 4)
