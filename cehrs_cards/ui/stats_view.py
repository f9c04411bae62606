"""The statistics window: readiness and domain mastery, activity charts, calibration.

Every figure comes from StatsService.report()'s records, the same ones `cehrs-cards stats
--json` prints; the report is built on the reader thread, so the window never freezes.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import DOMAINS, UNASSIGNED
from cehrs_cards.core.words import count
from cehrs_cards.services.stats import SECTIONS, StatsFilter, StatsService
from cehrs_cards.services.stats_report import Charts, Overview, RetentionRow, StatsReport
from cehrs_cards.ui.charts import SERIES_COLOURS, BarChart, HBarChart, Series
from cehrs_cards.ui.charts_extra import HeatmapChart
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.stats_panels import CalibrationPanel, MasteryPanel, ReadinessPanel, fill, pct
from cehrs_cards.ui.stats_panels import table as make_table
from cehrs_cards.ui.widgets import bounded
from cehrs_cards.ui.window_state import keep_geometry

PERIODS = ((30, "Last 30 days"), (90, "Last 3 months"), (365, "Last year"))
STATE_COLOURS = {
    state: f"states.{i}"
    for i, state in enumerate(("new", "learning", "relearning", "young", "mature", "suspended"))
}  # theme colour names, resolved when painted


def _scrolled(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(inner)
    return area


class ActivityPanel(QWidget):
    """Overview line, reviews and time per day, forecast, heatmap, states, retention, spreads."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overview = QLabel()
        self.overview.setObjectName("statsOverview")
        self.overview.setWordWrap(True)
        self.reviews = BarChart("Reviews per day")
        self.minutes = BarChart("Study time per day (minutes)")
        self.forecast = BarChart("Due forecast (cards per day)")
        self.heatmap = HeatmapChart("Study calendar (last 12 months)")
        self.states = HBarChart("Cards by state")
        self.stability = BarChart("Stability (days until recall falls to 90%)")
        self.recall = BarChart("Recall probability now (studied cards)")
        self.retention = make_table(["Domain", "Desired", "Today", "Week", "Month"])
        self.retention.setObjectName("trueRetention")
        self.retention.setAccessibleName("True retention by domain")
        grid = QGridLayout()
        for i, chart in enumerate((self.reviews, self.minutes, self.forecast, self.states)):
            grid.addWidget(chart, i // 2, i % 2)
        grid.addWidget(self.heatmap, 2, 0, 1, 2)
        grid.addWidget(self.stability, 3, 0)
        grid.addWidget(self.recall, 3, 1)
        box = QVBoxLayout(self)
        box.addWidget(self.overview)
        box.addLayout(grid)
        note = QLabel(
            "<b>True retention</b>: first answer of a day to cards last seen a day or more "
            "before; Hard, Good and Easy pass. Against the retention the scheduler aims for."
        )
        note.setWordWrap(True)
        box.addWidget(note)
        box.addWidget(self.retention)

    def show_charts(self, c: Charts) -> None:
        self._overview(c.overview)
        days = c.reviews_per_day
        labels = [d.day.isoformat()[5:] for d in days]
        kinds = ("new", "learning", "review", "relearning")
        self.reviews.set_data(
            labels,
            [
                Series(k, SERIES_COLOURS[i], [d.by_kind[i] for d in days])
                for i, k in enumerate(kinds)
            ],
        )
        self.minutes.set_data(
            labels,
            [Series("minutes", SERIES_COLOURS[0], [round(d.seconds / 60, 1) for d in days])],
        )
        self.forecast.set_data(
            ["today", *[f"+{i}" for i in range(1, len(c.forecast))]],
            [Series("due", SERIES_COLOURS[2], c.forecast)],
        )
        self.heatmap.set_data(c.heatmap_first_day, c.heatmap_counts)
        states = c.card_states
        self.states.set_rows(
            [(k.capitalize(), getattr(states, k), col) for k, col in STATE_COLOURS.items()]
        )
        self.stability.set_data(
            c.stability.labels, [Series("cards", SERIES_COLOURS[4], c.stability.counts)]
        )
        width = 100 // c.retrievability_bins
        self.recall.set_data(
            [f"{i * width}%" for i in range(c.retrievability_bins)],
            [Series("cards", SERIES_COLOURS[5], c.retrievability)],
        )
        self._retention(c.true_retention)

    def _overview(self, o: Overview) -> None:
        s = o.streak
        self.overview.setText(
            f"Today: <b>{count(o.reviews_today, 'review')}</b> in "
            f"<b>{count(round(o.minutes_today), 'minute')}</b> · <b>{o.due_today:,}</b> due · "
            f"<b>{count(s.current, 'day streak')}</b> (longest {count(s.longest, 'day')}) · "
            f"{count(o.studied_cards, 'card')} studied, average recall "
            f"now <b>{pct(o.average_retrievability)}</b>"
        )

    def _retention(self, rows: tuple[RetentionRow, ...]) -> None:
        def cell(r: RetentionRow, window: str) -> str:
            w = r.window(window)
            return f"{pct(w.rate)} ({w.passed}/{w.total})" if w.total else "—"

        fill(
            self.retention,
            [
                [r.name, pct(r.desired), cell(r, "today"), cell(r, "week"), cell(r, "month")]
                for r in rows
            ],
        )


class StatsWindow(QMainWindow):
    """Statistics and readiness, filterable by domain, deck and period; F5 refreshes."""

    sig_study = Signal(object)  # StudyFocus: the main window starts that session

    def __init__(
        self, stats: StatsService, runner: OpRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Statistics and readiness · CEHRS Cards")
        self.stats = stats
        self.runner = runner
        self.report: StatsReport | None = None
        self._busy = False
        self._pending: tuple[str, ...] | None = None  # asked for while a report was computed
        self._held: StatsReport | None = None  # filter-free sections computed before a re-run
        self.readiness = ReadinessPanel()
        self.mastery = MasteryPanel()
        self.activity = ActivityPanel()
        self.calibration = CalibrationPanel()
        for panel in (self.readiness, self.mastery):
            panel.sig_study.connect(self.sig_study)
        self.readiness.held_out.sig_project.connect(self.project)
        self.domain = QComboBox()
        self.deck = bounded(QComboBox())
        self.period = QComboBox()
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.tabs = QTabWidget()
        self._build()
        QShortcut(QKeySequence("F5"), self).activated.connect(self.refresh)
        QShortcut(QKeySequence("Escape"), self).activated.connect(self.close)
        keep_geometry(self, "stats", QSize(1180, 820))

    def _build(self) -> None:
        self.domain.addItem("All domains", None)
        for d in DOMAINS:
            self.domain.addItem(f"{d.id} {d.name}", d.id)
        self.domain.addItem("Unassigned", UNASSIGNED)
        for days, period in PERIODS:
            self.period.addItem(period, days)
        for combo in (self.domain, self.deck, self.period):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        for text, w in (("Do&main", self.domain), ("D&eck", self.deck), ("&Period", self.period)):
            buddy = QLabel(text)
            buddy.setBuddy(w)
            w.setAccessibleName(text.replace("&", ""))
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(12)
            bar.addWidget(buddy)
            bar.addWidget(w)
        bar.addWidget(refresh)
        bar.addStretch(1)
        bar.addWidget(self.status)
        top = QWidget()
        split = QHBoxLayout(top)
        split.addWidget(self.readiness, 1)
        split.addWidget(self.mastery, 1)
        self.tabs.addTab(_scrolled(top), "Readiness and mastery")
        self.tabs.addTab(_scrolled(self.activity), "Activity")
        self.tabs.addTab(_scrolled(self.calibration), "Calibration")
        central = QWidget()
        box = QVBoxLayout(central)
        box.addLayout(bar)
        box.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def open(self) -> None:
        """Show the window and compute the figures (deck list refreshed each time)."""
        self._fill_decks()
        self.show()
        self.raise_()
        self.activateWindow()
        self.refresh()

    def _fill_decks(self) -> None:
        current = self.deck.currentData()
        self.deck.blockSignals(True)
        self.deck.clear()
        self.deck.addItem("All decks", None)
        for deck_id, name in self.stats.decks():
            self.deck.addItem(name, deck_id)
        self.deck.setCurrentIndex(max(0, self.deck.findData(current)))
        self.deck.blockSignals(False)

    def current_filter(self) -> StatsFilter:
        return StatsFilter(
            self.domain.currentData(), self.deck.currentData(), self.period.currentData()
        )

    def refresh(self) -> None:
        """Recompute every figure (F5, opening the window)."""
        self._compute(SECTIONS)

    def _on_filter_changed(self, _index: int) -> None:
        """Only the charts depend on the filter: 0.8 s instead of 3.4 s at 1,000,000 reviews."""
        self._compute(("charts",) if self.report is not None else SECTIONS)

    def _compute(self, sections: tuple[str, ...]) -> None:
        if self._busy:
            wanted = set(sections) | set(self._pending or ())
            self._pending = tuple(x for x in SECTIONS if x in wanted)
            return
        self._busy, self._pending = True, None
        self.status.setText("Computing…")
        stats, f = self.stats, self.current_filter()
        # The reader thread: a report takes seconds at a million reviews; answers go on.
        self.runner.query(
            lambda _p: stats.report(f, sections),
            self._on_report_done,
            failed=self._on_report_error,
            long=True,
        )

    def _on_report_done(self, part: StatsReport) -> None:
        self._busy = False
        pending = self._pending
        held = self._held.merged(part) if self._held else part
        if pending is not None:  # asked for more (or another filter) meanwhile: go again,
            # keeping what does not depend on the filter
            self._held = held.without_filtered()
            have = (self.report.sections() if self.report else set()) | self._held.sections()
            self._compute(tuple(x for x in SECTIONS if x in pending or x not in have))
            return
        report = self.report.merged(held) if self.report else held
        shown = held.sections()
        self.report, self._held = report, None
        self.status.setText(f"As of {report.generated_at.isoformat()[11:16]} UTC")
        if report.charts is not None:
            self.activity.show_charts(report.charts)
        if "readiness" in shown and report.readiness and report.mastery:
            self.readiness.show_readiness(report.readiness)
            if report.held_out is not None:
                self.readiness.show_held_out(report.held_out, report.outcomes or ())
            self.mastery.show_mastery(report.mastery, self._cut(report))
        if "calibration" in shown and report.calibration and report.charts:
            names = report.charts.domain_names()
            self.calibration.show_calibration(report.calibration, names)

    def project(self) -> None:
        """Simulate to exam day (seconds, on the reader thread; answers go on meanwhile)."""
        panel, stats = self.readiness.held_out, self.stats
        panel.show_projecting()
        self.runner.query(
            lambda _p: stats.projection(),
            panel.show_projection,
            failed=panel.show_projection,
            long=True,
        )

    def _on_report_error(self, exc: Exception) -> None:
        self._busy, self._pending, self._held = False, None, None
        self.status.setText(f"Could not compute the statistics: {exc}")

    @staticmethod
    def _cut(report: StatsReport) -> float | None:
        est = report.readiness.estimate if report.readiness else None
        return float(est.cut) if est else None
