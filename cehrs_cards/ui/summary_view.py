"""End-of-session summary."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from cehrs_cards.core.records import SessionSummary


class SummaryView(QWidget):
    sig_back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.back = QPushButton("Back to decks   (Enter)")
        self.back.setMinimumHeight(40)
        self.back.clicked.connect(self.sig_back.emit)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(self.label)
        box.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(2)
        for key in ("Return", "Enter"):  # as the button says
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.sig_back.emit)

    def show_summary(self, s: SessionSummary) -> None:
        if not s.reviewed:
            text = (
                "<h2>Nothing to study right now</h2><p>No cards are due in this deck. "
                "Come back later, or raise today's limits in Settings.</p>"
            )
        else:
            minutes, secs = divmod(int(s.seconds), 60)
            counts = " · ".join(
                f"{name} {s.by_rating[i]}"
                for i, name in enumerate(("Again", "Hard", "Good", "Easy"), 1)
            )
            text = (
                "<h2>Congratulations! You have finished for now.</h2>"
                f"<p>{s.reviewed} card{'s' if s.reviewed != 1 else ''} in {minutes} min {secs} s "
                f"({s.seconds / s.reviewed:.1f} s per card)</p><p>{counts}</p>"
                f"<p>Again rate: {s.again_rate:.0%}</p>"
            )
        self.label.setText(text)
        self.back.setFocus()
