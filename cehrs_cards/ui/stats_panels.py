"""The readiness, domain-mastery and calibration panels of the statistics view.

Each shows one section of StatsService.report()'s records, the figures `cehrs-cards stats
--json` prints; nothing is recomputed here. "Study" buttons emit a StudyFocus.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import DOMAIN_BY_ID, PASSING_SCALED, domain_name
from cehrs_cards.core.exam import CUT_BAND
from cehrs_cards.core.readiness import (
    ESTIMATE_LABEL,
    LEVEL,
    Estimate,
    Lever,
    Projection,
    Readiness,
)
from cehrs_cards.core.stats import StudyFocus
from cehrs_cards.core.words import count
from cehrs_cards.services.held_out import HeldOutReadiness
from cehrs_cards.services.outcome import ExamOutcome
from cehrs_cards.services.stats_report import CalibrationReport, MasteryReport
from cehrs_cards.ui.advanced import Advanced, explanation
from cehrs_cards.ui.charts_extra import CalibrationPlot, MasteryChart, ScoreGauge
from cehrs_cards.ui.held_out_panel import HeldOutPanel

MUTED = "color: palette(placeholder-text);"


def pct(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}%}"


def _label(text: str = "", muted: bool = False) -> QLabel:
    lb = QLabel(text)
    lb.setWordWrap(True)
    lb.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if muted:
        lb.setStyleSheet(MUTED)
    return lb


NO_CHANCE_HERE = (
    "No pass chance is given from flashcard memory alone: on simulated candidates it was "
    "far from calibrated (too sure, and too high once most of the deck is studied). The pass "
    "chance above comes from your held-out answers, where it was checked."
)


def estimate_html(est: Estimate) -> str:
    """The headline figures of the memory-only estimate: a score, never a pass chance (that
    estimate failed its calibration study; the held-out model's chance is shown instead)."""
    slo, shi = est.scaled_range
    chard, ceasy = est.scaled_cut_band
    easy, hard = CUT_BAND
    return (
        f"<div style='font-size:15pt'><b>Scaled ≈ {est.scaled:.0f}</b> "
        f"<span style='font-size:11pt'>(est.; pass mark {PASSING_SCALED})</span></div>"
        f"<p>Raw <b>{est.raw:.1f}</b> of 100 scored items "
        f"({LEVEL:.0%} range {est.raw_low:.1f}–{est.raw_high:.1f}; scaled {slo:.0f}–{shi:.0f}). "
        f"With the cut anywhere in {easy}–{hard}: scaled {chard:.0f}–{ceasy:.0f}.</p>"
        f"<p style='{MUTED}'>{NO_CHANCE_HERE}</p>"
    )


class ReadinessPanel(QWidget):
    """Today's readiness (or why there is too little data), exam-day projection, levers."""

    sig_study = Signal(object)  # StudyFocus

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("<h3>Exam readiness (estimate)</h3>")
        self.held_out = HeldOutPanel()
        self.memory_title = _label(
            "<b>From your flashcard memory alone</b> (assumes every exam item is one of your "
            "cards and nothing is known without them: too high once you have studied most "
            "of the deck, too low early on)"
        )
        self.gauge = ScoreGauge()
        self.headline = _label()
        self.headline.setObjectName("readinessHeadline")
        self.projection = _label()
        self.projection.setObjectName("readinessProjection")
        self.levers_box = QGridLayout()
        self.levers_box.setColumnStretch(0, 1)
        self.assumptions = _label(muted=True)
        self.assumptions.setObjectName("readinessAssumptions")
        self.how = Advanced("Advanced: what the flashcard estimate assumes")
        self.how.add_widget(explanation("The memory model behind this number, and its limits."))
        self.how.add_widget(self.assumptions)
        self.buttons: list[QPushButton] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        for w in (self.title, self.held_out, self.memory_title, self.gauge, self.headline):
            box.addWidget(w)
        for w in (self.projection,):
            box.addWidget(w)
        box.addWidget(QLabel("<b>What would move it most</b>"))
        box.addLayout(self.levers_box)
        box.addWidget(self.how)
        box.addStretch(1)  # keep the text packed at the top beside the taller mastery panel

    def show_readiness(self, r: Readiness) -> None:
        est = r.estimate
        self.gauge.setVisible(est is not None)
        if est is None:
            reasons = "".join(f"<li>{why}</li>" for why in r.reasons)
            self.headline.setText(
                "<div style='font-size:15pt'><b>Too little data for an honest estimate "
                f"yet</b></div><ul>{reasons}</ul><p>Study on: the estimate appears once "
                "there is enough history. A mock exam (Ctrl+M) gives a measured score now.</p>"
            )
        else:
            self.gauge.set_estimate(est)
            self.headline.setText(estimate_html(est) + f"<p style='{MUTED}'>{ESTIMATE_LABEL}</p>")
        self.projection.setText(projection_html(r.projection))
        self.projection.setVisible(r.projection is not None)
        self._show_levers(r.levers)
        notes = "".join(f"<li>{a}</li>" for a in r.assumptions)
        self.assumptions.setText(f"<ul style='margin-left:-20px'>{notes}</ul>")

    def show_held_out(self, h: HeldOutReadiness, outcomes: Sequence[ExamOutcome] = ()) -> None:
        """The held-out model's estimate, shown above the memory-only one, and real exams."""
        self.held_out.show_held_out(h, outcomes)

    def _show_levers(self, levers: tuple[Lever, ...]) -> None:
        while self.levers_box.count():
            item = self.levers_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons = []
        if not levers:
            self.levers_box.addWidget(_label("Nothing stands out: keep doing your reviews."))
        for row, lever in enumerate(levers):
            text = f"{lever.text} — about <b>+{lever.gain:.1f}</b> raw points (est.)"
            self.levers_box.addWidget(_label(text), row, 0)
            if lever.focus is not None:
                b = QPushButton("Study")
                b.setToolTip("Start a session on these cards (within today's limits)")
                b.setAccessibleName(f"Study: {lever.text}")
                focus = lever.focus
                b.clicked.connect(lambda _=False, f=focus: self.sig_study.emit(f))
                self.levers_box.addWidget(b, row, 1)
                self.buttons.append(b)


def projection_html(p: Projection | None) -> str:
    if p is None:
        return ""
    pace, stop = p.at_pace, p.if_stopped
    return (
        f"<p><b>Exam day {p.plan.exam.isoformat()}</b> (in {count(p.plan.days, 'day')}). "
        f"At your current pace ({count(p.plan.rate, 'new card')} a day, "
        f"{p.introduced} more by then): scaled ≈ <b>{pace.scaled:.0f}</b>, "
        f"raw {pace.raw:.1f} (est., flashcard memory alone). "
        f"If you stopped studying today: scaled ≈ {stop.scaled:.0f}, raw {stop.raw:.1f} "
        "(est.).</p>"
    )


class MasteryPanel(QWidget):
    """Each domain's expected share right against its blueprint weight, with its weakest
    task areas; Enter or "Study selected" starts a session on the selected row."""

    sig_study = Signal(object)  # StudyFocus

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = MasteryChart("Domain mastery: expected share right today (est.)")
        self.chart.subtitle = "Column width = exam weight; filled area = expected points"
        self.tree = QTreeWidget()
        self.tree.setObjectName("masteryTree")
        self.tree.setAccessibleName("Domain mastery and the weakest task areas")
        self.tree.setAccessibleDescription("Enter studies the selected row")
        self.tree.setHeaderLabels(
            ["Domain / weakest task areas", "Weight", "Expected", "Points", "Studied"]
        )
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._on_tree_activated)
        self.study = QPushButton("Study selected   (Enter)")
        self.study.clicked.connect(self._on_study_clicked)
        self.note = _label(muted=True)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.study)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.chart)
        box.addWidget(self.tree)
        box.addLayout(row)

    def show_mastery(self, m: MasteryReport, cut: float | None) -> None:
        self.chart.set_data(m.domains, cut)
        self.tree.clear()
        for d in m.domains:
            item = QTreeWidgetItem(
                [
                    f"{d.domain}  {domain_name(d.domain)}",
                    f"{DOMAIN_BY_ID[d.domain].weight:.0%}",
                    pct(d.share),
                    f"{d.points:.1f} of {d.items}",
                    f"{d.seen} of {d.cards}",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, d.focus())
            for t in d.weakest:
                child = QTreeWidgetItem(
                    [
                        t.name,
                        "",
                        pct(t.share),
                        f"−{t.points_lost:.1f} lost",
                        f"{t.seen} of {t.cards}",
                    ]
                )
                child.setData(0, Qt.ItemDataRole.UserRole, t.focus())
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        self.tree.expandAll()
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        n = m.unassigned_cards
        unassigned = (
            f" {count(n, 'card')} without a CEHRS domain {'is' if n == 1 else 'are'} left out."
            if n
            else ""
        )
        self.note.setText(
            f"Unstudied cards count as a 1-in-{round(1 / m.guess)} guess; suspended cards "
            f"are left out.{unassigned}"
        )

    def _on_tree_activated(self, item: QTreeWidgetItem, _col: int) -> None:
        focus = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(focus, StudyFocus):
            self.sig_study.emit(focus)

    def _on_study_clicked(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._on_tree_activated(item, 0)


def table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    h = t.horizontalHeader()
    h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for col in range(1, len(headers)):
        h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    return t


def fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, c, item)
    t.resizeRowsToContents()
    height = t.horizontalHeader().height() + sum(t.rowHeight(i) for i in range(len(rows))) + 4
    t.setFixedHeight(max(height, 60))


class CalibrationPanel(QWidget):
    """Does the app predict well? Recall per domain and mock scores, predicted vs actual."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = _label(muted=True)
        self.recall = table(
            ["Domain", "Recall tests", "Predicted", "Actual", "Log loss", "RMSE (bins)"]
        )
        self.recall.setObjectName("recallCalibration")
        self.recall.setAccessibleName("Recall: predicted against actual, by domain")
        self.errors = Advanced("Advanced: prediction error")
        self.errors.add_widget(
            explanation(
                "Log loss and RMSE (bins) measure how far each predicted chance of remembering "
                "is from your answers, as fsrs-rs evaluates them: lower is better."
            )
        )
        self.errors.toggle.toggled.connect(self._show_errors)
        self._show_errors(False)
        self.plot = CalibrationPlot("Predicted vs measured recall")
        self.mocks = table(["Full mock", "Predicted raw", "Actual raw", "Difference"])
        self.mocks.setObjectName("mockCalibration")
        self.mocks.setAccessibleName("Mock exams: predicted against actual raw score")
        self.mock_note = _label(muted=True)
        box = QVBoxLayout(self)
        box.addWidget(QLabel("<h3>Are the predictions right?</h3>"))
        box.addWidget(self.intro)
        box.addWidget(self.recall)
        box.addWidget(self.errors)
        box.addWidget(self.plot)
        box.addWidget(QLabel("<b>Mock exams: predicted vs actual score</b>"))
        box.addWidget(self.mocks)
        box.addWidget(self.mock_note)
        box.addStretch(1)

    def _show_errors(self, on: bool) -> None:
        """The two error columns only under Advanced: a candidate reads predicted vs actual."""
        for column in (4, 5):
            self.recall.setColumnHidden(column, not on)

    def show_calibration(self, c: CalibrationReport, names: dict[str, str]) -> None:
        self.intro.setText(
            f"Recall tests of the last {c.window_days} days (answers on a later day than "
            "the card's previous one): what FSRS predicted against what you answered."
        )
        rows = [
            [
                names.get(key, key),
                str(v.reviews),
                pct(v.predicted),
                pct(v.actual),
                f"{v.log_loss:.4f}",
                f"{v.rmse_bins:.4f}",
            ]
            for key, v in c.recall
            if v is not None
        ]
        fill(self.recall, rows)
        self.plot.set_points(c.curve)
        mocks = [
            [
                m.when.isoformat()[:16].replace("T", " "),
                f"{m.predicted:.1f}",
                f"{m.actual:.1f}",
                f"{m.actual - m.predicted:+.1f}",
            ]
            for m in c.mocks
        ]
        fill(self.mocks, mocks)
        if c.mock_mean_abs_difference is None:
            self.mock_note.setText("No full mock yet: take one (Ctrl+M) to check the estimate.")
        else:
            self.mock_note.setText(
                f"Mean difference {c.mock_mean_difference:+} raw points; mean absolute "
                f"difference {c.mock_mean_abs_difference} (predicted from your cards when "
                "each mock started)."
            )
