"""The review screen: card front, Show answer (Space), Again/Hard/Good/Easy (1-4) with the
interval each will save, and the card actions (edit, suspend, bury, flag, undo)."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import domain_name
from cehrs_cards.core.records import Counts, Rating, SessionSummary, StudyCard
from cehrs_cards.services.review import ReviewService, StaleCardError, remaining
from cehrs_cards.ui.deck_list import COUNT_COLOURS
from cehrs_cards.ui.safe_html import SafeTextBrowser, esc, inline_media
from cehrs_cards.ui.theme import RATING_COLOURS, card_css
from cehrs_cards.ui.worker import Worker, start

RATING_NAMES = {
    Rating.AGAIN: "Again",
    Rating.HARD: "Hard",
    Rating.GOOD: "Good",
    Rating.EASY: "Easy",
}
FLAG_COLOURS = {1: "#d93025", 2: "#e37400", 3: "#188038", 4: "#1a73e8"}


class ReviewView(QWidget):
    sig_finished = Signal(object)  # SessionSummary
    sig_edit = Signal(int)  # note id
    sig_leave = Signal()
    sig_message = Signal(str)

    def __init__(
        self, review: ReviewService, dark: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.review = review
        self.card: StudyCard | None = None
        self.deck_id: int | None = None
        self.summary = SessionSummary()
        self.revealed = False
        self._timer = QElapsedTimer()
        self._counting = False
        self._counts_stale = False
        self._session_timer = QElapsedTimer()
        self.where = QLabel()
        self.where.setObjectName("reviewWhere")
        self.counts = QLabel()
        self.counts.setObjectName("reviewCounts")
        self.browser = SafeTextBrowser()
        self.media_dir = review.col.media_dir
        self.browser.document().setDocumentMargin(28)
        self.set_dark(dark)
        self.show_button = QPushButton("Show answer   (Space)")
        self.show_button.setMinimumHeight(48)
        self.show_button.setStyleSheet(_button_css("palette(highlight)"))
        self.show_button.clicked.connect(self.reveal)
        self.rate_buttons: dict[Rating, QPushButton] = {}
        self.bottom = QStackedWidget()
        self._build()
        self._shortcuts()

    def _build(self) -> None:
        rates = QWidget()
        row = QHBoxLayout(rates)
        row.setContentsMargins(0, 0, 0, 0)
        for rating, name in RATING_NAMES.items():
            b = QPushButton(name)
            b.setMinimumHeight(52)
            b.setToolTip(f"{name} (key {int(rating)})")
            b.setStyleSheet(_button_css(RATING_COLOURS[int(rating)]))
            b.clicked.connect(lambda _=False, r=rating: self.rate(r))
            self.rate_buttons[rating] = b
            row.addWidget(b)
        self.bottom.addWidget(self.show_button)
        self.bottom.addWidget(rates)
        top = QHBoxLayout()
        top.addWidget(self.where, 1)
        top.addWidget(self.counts)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 10, 16, 12)
        box.addLayout(top)
        box.addWidget(self.browser, 1)
        box.addWidget(self.bottom)

    def _shortcuts(self) -> None:
        keys = {
            "Space": self._on_space,
            "Return": self._on_space,
            "Enter": self._on_space,
            "E": self._on_edit,
            "@": self._on_suspend,
            "-": self._on_bury,
            "Escape": self.sig_leave.emit,
        }
        for rating in Rating:
            keys[str(int(rating))] = lambda r=rating: self.rate(r) if self.revealed else None
        for flag in FLAG_COLOURS:
            keys[f"Ctrl+{flag}"] = lambda f=flag: self._on_flag(f)
        for key, slot in keys.items():
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    def set_dark(self, dark: bool) -> None:
        self.browser.document().setDefaultStyleSheet(card_css(dark))
        if self.card:
            self._render()

    # ----- flow ---------------------------------------------------------------------------
    def start(self, deck_id: int | None) -> None:
        self.deck_id = deck_id
        self.summary = SessionSummary()
        self._session_timer.start()
        self.next()

    def next(self) -> None:
        card = self.review.next_card(self.deck_id)
        if card is None:
            self.summary.seconds = self._session_timer.elapsed() / 1000
            self.card = None
            self.sig_finished.emit(self.summary)
            return
        self.show_card(card)

    def show_card(self, card: StudyCard) -> None:
        self.card = card
        self.revealed = False
        self._timer.start()
        self._render()
        self.bottom.setCurrentIndex(0)
        self.show_button.setFocus()

    def reveal(self) -> None:
        if self.card is None or self.revealed:
            return
        self.revealed = True
        self._render()
        for p in self.card.previews:
            self.rate_buttons[p.rating].setText(f"{RATING_NAMES[p.rating]}\n{p.label}")
        self.bottom.setCurrentIndex(1)
        self.rate_buttons[Rating.GOOD].setFocus()

    def rate(self, rating: Rating) -> None:
        """Commit the answer (the state shown on the button), then show the next card."""
        if self.card is None or not self.revealed:
            return
        try:
            changes = self.review.answer(self.card, rating, self._timer.elapsed())
        except StaleCardError:
            self.show_card(self.review.study_card(self.card.card_id))
            self.sig_message.emit("The card changed since it was shown; here it is again.")
            return
        if changes.leech:
            self.sig_message.emit(
                "This card is a leech (forgotten again and again): its note is tagged 'leech'. "
                "Rewriting it usually helps more than more reviews."
            )
        self.summary.reviewed += 1
        self.summary.by_rating[int(rating)] += 1
        self.next()

    def reload_current(self) -> None:
        """Re-render the current card after an edit, keeping whether its answer was shown."""
        if self.card is None:
            return
        was_revealed = self.revealed
        self.show_card(self.review.study_card(self.card.card_id))
        if was_revealed:
            self.reveal()

    def after_undo(self, card_id: int | None, was_answer: bool) -> None:
        if was_answer and self.summary.reviewed:
            self.summary.reviewed -= 1
        if card_id is not None:
            self.show_card(self.review.study_card(card_id))

    def _render(self) -> None:
        assert self.card is not None
        c = self.card
        flag = f" <span style='color:{FLAG_COLOURS[c.flag]}'>⚑</span>" if c.flag else ""
        self.where.setText(
            f"<b>{esc(c.deck_name)}</b> · Domain {c.domain or '—'}: {domain_name(c.domain)}{flag}"
        )
        self._refresh_counts()
        side = c.back_html if self.revealed else c.front_html
        self.browser.setHtml(f"<body>{inline_media(side, self.media_dir)}</body>")

    def _refresh_counts(self) -> None:
        """Count what is left off the UI thread: the next card never waits for the counts."""
        if self._counting:
            self._counts_stale = True
            return
        self._counting, self._counts_stale = True, False
        review, deck_id = self.review, self.deck_id
        job = Worker(lambda _progress: remaining(review, deck_id))
        job.signals.sig_done.connect(self._on_counts_done)
        job.signals.sig_error.connect(self._on_counts_error)
        start(job)

    def _on_counts_error(self, _message: str) -> None:
        self._on_counts_done(None)

    def _on_counts_done(self, n: Counts | None) -> None:
        self._counting = False
        if n is not None:
            parts = zip((n.new, n.learning, n.due), COUNT_COLOURS, strict=True)
            self.counts.setText(" + ".join(f"<span style='color:{c}'>{v}</span>" for v, c in parts))
        if self._counts_stale:
            self._refresh_counts()

    # ----- card actions ---------------------------------------------------------------------
    def _on_space(self) -> None:
        if self.revealed:
            self.rate(Rating.GOOD)
        else:
            self.reveal()

    def _on_edit(self) -> None:
        if self.card:
            self.sig_edit.emit(self.card.note_id)

    def _on_suspend(self) -> None:
        if self.card:
            self.review.suspend(self.card.card_id)
            self.sig_message.emit("Card suspended (Ctrl+Z to undo).")
            self.next()

    def _on_bury(self) -> None:
        if self.card:
            self.review.bury(self.card.card_id)
            self.sig_message.emit("Card buried until tomorrow (Ctrl+Z to undo).")
            self.next()

    def _on_flag(self, flag: int) -> None:
        if self.card:
            new = 0 if self.card.flag == flag else flag
            self.review.set_flag(self.card.card_id, new)
            self.reload_current()


def _button_css(accent: str) -> str:
    """Flat button with a coloured bottom edge; colours from the palette follow the theme."""
    return (
        "QPushButton { background: palette(button); color: palette(button-text);"
        f" border: 1px solid palette(mid); border-bottom: 4px solid {accent};"
        " border-radius: 6px; padding: 6px 12px; font-size: 14px; }"
        "QPushButton:hover { background: palette(light); }"
        "QPushButton:focus { border-color: palette(highlight); }"
    )
