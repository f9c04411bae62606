"""Card info (summary, review history, a chart of recall probability over time) and the leech
list with the advice to rewrite them."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import domain_name
from cehrs_cards.services.browse_info import LEECH_ADVICE, CardInfo, Leech
from cehrs_cards.ui.safe_html import shortened
from cehrs_cards.ui.theme import colours
from cehrs_cards.ui.widgets import named
from cehrs_cards.ui.window_state import keep_geometry

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
HISTORY_COLUMNS = [
    "Reviewed",
    "Answer",
    "Was",
    "Days since",
    "Recall before",
    "Stability",
    "Difficulty",
    "Next in",
    "Time",
]


def _when(at: datetime | None) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M") if at else "—"


def _num(value: float | None, fmt: str) -> str:
    return format(value, fmt) if value is not None else "—"


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class RecallChart(QWidget):
    """Recall probability from the first review to now: it decays, and each review lifts it."""

    def __init__(self, info: CardInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.setMinimumHeight(130)
        self.setAccessibleName("Recall probability over time")

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        area = QRectF(self.rect()).adjusted(44, 12, -12, -26)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        curve = self.info.curve
        if len(curve) < 2:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Not studied yet: no curve.")
            return
        t0, t1 = curve[0][0].timestamp(), max(curve[-1][0].timestamp(), curve[0][0].timestamp() + 1)

        def x(at: datetime) -> float:
            return area.left() + (at.timestamp() - t0) / (t1 - t0) * area.width()

        def y(r: float) -> float:
            return area.bottom() - r * area.height()

        grid = QPen(pal.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DotLine)
        for r in (0.0, 0.5, 0.8, 0.9, 1.0):
            p.setPen(grid)
            p.drawLine(QPointF(area.left(), y(r)), QPointF(area.right(), y(r)))
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(QRectF(0, y(r) - 8, 40, 16), Qt.AlignmentFlag.AlignRight, f"{r:.0%}")
        p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
        p.drawPolyline(QPolygonF([QPointF(x(at), y(r)) for at, r in curve]))
        for h in self.info.history:
            p.setBrush(QColor(colours().ratings[h.rating - 1]))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(QPointF(x(h.at), y(1.0)), 4, 4)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        for at, align in (
            (curve[0][0], Qt.AlignmentFlag.AlignLeft),
            (curve[-1][0], Qt.AlignmentFlag.AlignRight),
        ):
            p.drawText(
                QRectF(area.left(), area.bottom() + 4, area.width(), 18),
                align,
                at.astimezone().strftime("%Y-%m-%d"),
            )
        p.end()


class CardInfoDialog(QDialog):
    def __init__(self, info: CardInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Card info · card {info.card_id}")
        self.info = info
        summary = QLabel(self._summary())
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        summary.setWordWrap(True)
        self.history = named(_table(HISTORY_COLUMNS), "Review history")
        self._fill()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(summary)
        box.addWidget(
            QLabel("<b>Recall probability over time</b> (dots: reviews, coloured by answer)")
        )
        box.addWidget(RecallChart(info))
        box.addWidget(QLabel(f"<b>Review history</b> ({len(info.history)} answers)"))
        box.addWidget(self.history, 1)
        box.addWidget(buttons)
        keep_geometry(self, "card-info", QSize(860, 640))

    def _summary(self) -> str:
        i = self.info
        rows = [
            ("Question", i.question),
            ("Note type", f"{shortened(i.notetype)} · note {i.note_id}"),
            ("Deck · domain", f"{shortened(i.deck)} · {i.domain or '—'} {domain_name(i.domain)}"),
            ("State", i.state.name.lower() + (" (suspended)" if i.suspended else "")),
            (
                "Added · last review · due",
                f"{_when(i.created)} · {_when(i.last_review)} · {_when(i.due)}",
            ),
            (
                "Stability · difficulty",
                f"{_num(i.stability, '.2f')} days · {_num(i.difficulty, '.2f')}",
            ),
            ("Recall probability now", _num(i.retrievability, ".1%")),
            ("Reviews · lapses", f"{i.reps} · {i.lapses}"),
        ]
        cells = "".join(f"<tr><td><b>{k}</b></td><td>{_esc(v)}</td></tr>" for k, v in rows)
        return f"<table cellpadding=2>{cells}</table>"

    def _fill(self) -> None:
        t = self.history
        t.setRowCount(len(self.info.history))
        for r, h in enumerate(reversed(self.info.history)):
            values = [
                _when(h.at),
                RATINGS[h.rating],
                h.state_before.name.lower(),
                _num(h.elapsed_days, ".1f"),
                _num(h.r_before, ".0%"),
                _num(h.stability, ".2f"),
                _num(h.difficulty, ".2f"),
                f"{h.interval_days:.1f} d"
                if h.interval_days >= 1
                else f"{h.interval_days * 1440:.0f} min",
                f"{h.seconds:.0f} s",
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if c == 1:
                    item.setForeground(QColor(colours().ratings[h.rating - 1]))
                t.setItem(r, c, item)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LeechDialog(QDialog):
    """The leeches, the advice, and buttons to tag them all or show them in the browser."""

    sig_tag = Signal()
    sig_show = Signal()

    def __init__(self, threshold: int, leeches: list[Leech], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Leeches · {len(leeches)} card{'s' * (len(leeches) != 1)}")
        advice = QLabel(LEECH_ADVICE.format(n=threshold))
        advice.setWordWrap(True)
        self.table = named(_table(["Lapses", "Deck", "Domain", "Tagged", "Question"]), "Leeches")
        self.table.setRowCount(len(leeches))
        for r, lch in enumerate(leeches):
            for c, v in enumerate(
                [
                    str(lch.lapses),
                    lch.deck,
                    str(lch.domain or "—"),
                    "yes" if lch.tagged else "",
                    lch.question,
                ]
            ):
                self.table.setItem(r, c, QTableWidgetItem(v))
        self.tag_button = QPushButton("&Tag all 'leech'")
        self.tag_button.setEnabled(any(not lch.tagged for lch in leeches))
        self.tag_button.clicked.connect(self.sig_tag.emit)
        show = QPushButton("&Show in the browser")
        show.setEnabled(bool(leeches))
        show.clicked.connect(self.sig_show.emit)
        show.clicked.connect(self.accept)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.tag_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(show, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(advice)
        if not leeches:
            box.addWidget(QLabel(f"No card has {threshold} or more lapses. Well done."))
        box.addWidget(self.table, 1)
        box.addWidget(buttons)
        keep_geometry(self, "leeches", QSize(760, 460))
