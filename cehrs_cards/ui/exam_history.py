"""Mock and block history: a trend chart of estimated scaled scores (with their bands and the
390 line) and a table of every attempt; Enter or double-click reopens an attempt's results."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import PASSING_SCALED, SCALED_MAX, SCALED_MIN
from cehrs_cards.core.exam import MOCK, scaled_band
from cehrs_cards.services.exam_store import HistoryEntry
from cehrs_cards.ui.exam_results import clock_text
from cehrs_cards.ui.theme import colours
from cehrs_cards.ui.widgets import make_default, named
from cehrs_cards.ui.window_state import keep_geometry

TREND_WINDOW = 5


def trend_per_mock(scores: Sequence[float]) -> float | None:
    """Least-squares slope of the last TREND_WINDOW scores (points per mock); None if < 2."""
    ys = list(scores)[-TREND_WINDOW:]
    n = len(ys)
    if n < 2:
        return None
    mx, my = (n - 1) / 2, sum(ys) / n
    num = sum((x - mx) * (y - my) for x, y in enumerate(ys))
    return num / sum((x - mx) ** 2 for x in range(n))


class TrendChart(QWidget):
    """Estimated scaled score of each mock, oldest left, with its band and the passing line."""

    def __init__(self, mocks: Sequence[HistoryEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mocks = [m for m in mocks if m.scaled is not None]
        self.setMinimumSize(360, 170)
        self.setAccessibleName("Estimated scaled score of each mock")
        self.setAccessibleDescription(_trend_text(self.mocks))

    def _y(self, plot: QRectF, value: float) -> float:
        frac = (value - SCALED_MIN) / (SCALED_MAX - SCALED_MIN)
        return plot.bottom() - frac * plot.height()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        plot = QRectF(self.rect()).adjusted(44, 14, -14, -26)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        for v in (200, 300, 400, 500):
            y = self._y(plot, v)
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QRectF(0, y - 8, 38, 16), Qt.AlignmentFlag.AlignRight, str(v))
            p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        self._paint_pass_line(p, plot, pal)
        if not self.mocks:
            p.setPen(text)
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No mock exams yet")
        else:
            self._paint_points(p, plot, pal)
        p.end()

    def _paint_pass_line(self, p: QPainter, plot: QRectF, pal: QPalette) -> None:
        """The dashed 390 line, labelled just below it on a patch of background (the 400
        grid line is only a few pixels above, and would strike a label drawn there)."""
        y390 = self._y(plot, PASSING_SCALED)
        green = QColor(colours().right)
        p.setPen(QPen(green, 1.5, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(plot.left(), y390), QPointF(plot.right(), y390))
        label = f"{PASSING_SCALED} pass"
        fm = p.fontMetrics()
        box = QRectF(plot.left() + 4, y390 + 2, fm.horizontalAdvance(label) + 6, fm.height())
        p.fillRect(box, pal.color(QPalette.ColorRole.Window))
        p.setPen(green)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_points(self, p: QPainter, plot: QRectF, pal: QPalette) -> None:
        n = len(self.mocks)
        step = plot.width() / max(1, n)
        accent = pal.color(QPalette.ColorRole.Highlight)
        points = []
        for i, m in enumerate(self.mocks):
            assert m.scaled is not None
            x = plot.left() + step * (i + 0.5)
            lo, hi = scaled_band(m.correct, m.total)
            p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 3))
            p.drawLine(QPointF(x, self._y(plot, lo)), QPointF(x, self._y(plot, hi)))
            points.append(QPointF(x, self._y(plot, m.scaled)))
            p.setPen(pal.color(QPalette.ColorRole.Text))
            label = QRectF(x - step / 2, plot.bottom() + 4, step, 18)
            p.drawText(label, Qt.AlignmentFlag.AlignCenter, f"#{i + 1}")
        p.setPen(QPen(accent, 2))
        for a, b in itertools.pairwise(points):
            p.drawLine(a, b)
        p.setBrush(accent)
        for pt in points:
            p.drawEllipse(pt, 4, 4)


class HistoryDialog(QDialog):
    sig_open = Signal(int)  # attempt id whose results to show

    def __init__(self, entries: Sequence[HistoryEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Exam history")
        self.entries = list(reversed(entries))  # newest first in the table
        mocks = [e for e in entries if e.kind == MOCK]
        self.chart = TrendChart(mocks)
        self.trend = QLabel(_trend_text(mocks))
        self.trend.setObjectName("historyTrend")
        self.table = named(QTableWidget(len(self.entries), 7), "Every attempt, newest first")
        self.table.setHorizontalHeaderLabels(
            ["Date", "Kind", "Questions", "Score", "Percent", "Scaled (est.)", "Time used"]
        )
        for r, e in enumerate(self.entries):
            for c, text in enumerate(_row(e)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda idx: self._open(idx.row()))
        if self.entries:
            self.table.selectRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("Show results", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setEnabled(bool(self.entries))
        self.open_button.clicked.connect(lambda: self._open(self.table.currentRow()))
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(QLabel("<b>Mock exams: estimated scaled score</b> (bars show the band)"))
        box.addWidget(self.chart)
        box.addWidget(self.trend)
        box.addWidget(self.table, 1)
        box.addWidget(QLabel("Enter shows the selected attempt's results · Esc closes"))
        box.addWidget(buttons)
        make_default(self.open_button)
        keep_geometry(self, "exam-history", QSize(760, 620))

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            self.sig_open.emit(self.entries[row].attempt_id)


def _row(e: HistoryEntry) -> list[str]:
    kind = "Mock exam" if e.kind == MOCK else f"Block ({e.mode})"
    if e.kind == MOCK and not e.diagnostic:
        kind += " (not a clean diagnostic)"
    scaled = f"≈ {e.scaled:.0f}" if e.scaled is not None else "—"
    when = e.started.astimezone().strftime("%Y-%m-%d %H:%M")
    return [
        when,
        kind,
        str(e.items),
        f"{e.correct} / {e.total}",
        f"{e.percent:.0f}%",
        scaled,
        clock_text(e.seconds_used),
    ]


def _trend_text(mocks: Sequence[HistoryEntry]) -> str:
    scores = [m.scaled for m in mocks if m.scaled is not None]
    slope = trend_per_mock(scores)
    if slope is None:
        return "Take two or more mocks to see a trend."
    n = min(len(scores), TREND_WINDOW)
    return (
        f"Trend: {slope:+.0f} scaled points per mock over the last {n} mocks "
        f"(latest ≈ {scores[-1]:.0f}; estimates, see the assumption on each result)."
    )
