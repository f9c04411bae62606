"""Before an attempt: the mock's start screen (format and opt-in comforts) and the practice-block
builder (domains, size, filters, timed or tutor mode) with a live count of what matches."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import DOMAINS, EXAM_MINUTES, PRETEST_ITEMS, SCORED_ITEMS
from cehrs_cards.core.exam import CUT_BAND, SECONDS_PER_ITEM, TIMED, TUTOR
from cehrs_cards.core.words import count
from cehrs_cards.services.exam_pool import FILTERS
from cehrs_cards.services.exams import BlockCatalog, BlockSpec, ExamOptions
from cehrs_cards.ui.advanced import Advanced
from cehrs_cards.ui.theme import colours
from cehrs_cards.ui.widgets import make_default, named, scrolled
from cehrs_cards.ui.window_state import keep_geometry

MOCK_INTRO = (
    f"<h2>CEHRS mock exam</h2><p><b>{SCORED_ITEMS + PRETEST_ITEMS} questions in "
    f"{EXAM_MINUTES} minutes</b>, as in NHA's exam: {SCORED_ITEMS} scored questions drawn by the "
    f"blueprint (28 / 32 / 15 / 15 / 10 by domain) and {PRETEST_ITEMS} unscored pretest "
    "questions mixed in, which you cannot tell apart.</p>"
    "<p>Skip and come back, flag questions, use the navigator, and change any answer until you "
    "submit. A review screen comes before submitting; when the time runs out the exam is "
    "submitted automatically. Every answer is saved at once: if the app closes, reopening "
    "resumes with the clock as it really stands.</p>"
)


class MockStartDialog(QDialog):
    """The mock's start screen; its options are the user's saved ExamOptions."""

    def __init__(self, opts: ExamOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mock exam")
        self.opts = opts
        intro = QLabel(MOCK_INTRO)
        intro.setWordWrap(True)
        self.pause = QCheckBox("Allow pausing the clock")
        self.pause.setChecked(opts.allow_pause)
        self.strike = QCheckBox("Allow striking out options (right-click or Alt+1-4)")
        self.strike.setChecked(opts.allow_strike)
        comforts = QGroupBox("Practice comforts (the real exam has neither; off by default)")
        cbox = QVBoxLayout(comforts)
        cbox.addWidget(self.pause)
        cbox.addWidget(self.strike)
        self.cut = named(QSpinBox(), "Assumed raw cut C for the scaled estimate")
        self.cut.setRange(50, 90)
        self.cut.setValue(opts.cut)
        self.cut.setSuffix(" of 100")
        self.generated = QCheckBox("Also use questions generated from flashcards")
        self.generated.setChecked(opts.generated)
        advanced = Advanced()
        advanced.add_row(
            "Assumed raw cut C",
            self.cut,
            "How many of 100 scored questions you must get right to pass, as the score "
            f"estimate assumes: NHA does not publish it; {CUT_BAND[0]}-{CUT_BAND[1]} is the "
            "plausible band, and results show the whole band.",
        )
        advanced.add_row(
            "Generated questions",
            self.generated,
            "Off: only written multiple-choice questions, while there are enough. On: cards "
            "without options become questions too, their wrong options taken from answers of "
            "the same kind on other cards.",
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start = buttons.addButton("Start the exam", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        body = QVBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(intro)
        body.addWidget(comforts)
        body.addWidget(advanced)
        body.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(scrolled(body, "Mock exam"), 1)
        box.addWidget(QLabel("Enter starts the clock · Esc cancels"))
        box.addWidget(buttons)
        make_default(self.start)  # once it is in the dialog, or Cancel takes Enter
        keep_geometry(self, "mock-start", QSize(680, 560))

    def result_options(self) -> ExamOptions:
        return replace(
            self.opts,
            cut=self.cut.value(),
            allow_pause=self.pause.isChecked(),
            allow_strike=self.strike.isChecked(),
            generated=self.generated.isChecked(),
        )


class PracticeDialog(QDialog):
    """Build a practice block: domains, size, filters, timed or tutor mode."""

    def __init__(self, catalog: BlockCatalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Practice block")
        self.catalog = catalog
        self.domains = {d.id: QCheckBox(f"{d.id}  {d.name}  ({d.weight:.0%})") for d in DOMAINS}
        self.filters = {
            "unused": QCheckBox("Unused (never in a mock or block)"),
            "incorrect": QCheckBox("Incorrect (wrong or blank when last seen)"),
            "flagged": QCheckBox("Flagged (when last seen, or with a card flag)"),
        }
        assert set(self.filters) == set(FILTERS)
        self.size_spin = named(QSpinBox(), "Questions")
        self.size_spin.setRange(1, 200)
        self.size_spin.setValue(20)
        self.timed = QRadioButton(f"Timed: {SECONDS_PER_ITEM} s per question, like the exam")
        self.tutor = QRadioButton("Tutor: untimed, the explanation after each answer")
        self.timed.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.timed)
        group.addButton(self.tutor)
        self.generated = QCheckBox("Include questions generated from flashcards")
        self.available = QLabel()
        self.available.setObjectName("blockAvailable")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start = self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._build()
        for box in (*self.domains.values(), *self.filters.values(), self.generated):
            box.toggled.connect(self._on_spec_changed)
        self.size_spin.valueChanged.connect(self._on_spec_changed)
        for box in self.domains.values():
            box.setChecked(True)

    def _build(self) -> None:
        doms = QGroupBox("Domains")
        dbox = QVBoxLayout(doms)
        for check in self.domains.values():
            dbox.addWidget(check)
        filt = QGroupBox("Only questions that are (none ticked: all)")
        fbox = QVBoxLayout(filt)
        for check in self.filters.values():
            fbox.addWidget(check)
        fbox.addWidget(self.generated)
        mode = QGroupBox("Mode")
        mbox = QVBoxLayout(mode)
        mbox.addWidget(self.timed)
        mbox.addWidget(self.tutor)
        size_row = QHBoxLayout()
        size_label = QLabel("&Questions:")
        size_label.setBuddy(self.size_spin)
        size_row.addWidget(size_label)
        size_row.addWidget(self.size_spin)
        size_row.addWidget(self.available, 1)
        self.available.setWordWrap(True)
        body = QVBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(doms)
        body.addWidget(filt)
        body.addWidget(mode)
        body.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(scrolled(body, "Practice block"), 1)
        box.addLayout(size_row)
        box.addWidget(QLabel("Enter starts the block · Esc cancels"))
        box.addWidget(self.buttons)
        make_default(self.start)  # once it is in the dialog, or Cancel takes Enter
        content = body.parentWidget()
        tall = content.sizeHint().height() if content is not None else 420
        keep_geometry(self, "practice", QSize(480, tall + 140))

    def spec(self) -> BlockSpec:
        return BlockSpec(
            domains=tuple(d for d, box in self.domains.items() if box.isChecked()),
            size=self.size_spin.value(),
            filters=tuple(f for f, box in self.filters.items() if box.isChecked()),
            mode=TUTOR if self.tutor.isChecked() else TIMED,
            include_generated=self.generated.isChecked(),
        )

    def _on_spec_changed(self) -> None:
        spec = self.spec()
        n = self.catalog.available(spec) if spec.domains else 0
        if n == 0:
            text = f"<span style='color:{colours().error}'>No questions match.</span>"
        elif n < spec.size:
            text = f"{n} match: the block will have {n}."
        else:
            text = f"{count(n, 'question')} {'matches' if n == 1 else 'match'}."
        self.available.setText(text)
        self.start.setEnabled(n > 0)
