"""Small charts painted with QPainter: bars (stacked or not), horizontal bars.

QtCharts lives in PySide6-Addons (about 200 MB more than the Essentials the app installs);
these few chart types need only QPainter. Colours come from the palette and the theme's named
colours (resolved when painted), so light and dark themes both read well and a theme switch
repaints them; hovering a bar shows its values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from cehrs_cards.ui.theme import named_colour

SERIES_COLOURS = tuple(f"series.{i}" for i in range(6))


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    """A theme colour name (see theme.named_colour) or #rrggbb."""
    values: Sequence[float]


def nice_step(top: float, ticks: int = 4) -> float:
    """A 1, 2 or 5 times a power of ten step giving about `ticks` gridlines up to `top`."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def fmt_number(v: float) -> str:
    """Axis labels: 1200 -> 1.2k, 3.0 -> 3, 0.25 -> 0.25."""
    if abs(v) >= 1000:
        return f"{v / 1000:.1f}k".replace(".0k", "k")
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


class Chart(QWidget):
    """Base chart: a title, an empty-state message and palette colours; subclasses paint."""

    MARGIN = 8

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.subtitle = ""
        self.empty_text = "Nothing to show yet."
        self.setMinimumHeight(190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(440, 230)

    def colour(self, role: QPalette.ColorRole) -> QColor:
        return self.palette().color(role)

    def muted(self) -> QColor:
        c = QColor(self.colour(QPalette.ColorRole.WindowText))
        c.setAlphaF(0.55)
        return c

    def grid(self) -> QColor:
        c = QColor(self.colour(QPalette.ColorRole.WindowText))
        c.setAlphaF(0.13)
        return c

    def is_empty(self) -> bool:
        return True

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.colour(QPalette.ColorRole.Base))
        body = self._paint_title(p)
        if self.is_empty():
            p.setPen(self.muted())
            p.drawText(
                body, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text
            )
        else:
            self.paint_plot(p, body)
        p.end()

    def _paint_title(self, p: QPainter) -> QRectF:
        m = self.MARGIN
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        p.setPen(self.colour(QPalette.ColorRole.WindowText))
        h = p.fontMetrics().height()
        p.drawText(QRectF(m + 4, m, self.width() - 2 * m, h), self.title)
        p.setFont(self.font())
        top = m + h + 2
        if self.subtitle:
            p.setPen(self.muted())
            sh = p.fontMetrics().height()
            p.drawText(QRectF(m + 4, top, self.width() - 2 * m, sh), self.subtitle)
            top += sh + 2
        return QRectF(m, top + 4, self.width() - 2 * m, self.height() - top - m - 4)

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        raise NotImplementedError


class BarChart(Chart):
    """Vertical bars over labelled slots; several series are stacked. Hover for values."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.labels: list[str] = []
        self.series: list[Series] = []
        self.value_format: Callable[[float], str] = fmt_number
        self.label_every = 0  # 0: choose from the width
        self.target: float | None = None
        self._plot = QRectF()

    def set_data(self, labels: Sequence[str], series: Sequence[Series]) -> None:
        self.labels, self.series = list(labels), list(series)
        self.update()

    def is_empty(self) -> bool:
        return not self.labels or not any(any(v for v in s.values) for s in self.series)

    def totals(self) -> list[float]:
        return [sum(s.values[i] for s in self.series) for i in range(len(self.labels))]

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        fm = p.fontMetrics()
        legend_h = fm.height() + 4 if len(self.series) > 1 else 0
        top_value = max(max(self.totals()), self.target or 0)
        step = nice_step(top_value)
        top = step * math.ceil(top_value / step) if top_value > 0 else 1.0
        axis_w = max(fm.horizontalAdvance(fmt_number(top)), fm.horizontalAdvance("0")) + 8
        plot = QRectF(
            area.left() + axis_w,
            area.top() + legend_h,
            area.width() - axis_w - 4,
            area.height() - legend_h - fm.height() - 6,
        )
        self._plot = plot
        self._paint_axis(p, plot, top, step)
        self._paint_bars(p, plot, top)
        self._paint_labels(p, plot)
        if legend_h:
            paint_legend(p, area.left() + axis_w, area.top(), self.series, self.muted())

    def _paint_axis(self, p: QPainter, plot: QRectF, top: float, step: float) -> None:
        fm = p.fontMetrics()
        v = 0.0
        while v <= top + 1e-9:
            y = plot.bottom() - plot.height() * v / top
            p.setPen(QPen(self.grid(), 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(self.muted())
            label = fmt_number(v)
            p.drawText(
                QPointF(plot.left() - fm.horizontalAdvance(label) - 5, y + fm.ascent() / 2 - 1),
                label,
            )
            v += step
        if self.target is not None:
            y = plot.bottom() - plot.height() * self.target / top
            p.setPen(QPen(self.colour(QPalette.ColorRole.WindowText), 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))

    def _paint_bars(self, p: QPainter, plot: QRectF, top: float) -> None:
        n = len(self.labels)
        slot = plot.width() / n
        gap = min(4.0, slot * 0.2)
        p.setPen(Qt.PenStyle.NoPen)
        for i in range(n):
            base = plot.bottom()
            for s in self.series:
                h = plot.height() * s.values[i] / top
                if h > 0:
                    p.setBrush(named_colour(s.colour))
                    p.drawRect(QRectF(plot.left() + i * slot + gap / 2, base - h, slot - gap, h))
                    base -= h

    def _paint_labels(self, p: QPainter, plot: QRectF) -> None:
        fm = p.fontMetrics()
        n = len(self.labels)
        slot = plot.width() / n
        widest = max(fm.horizontalAdvance(lb) for lb in self.labels) + 10
        every = self.label_every or max(1, math.ceil(widest / slot))
        p.setPen(self.muted())
        for i in range(0, n, every):
            text = self.labels[i]
            x = plot.left() + (i + 0.5) * slot - fm.horizontalAdvance(text) / 2
            x = min(max(x, plot.left() - 4), plot.right() - fm.horizontalAdvance(text) + 4)
            p.drawText(QPointF(x, plot.bottom() + fm.ascent() + 4), text)

    def index_at(self, x: float) -> int | None:
        if not self.labels or not self._plot.width():
            return None
        i = int((x - self._plot.left()) / (self._plot.width() / len(self.labels)))
        return i if 0 <= i < len(self.labels) else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.index_at(event.position().x())
        if i is None or self.is_empty():
            QToolTip.hideText()
            return
        parts = [f"<b>{self.labels[i]}</b>"]
        for s in self.series:
            parts.append(f"{s.name}: {self.value_format(s.values[i])}")
        if len(self.series) > 1:
            parts.append(f"Total: {self.value_format(self.totals()[i])}")
        QToolTip.showText(event.globalPosition().toPoint(), "<br>".join(parts), self)


class HBarChart(Chart):
    """Horizontal bars, one per labelled row, with the value written after each bar."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.rows: list[tuple[str, float, str]] = []

    def set_rows(self, rows: Sequence[tuple[str, float, str]]) -> None:
        """(label, value, colour) rows."""
        self.rows = list(rows)
        self.update()

    def is_empty(self) -> bool:
        return not any(v for _, v, _ in self.rows)

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        fm = p.fontMetrics()
        label_w = max(fm.horizontalAdvance(lb) for lb, _, _ in self.rows) + 12
        value_w = max(fm.horizontalAdvance(fmt_number(v)) for _, v, _ in self.rows) + 10
        top = max(v for _, v, _ in self.rows) or 1.0
        row_h = min(26.0, area.height() / len(self.rows))
        bar_w = area.width() - label_w - value_w
        for i, (label, value, colour) in enumerate(self.rows):
            y = area.top() + i * row_h
            p.setPen(self.colour(QPalette.ColorRole.WindowText))
            p.drawText(QRectF(area.left(), y, label_w, row_h), Qt.AlignmentFlag.AlignVCenter, label)
            w = bar_w * value / top
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(named_colour(colour))
            p.drawRoundedRect(QRectF(area.left() + label_w, y + 4, max(w, 1), row_h - 8), 3, 3)
            p.setPen(self.muted())
            text_rect = QRectF(area.left() + label_w + w + 6, y, value_w, row_h)
            p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, fmt_number(value))


def paint_legend(p: QPainter, x: float, y: float, series: Sequence[Series], text: QColor) -> None:
    """A row of colour swatches with series names."""
    fm = p.fontMetrics()
    for s in series:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(named_colour(s.colour))
        p.drawRoundedRect(QRectF(x, y + 3, 10, 10), 2, 2)
        p.setPen(text)
        p.drawText(QPointF(x + 14, y + fm.ascent()), s.name)
        x += 14 + fm.horizontalAdvance(s.name) + 14
