"""The welcome: on a first run (and from Help), the exam date, the minutes a day turned into
daily limits with the pace they give, the theme and an offer to import an Anki deck; then the
three things to do each day. Its choices are saved by the window as one operation."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.study_plan import limits_for
from cehrs_cards.core.words import count
from cehrs_cards.services.scheduling import SchedulingService
from cehrs_cards.services.welcome import WelcomeChoice, WelcomeInfo, apply_welcome, welcome_info
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.widgets import make_default, named, scrolled
from cehrs_cards.ui.window_state import keep_geometry

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))


def daily_html(minutes: int) -> str:
    """The three things to do each day, in plain words."""
    new = limits_for(minutes).new_per_day
    return (
        "<h2>Each day</h2><ol>"
        f"<li><p><b>Your cards</b> (about {minutes} minutes): press <b>S</b> or <i>Study "
        f"now</i> and answer until the day's cards are done: reviews first, then "
        f"{count(new, 'new card')}. Be honest with <i>Again</i>: it brings a card back "
        "sooner.</p></li>"
        "<li><p><b>A practice block</b> (10-20 minutes): <i>Tools › Practice block</i> "
        "(Ctrl+B), exam-style questions timed like the exam. Choose a domain, or the "
        "questions you got wrong last time.</p></li>"
        "<li><p><b>A mock exam once a week near the end</b>: in the last month, "
        "<i>Tools › Mock exam</i> (Ctrl+M), 125 questions in 125 minutes, as NHA delivers it. "
        "Finish it: a mock left mostly blank does not count. <i>Statistics</i> (T) then shows "
        "how ready you are.</p></li></ol>"
        "<p>This page is in <i>Help › Welcome and daily plan</i> whenever you want it again.</p>"
    )


class WelcomeDialog(QDialog):
    """Two pages: your plan (choices), then each day (what to do)."""

    def __init__(self, info: WelcomeInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to CEHRS Cards")
        self.info = info
        self.wants_import = False
        self.exam = named(QDateEdit(), "Exam date")
        self.exam.setCalendarPopup(True)
        self.exam.setDisplayFormat("yyyy-MM-dd")
        self.not_booked = QCheckBox("Not booked yet")
        self.minutes = named(QSpinBox(), "Minutes a day", "Turned into daily limits")
        self.minutes.setRange(5, 240)
        self.minutes.setSingleStep(5)
        self.minutes.setSuffix(" minutes")
        self.theme = named(QComboBox(), "Theme")
        for label, key in THEMES:
            self.theme.addItem(label, key)
        self.pace = QLabel()
        self.pace.setObjectName("welcomePace")
        self.pace.setWordWrap(True)
        self.import_button = QPushButton("Import an Anki deck…")
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.pages = QStackedWidget()
        self.next_button = QPushButton("Next ›")
        self.back_button = QPushButton("‹ Back")
        self.start_button = QPushButton("Start studying")
        self._fill(info)
        self._build()
        self._show_page(0)
        keep_geometry(self, "welcome", QSize(660, 440))

    def _fill(self, info: WelcomeInfo) -> None:
        stored = QDate.fromString(info.settings.exam_date or "", "yyyy-MM-dd")
        today = QDate(info.today.year, info.today.month, info.today.day)
        self.exam.setMinimumDate(today)
        self.exam.setDate(stored if stored.isValid() else today.addDays(60))
        self.not_booked.setChecked(not stored.isValid())
        self.exam.setEnabled(stored.isValid())
        self.minutes.setValue(info.minutes)
        self.theme.setCurrentIndex(max(0, self.theme.findData(info.settings.theme)))
        self.not_booked.toggled.connect(lambda on: self.exam.setEnabled(not on))
        for signal in (self.not_booked.toggled, self.exam.dateChanged, self.minutes.valueChanged):
            signal.connect(self._show_pace)
        self._show_pace()

    def _build(self) -> None:
        plan = QWidget()
        form = QFormLayout()
        exam_row = QHBoxLayout()
        exam_row.addWidget(self.exam, 1)
        exam_row.addWidget(self.not_booked)
        form.addRow("When is your exam?", exam_row)
        form.addRow("How long can you study a day?", self.minutes)
        form.addRow(self.pace)
        form.addRow("Theme", self.theme)
        intro = QLabel(
            "<h2>Welcome</h2><p>CEHRS Cards gets you ready for the NHA CEHRS exam with a "
            "deck written for it and a schedule that spends your time where the exam's points "
            "are. Three questions first; you can change every answer later in Settings.</p>"
        )
        intro.setWordWrap(True)
        anki = QHBoxLayout()
        anki.addWidget(QLabel("Already have cards in Anki?"))
        anki.addWidget(self.import_button)
        anki.addStretch(1)
        col = QVBoxLayout(plan)
        col.addWidget(intro)
        col.addLayout(form)
        col.addLayout(anki)
        col.addStretch(1)
        self.daily = QLabel()
        self.daily.setWordWrap(True)
        self.daily.setTextFormat(Qt.TextFormat.RichText)
        self.daily.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.pages.addWidget(scrolled(plan, "Your plan"))
        self.pages.addWidget(scrolled(self.daily, "Each day"))
        self.next_button.clicked.connect(lambda: self._show_page(1))
        self.back_button.clicked.connect(lambda: self._show_page(0))
        self.start_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.start_button)
        box = QVBoxLayout(self)
        box.addWidget(self.pages, 1)
        box.addLayout(buttons)

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.daily.setText(daily_html(self.minutes.value()))
        self.back_button.setVisible(page == 1)
        self.next_button.setVisible(page == 0)
        self.start_button.setVisible(page == 1)
        forward = self.next_button if page == 0 else self.start_button
        make_default(forward)
        if page == 1:
            forward.setFocus()  # Back had it while the page turned

    def exam_date(self) -> date | None:
        if self.not_booked.isChecked():
            return None
        d = self.exam.date()
        return date(d.year(), d.month(), d.day())

    def _show_pace(self) -> None:
        pace = self.info.pace(limits_for(self.minutes.value()), self.exam_date())
        self.pace.setText(pace.text())

    def _on_import_clicked(self) -> None:
        """Save the choices, then the window opens the import (the daily plan is in Help)."""
        self.wants_import = True
        self.accept()

    def choice(self) -> WelcomeChoice:
        return WelcomeChoice(self.exam_date(), self.minutes.value(), str(self.theme.currentData()))


class WelcomeLauncher(QObject):
    """Opens the welcome (window-modal, never blocking start-up) and saves its choices as one
    operation; sig_saved tells the window what to do next."""

    sig_saved = Signal(str, bool, bool)  # theme, reschedule needed, import wanted

    def __init__(self, scheduling: SchedulingService, runner: OpRunner, host: QWidget) -> None:
        super().__init__(host)
        self.scheduling = scheduling
        self.runner = runner
        self.host = host
        self.dialog: WelcomeDialog | None = None

    def show(self, auto: bool) -> None:
        """Read what the welcome needs, then open it (`auto`: only if nobody studied yet)."""
        scheduling = self.scheduling
        self.runner.query(
            lambda _p: welcome_info(scheduling), lambda info: self._on_info(info, auto)
        )

    def _on_info(self, info: WelcomeInfo, auto: bool) -> None:
        if (auto and not info.auto) or self.dialog is not None or not self.host.isVisible():
            return  # (a window closed meanwhile must not leave a dialog keeping the app alive)
        dialog = WelcomeDialog(info, self.host)
        dialog.finished.connect(lambda result: self._on_finished(dialog, result))
        self.dialog = dialog
        dialog.open()

    def close(self) -> None:
        """The window is closing: the welcome goes too, nothing saved."""
        if self.dialog is not None:
            self.dialog.reject()

    def _on_finished(self, dialog: WelcomeDialog, result: int) -> None:
        self.dialog = None
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            return
        choice, scheduling, wants_import = dialog.choice(), self.scheduling, dialog.wants_import
        self.runner.op(
            lambda _p: apply_welcome(scheduling, choice),
            initiator=self,
            done=lambda again: self.sig_saved.emit(choice.theme, bool(again), wants_import),
        )
