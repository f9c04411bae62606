"""End of a session: what was done, and never a dead end. When nothing is left to study the page
says why (today's limits, or nothing due) and offers the next steps: more cards today past the
limit (Anki's custom study), a practice block, or a look at tomorrow's cards."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.records import SessionSummary
from cehrs_cards.core.words import count, duration
from cehrs_cards.services.custom_study import Left


class SummaryView(QWidget):
    sig_back = Signal()
    sig_study_more = Signal(int, int)  # more new cards, more reviews, today
    sig_practice = Signal()
    sig_tomorrow = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setObjectName("summaryText")
        self.more = QSpinBox()
        self.more.setRange(1, 9999)
        self.more.setAccessibleName("How many more cards today")
        self.more_button = QPushButton()
        self.more_button.clicked.connect(self._on_more_clicked)
        self.practice_button = QPushButton("Practice block… (Ctrl+B)")
        self.practice_button.clicked.connect(self.sig_practice.emit)
        self.tomorrow_button = QPushButton("See tomorrow's cards")
        self.tomorrow_button.clicked.connect(self.sig_tomorrow.emit)
        self.back = QPushButton("Back to decks   (Enter)")
        self.back.setMinimumHeight(40)
        self.back.clicked.connect(self.sig_back.emit)
        self.left: Left | None = None
        self._build()

    def _build(self) -> None:
        more_row = QHBoxLayout()
        more_row.addStretch(1)
        more_row.addWidget(QLabel("Study"))
        more_row.addWidget(self.more)
        more_row.addWidget(self.more_button)
        more_row.addStretch(1)
        self.more_box = QWidget()
        self.more_box.setLayout(more_row)
        others = QHBoxLayout()
        others.addStretch(1)
        others.addWidget(self.practice_button)
        others.addWidget(self.tomorrow_button)
        others.addStretch(1)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(self.label)
        box.addWidget(self.more_box)
        box.addLayout(others)
        box.addSpacing(12)
        box.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(2)
        for key in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_enter)

    def _on_enter(self) -> None:
        """Enter presses the focused button (the offer to study more, once it is made, even
        from its number box); otherwise it goes back to the decks."""
        focus = QApplication.focusWidget()
        if self.more_box.isVisible() and focus is not None and self.more_box.isAncestorOf(focus):
            self._on_more_clicked()
        elif isinstance(focus, QPushButton) and self.isAncestorOf(focus):
            focus.click()
        else:
            self.sig_back.emit()

    def show_summary(self, s: SessionSummary, left: Left | None = None) -> None:
        """The session's tally (if any card was studied) and what can come next."""
        self.left = left
        done = _done_html(s) if s.reviewed else ""
        self.label.setText(done + _next_html(s, left))
        past = left is not None and left.past_limit
        self.more_box.setVisible(past)
        self.back.setText(f"Back to decks   ({'D' if past else 'Enter'})")  # Enter: study more
        if past:
            assert left is not None
            new = left.held_back.new > 0
            waiting = left.held_back.new if new else left.held_back.due
            self.more.setMaximum(max(1, waiting))
            self.more.setValue(min(waiting, 10 if new else 50))
            noun = "new cards" if new else "reviews"
            self.more_button.setText(f"more {noun} today")
            self.more_button.setDefault(True)
            self.more_button.setFocus()
        else:
            self.back.setFocus()
        self.tomorrow_button.setVisible(left is not None and left.tomorrow > 0)

    def _on_more_clicked(self) -> None:
        left = self.left
        if left is None:
            return
        n = self.more.value()
        new = left.held_back.new > 0
        self.sig_study_more.emit(n if new else 0, 0 if new else n)


def _done_html(s: SessionSummary) -> str:
    counts = " · ".join(
        f"{name} {s.by_rating[i]}" for i, name in enumerate(("Again", "Hard", "Good", "Easy"), 1)
    )
    return (
        "<h2>Well done: you have finished for now.</h2>"
        f"<p>{count(s.reviewed, 'card')} in {duration(s.seconds)} "
        f"({duration(s.seconds / s.reviewed)} per card)</p><p>{counts}</p>"
        f"<p>Forgotten (Again): {s.again_rate:.0%}</p>"
    )


def _next_html(s: SessionSummary, left: Left | None) -> str:
    """Why the queue is empty and what the buttons below offer."""
    head = "" if s.reviewed else "<h2>Nothing to study right now</h2>"
    if left is None:
        return head + "<p>Come back later, or take a practice block.</p>"
    if left.past_limit:
        held = []
        if left.held_back.new:
            held.append(f"{count(left.held_back.new, 'new card')} waiting")
        if left.held_back.due:
            held.append(f"{count(left.held_back.due, 'review')} past the daily limit")
        return head + (
            f"<p>You have reached today's limit ({count(left.new_limit, 'new card')}, "
            f"{count(left.review_limit, 'review')} a day): {' and '.join(held)}. "
            "Study more today, or practise exam questions.</p>"
        )
    tomorrow = (
        f" Tomorrow {count(left.tomorrow, 'card')} {'falls' if left.tomorrow == 1 else 'fall'} due."
        if left.tomorrow
        else ""
    )
    return head + f"<p>No cards are due here now.{tomorrow} Practise exam questions meanwhile?</p>"
