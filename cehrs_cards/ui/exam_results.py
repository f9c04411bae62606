"""The results screen: raw score, the estimated scaled score with its band and assumption,
pass/fail against 390, per-domain percent against the blueprint, time, and every item with its
question. An attempt left with most items blank says it is incomplete (it then moves neither
readiness nor calibration) and offers to count it anyway."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import DOMAIN_BY_ID, PASSING_SCALED, domain_name
from cehrs_cards.core.exam import CUT_BAND, LETTERS, MOCK, Attempt, ScoreReport, Slot
from cehrs_cards.core.sanitize import strip_html
from cehrs_cards.core.words import clock, count, duration
from cehrs_cards.services.exam_store import incomplete_flags
from cehrs_cards.services.exams import missed_slots
from cehrs_cards.ui.exam_question import explanation_html, no_sound_tags
from cehrs_cards.ui.safe_html import SafeTextBrowser, inline_media
from cehrs_cards.ui.theme import card_css, colours, is_dark, theme_signals
from cehrs_cards.ui.widgets import named, scrolled
from cehrs_cards.ui.zoom import add_zoom_keys, text_zoom

FILTERS = ("All questions", "Missed", "Flagged", "Scored only", "Pretest only")


def clock_text(seconds: float) -> str:
    """A countdown's running clock ("4:05", "1:02:03"); results say durations in words."""
    return clock(seconds)


def summary_html(att: Attempt, rep: ScoreReport) -> str:
    """The score block: raw, estimate with band and assumption, verdict, time, pretest."""
    title = "Mock exam results" if att.kind == MOCK else f"Practice block results ({att.mode})"
    when = att.started.astimezone().strftime("%a %d %b %Y, %H:%M")
    out = [f"<h2>{title}</h2><p style='color:{colours().muted}'>{when}</p>"]
    noun = "scored items" if att.kind == MOCK else "questions"
    out.append(
        f"<p style='font-size:18px'>Raw score: <b>{rep.correct} / {rep.total}</b> {noun} "
        f"({rep.percent:.0f}%)</p>"
    )
    if rep.scaled is not None and rep.band is not None:
        out.append(_estimate_html(rep))
    limit = att.deadline - att.started if att.deadline else None
    of = f" of {duration(limit.total_seconds())}" if limit else ""
    pace = (
        f"{duration(rep.seconds_per_item)} per question answered on average"
        if rep.answered_items
        else "no question answered"
    )
    out.append(f"<p>Time used: <b>{duration(rep.seconds_used)}</b>{of} · {pace}</p>")
    if rep.pretest_total:
        out.append(
            f"<p>Pretest (unscored, like NHA's): {rep.pretest_correct} of "
            f"{rep.pretest_total} right.</p>"
        )
    if att.finish_reason == "time":
        out.append("<p><b>Time ran out:</b> the attempt was submitted automatically.</p>")
    incomplete, counted = incomplete_flags(att)
    if incomplete:
        out.append(incomplete_html(rep, counted))
    return "".join(out)


def incomplete_html(rep: ScoreReport, counted: bool) -> str:
    """Why an attempt with most items blank is set aside, or that it counts after all."""
    answered = f"{rep.answered_items} of {count(rep.items, 'question')} answered"
    if counted:
        return (
            f"<p><b>Incomplete</b> ({answered}), counted at your request: it moves your "
            "readiness estimate and its calibration like a full attempt.</p>"
        )
    return (
        f"<p><b>Incomplete:</b> {answered}. Most questions were left blank, so this attempt "
        "does not move your readiness estimate or its calibration (a blank is not a sign of "
        "what you know). Count it anyway if you mean it to.</p>"
    )


def _estimate_html(rep: ScoreReport) -> str:
    assert rep.scaled is not None and rep.band is not None
    lo, hi = rep.band
    word = "PASS" if rep.passed else "FAIL"
    c = colours()
    colour = c.right if rep.passed else c.error
    extra = ""
    if rep.verdict == "borderline":
        extra = (
            f"<br><span style='color:{c.warn}'>Borderline: the band "
            f"straddles {PASSING_SCALED}; a pass only if NHA's raw cut is at most "
            f"{rep.correct} of 100.</span>"
        )
    return (
        f"<p style='font-size:18px'>Estimated scaled score: <b>≈ {rep.scaled:.0f}</b> "
        f"<span style='color:{c.muted}'>(estimate)</span></p>"
        f"<p>Band: <b>{lo:.0f}–{hi:.0f}</b> if NHA's raw cut is anywhere from "
        f"{CUT_BAND[0]} to {CUT_BAND[1]} of 100.</p>"
        f"<p style='font-size:18px'>Estimated result: <b style='color:{colour}'>{word}</b> "
        f"(passing is {PASSING_SCALED}){extra}</p>"
        f"<p style='color:{c.muted}'>Assumption: a raw score of C = {rep.cut} of 100 maps to "
        f"{PASSING_SCALED}, 0 to 200 and 100 to 500, linear in between. NHA does not publish its "
        "raw-to-scaled conversion, so this is an estimate, not a prediction.</p>"
    )


class ResultsPage(QWidget):
    sig_send_missed = Signal(bool)  # True: the unanswered items too
    sig_count = Signal(bool)  # count an incomplete attempt (True) or set it aside again
    sig_history = Signal()
    sig_close = Signal()

    def __init__(self, media_dir: Path, dark: bool) -> None:
        super().__init__()
        self.attempt: Attempt | None = None
        self.report: ScoreReport | None = None
        self.summary = QLabel()
        self.summary.setObjectName("resultsSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.domains = named(QTableWidget(0, 4), "Score by domain")
        self.domains.setHorizontalHeaderLabels(["Domain", "Blueprint", "Correct", "Percent"])
        self.items = named(
            QTableWidget(0, len(ITEM_COLUMNS)), "Every question", "Select one to see it below"
        )
        self.items.setHorizontalHeaderLabels(list(ITEM_COLUMNS))
        self.filter = named(QComboBox(), "Show questions", "M shows the missed ones")
        self.filter.addItems(FILTERS)
        self.filter.currentIndexChanged.connect(self._fill_items)
        self.detail = named(SafeTextBrowser(), "The selected question and its explanation")
        self.media_dir = media_dir
        self.detail.document().setDocumentMargin(14)
        self.send_button = QPushButton("Send missed to review (Ctrl+R)")
        self.include_blank = QCheckBox("and the unanswered")
        self.include_blank.setToolTip("Most blanks of an abandoned attempt were never shown")
        self.count_button = QPushButton("Count it anyway")
        self.count_button.setCheckable(True)
        self.count_button.setVisible(False)
        self.history_button = QPushButton("History and trend… (H)")
        self.close_button = QPushButton("Close (Esc)")
        self.sent_label = QLabel()
        self._build()
        self._shortcuts()
        self._restyle()
        add_zoom_keys(self)
        text_zoom().sig_changed.connect(self._on_look_changed)
        theme_signals().sig_changed.connect(self._on_look_changed)

    def _restyle(self) -> None:
        self.detail.document().setDefaultStyleSheet(card_css(is_dark(), text_zoom().factor()))

    def _on_look_changed(self, _value: object) -> None:
        """A zoom step or a theme switch: the score block and the item again."""
        self._restyle()
        if self.attempt is not None and self.report is not None:
            self.summary.setText(summary_html(self.attempt, self.report))
            self._show_item(self.items.currentRow())

    def _build(self) -> None:
        for table in (self.domains, self.items):
            table.verticalHeader().setVisible(False)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.domains.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.domains.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.items.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.items.currentCellChanged.connect(lambda row, *_: self._show_item(row))
        self.send_button.clicked.connect(self._on_send_clicked)
        self.include_blank.toggled.connect(self._show_send_count)
        self.count_button.toggled.connect(self.sig_count.emit)
        self.history_button.clicked.connect(self.sig_history.emit)
        self.close_button.clicked.connect(self.sig_close.emit)
        lcol = QVBoxLayout()
        lcol.setContentsMargins(0, 0, 8, 0)
        lcol.addWidget(self.summary)
        lcol.addWidget(QLabel("<b>By domain</b> (scored items, against the blueprint)"))
        lcol.addWidget(self.domains)
        lcol.addStretch(1)
        left = scrolled(lcol)  # the score block is long on a short screen
        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tcol = QVBoxLayout(top)
        tcol.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("<b>Every question</b> (select one to see its explanation)"))
        bar.addStretch(1)
        bar.addWidget(self.filter)
        tcol.addLayout(bar)
        tcol.addWidget(self.items)
        right.addWidget(top)
        right.addWidget(self.detail)
        right.setSizes([300, 320])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([470, 680])
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.include_blank)
        buttons.addWidget(self.sent_label, 1)
        buttons.addWidget(self.count_button)
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.close_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 12, 18, 12)
        box.addWidget(split, 1)
        box.addLayout(buttons)

    def _shortcuts(self) -> None:
        keys = {
            "Escape": self.sig_close.emit,
            "H": self.sig_history.emit,
            "Ctrl+R": self._on_send_clicked,
            "M": lambda: self.filter.setCurrentIndex(1),
        }
        for key, slot in keys.items():
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    # ----- showing ------------------------------------------------------------------------
    def show_results(self, att: Attempt, rep: ScoreReport) -> None:
        self.attempt, self.report = att, rep
        self.summary.setText(summary_html(att, rep))
        self._fill_domains(rep, att.kind == MOCK)
        blanks = sum(not s.answered for s in att.slots)
        self.include_blank.setVisible(blanks > 0)
        self.include_blank.setText(f"and the {count(blanks, 'unanswered question')}")
        self._show_send_count()
        self.sent_label.clear()
        incomplete, counted = incomplete_flags(att)
        self.count_button.setVisible(incomplete)
        self.count_button.blockSignals(True)
        self.count_button.setChecked(counted)
        self.count_button.blockSignals(False)
        self._fill_items()
        self.items.setFocus()

    def _show_send_count(self) -> None:
        if self.attempt is None:
            return
        n = len(missed_slots(self.attempt, self.include_blank.isChecked()))
        self.send_button.setText(f"Send {count(n, 'missed question')} to review (Ctrl+R)")
        self.send_button.setEnabled(n > 0)

    def _on_send_clicked(self) -> None:
        if self.send_button.isEnabled():
            self.sig_send_missed.emit(self.include_blank.isChecked())

    def _fill_domains(self, rep: ScoreReport, mock: bool) -> None:
        rows = [d for d in rep.domains if d.total or mock]
        self.domains.setRowCount(len(rows))
        for r, d in enumerate(rows):
            blueprint = f"{d.weight:.0%} · {d.blueprint_items} items" if mock else f"{d.weight:.0%}"
            cells = [f"{d.domain} {domain_name(d.domain)}", blueprint, f"{d.correct} / {d.total}"]
            for c, text in enumerate(cells):
                self.domains.setItem(r, c, QTableWidgetItem(text))
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(round(d.percent))
            bar.setFormat(f"{d.percent:.0f}%")
            self.domains.setCellWidget(r, 3, bar)
        self.domains.resizeColumnsToContents()
        self.domains.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        height = self.domains.horizontalHeader().height() + 2
        height += sum(self.domains.rowHeight(r) for r in range(len(rows)))
        self.domains.setFixedHeight(height)

    def visible_slots(self) -> list[int]:
        """Positions shown under the current filter."""
        assert self.attempt is not None
        which = self.filter.currentIndex()
        return [i for i, s in enumerate(self.attempt.slots) if _keep(which, s)]

    def _fill_items(self) -> None:
        if self.attempt is None:
            return
        shown = self.visible_slots()
        self.items.setRowCount(len(shown))
        for r, i in enumerate(shown):
            for c, text in enumerate(_item_cells(i, self.attempt.slots[i])):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, i)
                self.items.setItem(r, c, cell)
        self.items.resizeColumnsToContents()
        self.items.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if shown:
            self.items.setCurrentCell(0, 0)
            self._show_item(0)
        else:
            self.detail.setHtml("<p>No questions match this filter.</p>")

    def _show_item(self, row: int) -> None:
        cell = self.items.item(row, 0) if row >= 0 else None
        if self.attempt is None or cell is None:
            return
        i = int(cell.data(Qt.ItemDataRole.UserRole))
        self.detail.setHtml(inline_media(item_html(i, self.attempt.slots[i]), self.media_dir))

    def set_sent(self, text: str) -> None:
        self.sent_label.setText(text)
        self.send_button.setEnabled(False)
        self.include_blank.setEnabled(False)


def _keep(which: int, s: Slot) -> bool:
    """Whether filter `which` (index into FILTERS) shows this slot."""
    return (
        which == 0
        or (which == 1 and not s.correct)
        or (which == 2 and s.flagged)
        or (which == 3 and not s.pretest)
        or (which == 4 and s.pretest)
    )


ITEM_COLUMNS = ("#", "Question", "Domain", "Part", "Yours", "Right", "Result", "Time")
STEM_CHARS = 90


def stem_text(stem: str) -> str:
    """A question's stem as one short line of plain text for the results list."""
    plain = " ".join(strip_html(no_sound_tags(stem)).split())
    return plain if len(plain) <= STEM_CHARS else plain[: STEM_CHARS - 1].rstrip() + "…"


def _item_cells(i: int, s: Slot) -> list[str]:
    dom = DOMAIN_BY_ID[s.item.domain].name if s.item.domain in DOMAIN_BY_ID else "Unassigned"
    result = "✓ right" if s.correct else ("— blank" if s.choice is None else "✗ wrong")
    flag = " ⚑" if s.flagged else ""
    return [
        str(i + 1),
        stem_text(s.item.stem),
        dom + (" (generated)" if s.item.generated else ""),
        "pretest" if s.pretest else "scored",
        LETTERS[s.choice] if s.choice is not None else "—",
        LETTERS[s.item.answer],
        result + flag,
        duration(s.seconds),
    ]


def item_html(i: int, s: Slot) -> str:
    """One item for review: stem, then every option marked right / yours with its reason."""
    part = "pretest, not scored" if s.pretest else "scored"
    head = f"<p class='muted'>Question {i + 1} · Domain {s.item.domain} · {part}</p>"
    body = f"<div>{s.item.stem}</div>{explanation_html(s, with_text=True)}"
    return f"<body>{head}{no_sound_tags(body)}</body>"
