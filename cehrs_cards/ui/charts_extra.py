"""More QPainter charts: the calendar heatmap, the domain-mastery mosaic and the calibration
plot (predicted against measured recall)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from cehrs_cards.core.domains import domain_name
from cehrs_cards.core.readiness import DomainMastery, Estimate
from cehrs_cards.core.stats import CurvePoint
from cehrs_cards.ui.charts import Chart
from cehrs_cards.ui.theme import colours


class HeatmapChart(Chart):
    """A year of study days as a GitHub-style calendar: weeks across, Monday to Sunday down."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.first = date.today()
        self.counts: list[int] = []
        self._cells: list[tuple[QRectF, date, int]] = []
        self.setMinimumHeight(170)

    def set_data(self, first: date, counts: Sequence[int]) -> None:
        self.first, self.counts = first, list(counts)
        self.update()

    def is_empty(self) -> bool:
        return not self.counts

    def level(self, n: int) -> int:
        """0 for no answers, else 1-4 by quarters of the busiest day."""
        top = max(self.counts) if self.counts else 0
        return 0 if n <= 0 or top <= 0 else min(4, 1 + int(4 * (n - 1) / top))

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        fm = p.fontMetrics()
        start = self.first - timedelta(days=self.first.weekday())
        weeks = (len(self.counts) + self.first.weekday() + 6) // 7
        left = fm.horizontalAdvance("Wed") + 8
        cell = min(15.0, (area.width() - left) / max(weeks, 1), (area.height() - 18) / 7)
        top = area.top() + fm.height() + 2
        self._cells = []
        empty = self.grid()
        for i, n in enumerate(self.counts):
            d = self.first + timedelta(days=i)
            col, row = (d - start).days // 7, d.weekday()
            rect = QRectF(area.left() + left + col * cell, top + row * cell, cell - 2, cell - 2)
            lvl = self.level(n)
            colour = QColor(colours().right) if lvl else empty
            if lvl:
                colour.setAlphaF(0.25 + 0.1875 * lvl)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRoundedRect(rect, 2, 2)
            self._cells.append((rect, d, n))
        self._paint_today(p)
        self._paint_axes(p, area, start, left, cell, top)

    def _paint_today(self, p: QPainter) -> None:
        if self._cells:
            rect = self._cells[-1][0]
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(self.colour(QPalette.ColorRole.WindowText), 1.2))
            p.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 2, 2)

    def _paint_axes(
        self, p: QPainter, area: QRectF, start: date, left: float, cell: float, top: float
    ) -> None:
        fm = p.fontMetrics()
        p.setPen(self.muted())
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
            p.drawText(QPointF(area.left(), top + row * cell + fm.ascent() - 2), name)
        last_month, free_x = None, area.left()
        for i in range(0, len(self.counts), 7):
            d = self.first + timedelta(days=i)
            if d.month != last_month:
                x = area.left() + left + (d - start).days // 7 * cell
                name = d.strftime("%b")
                # a month label never overlaps the previous one (the first month is partial)
                if x >= free_x and x + fm.horizontalAdvance(name) <= area.right():
                    p.drawText(QPointF(x, area.top() + fm.ascent()), name)
                    free_x = x + fm.horizontalAdvance(name) + 4
                last_month = d.month

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        for rect, d, n in self._cells:
            if rect.contains(pos):
                text = f"{d.strftime('%a %d %b %Y')}: {n} review{'s' if n != 1 else ''}"
                QToolTip.showText(event.globalPosition().toPoint(), text, self)
                return
        QToolTip.hideText()


class MasteryChart(Chart):
    """Each domain a column as wide as its blueprint weight, filled to its expected share
    right: the filled area is the expected raw score. The dashed line is the assumed cut."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.domains: list[DomainMastery] = []
        self.cut: float | None = None
        self._cols: list[tuple[QRectF, DomainMastery]] = []
        self.setMinimumHeight(240)

    def set_data(self, domains: Sequence[DomainMastery], cut: float | None) -> None:
        self.domains, self.cut = list(domains), cut
        self.update()

    def is_empty(self) -> bool:
        return not self.domains

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        fm = p.fontMetrics()
        axis_w = fm.horizontalAdvance("100%") + 8
        plot = QRectF(
            area.left() + axis_w, area.top() + 4, area.width() - axis_w - 4, area.height() - 44
        )
        self._paint_grid(p, plot)
        total = sum(d.items for d in self.domains) or 1
        x = plot.left()
        self._cols = []
        for d in self.domains:
            w = plot.width() * d.items / total
            col = QRectF(x + 1, plot.top(), w - 2, plot.height())
            self._paint_column(p, col, d)
            self._cols.append((col, d))
            x += w
        if self.cut is not None:
            y = plot.bottom() - plot.height() * self.cut / 100
            p.setPen(QPen(self.colour(QPalette.ColorRole.WindowText), 1.2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.drawText(QPointF(plot.right() - fm.horizontalAdvance("cut") - 2, y - 3), "cut")

    def _paint_grid(self, p: QPainter, plot: QRectF) -> None:
        fm = p.fontMetrics()
        for pct in (0, 25, 50, 75, 100):
            y = plot.bottom() - plot.height() * pct / 100
            p.setPen(QPen(self.grid(), 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(self.muted())
            text = f"{pct}%"
            p.drawText(QPointF(plot.left() - fm.horizontalAdvance(text) - 5, y + 4), text)

    def _paint_column(self, p: QPainter, col: QRectF, d: DomainMastery) -> None:
        fm = p.fontMetrics()
        colour = QColor(colours().domains[d.domain - 1])
        back = QColor(colour)
        back.setAlphaF(0.16)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(back)
        p.drawRect(col)
        h = col.height() * d.share
        p.setBrush(colour)
        p.drawRect(QRectF(col.left(), col.bottom() - h, col.width(), h))
        p.setPen(QColor(colours().on_domain))
        pct = f"{d.share:.0%}"
        if h > fm.height() + 4 and fm.horizontalAdvance(pct) < col.width():
            top = QRectF(col.left(), col.bottom() - h + 2, col.width(), fm.height())
            p.drawText(top, Qt.AlignmentFlag.AlignHCenter, pct)
        p.setPen(self.colour(QPalette.ColorRole.WindowText))
        label = QRectF(col.left() - 2, col.bottom() + 4, col.width() + 4, 40)
        text = f"{d.domain} · {d.items}%\n{d.points:.1f} pts"
        p.drawText(label, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, text)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        for rect, d in self._cols:
            if rect.contains(event.position()):
                text = (
                    f"<b>{d.domain} {domain_name(d.domain)}</b><br>{d.items} of 100 scored "
                    f"items<br>expected right: {d.share:.1%} (est.)<br>"
                    f"expected points: {d.points:.1f}<br>"
                    f"cards studied: {d.seen} of {d.cards}"
                )
                QToolTip.showText(event.globalPosition().toPoint(), text, self)
                return
        QToolTip.hideText()


class CalibrationPlot(Chart):
    """Measured recall against predicted recall per bin; on the diagonal is well calibrated.
    Dot area grows with the number of reviews in the bin."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.points: list[CurvePoint] = []
        self.setMinimumHeight(260)

    def set_points(self, points: Sequence[CurvePoint]) -> None:
        self.points = list(points)
        self.update()

    def is_empty(self) -> bool:
        return not self.points

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        fm = p.fontMetrics()
        low = min([0.5] + [min(x.predicted, x.actual) for x in self.points])
        low = math.floor(low * 10) / 10
        side = min(area.width() - 50, area.height() - fm.height() - 12)
        plot = QRectF(area.left() + 42, area.top() + 4, side, side)

        def at(px: float, py: float) -> QPointF:
            return QPointF(
                plot.left() + plot.width() * (px - low) / (1 - low),
                plot.bottom() - plot.height() * (py - low) / (1 - low),
            )

        tick = low
        while tick <= 1.0001:
            p.setPen(QPen(self.grid(), 1))
            p.drawLine(at(low, tick), at(1, tick))
            p.drawLine(at(tick, low), at(tick, 1))
            p.setPen(self.muted())
            p.drawText(at(low, tick) + QPointF(-38, 4), f"{tick:.0%}")
            p.drawText(at(tick, low) + QPointF(-12, fm.ascent() + 4), f"{tick:.0%}")
            tick += 0.1
        p.setPen(QPen(self.muted(), 1, Qt.PenStyle.DashLine))
        p.drawLine(at(low, low), at(1, 1))
        biggest = max(x.count for x in self.points)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(colours().domains[0]))
        for x in self.points:
            r = 3 + 9 * math.sqrt(x.count / biggest)
            p.drawEllipse(at(x.predicted, x.actual), r, r)
        p.setPen(self.muted())
        p.drawText(QPointF(plot.right() + 6, plot.bottom()), "predicted")
        p.drawText(QPointF(plot.left() + 4, plot.top() + fm.ascent()), "measured")


class ScoreGauge(QWidget):
    """The 200-500 scaled scale: fail and pass zones, the estimate's range and its point."""

    LOW, HIGH, PASS = 200, 500, 390

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.est: Estimate | None = None
        self.setMinimumHeight(64)

    def set_estimate(self, est: Estimate) -> None:
        self.est = est
        self.update()

    def x_of(self, v: float, r: QRectF) -> float:
        v = min(max(v, self.LOW), self.HIGH)
        return r.left() + r.width() * (v - self.LOW) / (self.HIGH - self.LOW)

    def paintEvent(self, _event: QPaintEvent) -> None:
        if self.est is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = p.fontMetrics()
        track = QRectF(12, 20, self.width() - 24, 12)
        zones = ((self.LOW, self.PASS, colours().error), (self.PASS, self.HIGH, colours().right))
        for start, end, colour in zones:
            c = QColor(colour)
            c.setAlphaF(0.22)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(c)
            x0 = self.x_of(start, track)
            p.drawRect(QRectF(x0, track.top(), self.x_of(end, track) - x0, track.height()))
        lo, hi = self.est.scaled_range
        band = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        band.setAlphaF(0.45)
        p.setBrush(band)
        x0, x1 = self.x_of(lo, track), self.x_of(hi, track)
        p.drawRoundedRect(QRectF(x0, track.top() - 3, max(x1 - x0, 2), track.height() + 6), 4, 4)
        x = self.x_of(self.est.scaled, track)
        p.setBrush(self.palette().color(QPalette.ColorRole.Highlight))
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.Base), 2))
        p.drawEllipse(QPointF(x, track.center().y()), 8, 8)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        p.setPen(QPen(text, 1.5, Qt.PenStyle.DashLine))
        px = self.x_of(self.PASS, track)
        p.drawLine(QPointF(px, track.top() - 8), QPointF(px, track.bottom() + 8))
        p.setPen(text)
        for v in (self.LOW, 300, self.PASS, self.HIGH):
            label = str(v)
            lx = self.x_of(v, track) - fm.horizontalAdvance(label) / 2
            lx = min(max(lx, 0), self.width() - fm.horizontalAdvance(label))
            p.drawText(QPointF(lx, track.bottom() + 10 + fm.ascent()), label)
        p.drawText(QPointF(px + 4, track.top() - 6), "pass")
        p.end()
