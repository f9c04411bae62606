"""The review screen: card front, Show answer (Space), Again/Hard/Good/Easy (1-4) with the
interval each will save, and the card actions (edit, suspend, bury, flag, undo). A
multiple-choice card is answered first (A-D or a click) and the reveal marks the chosen and the
right option; a card's [sound:] files play when its side shows (R replays)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, Qt, QUrl, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import domain_name
from cehrs_cards.core.exam import LETTERS
from cehrs_cards.core.ops import Changes, OpResult, UndoStep
from cehrs_cards.core.records import Counts, Rating, SessionSummary, StudyCard
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.review import (
    ReviewService,
    StaleCardError,
    answer_then_next,
    remaining,
)
from cehrs_cards.ui.deck_list import count_html
from cehrs_cards.ui.mcq_html import PICK
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.review_card import SOUND, replay_sounds, side_html, side_sounds
from cehrs_cards.ui.safe_html import SHOWN_CHARS, SafeTextBrowser, esc, shortened, tip
from cehrs_cards.ui.sound import SoundPlayer
from cehrs_cards.ui.theme import card_css, colours, theme_signals
from cehrs_cards.ui.widgets import named
from cehrs_cards.ui.zoom import add_zoom_keys, text_zoom

RATING_NAMES = {
    Rating.AGAIN: "Again",
    Rating.HARD: "Hard",
    Rating.GOOD: "Good",
    Rating.EASY: "Easy",
}
REVIEW_FLAG_KEYS = (1, 2, 3, 4)


class ReviewView(QWidget):
    """Every read and write goes through the runner (the database thread): while a card is
    being answered or fetched the screen is `busy` and ignores answer keys."""

    sig_finished = Signal(object)  # SessionSummary
    sig_edit = Signal(int)  # note id
    sig_leave = Signal()
    sig_message = Signal(str)
    sig_letter_keys = Signal(bool)  # True while A-D pick an option: the window lends its A/B/D

    def __init__(
        self,
        review: ReviewService,
        cards: CardService,
        runner: OpRunner,
        media_dir: Path,
        dark: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.review = review
        self.cards = cards
        self.runner = runner
        self.busy = False
        self.card: StudyCard | None = None
        self.deck_id: int | None = None
        self.summary = SessionSummary()
        self.revealed = False
        self.choice: int | None = None  # the option picked on a multiple-choice card
        self.sound = SoundPlayer(media_dir)
        self._side_sounds: list[str] = []
        self._told_no_sound = False
        self._letters: list[QShortcut] = []
        self._timer = QElapsedTimer()
        self._counting = False
        self._counts_stale = False
        self._session_timer = QElapsedTimer()
        self.where = QLabel()
        self.where.setObjectName("reviewWhere")
        # The line gets the width there is, whatever the deck's name (a stranger's can be 1,000
        # characters): it never widens the window.
        self.where.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.counts = QLabel()
        self.counts.setObjectName("reviewCounts")
        self.browser = named(SafeTextBrowser(), "Card", "Ctrl+= and Ctrl+- zoom the text")
        self.media_dir = media_dir
        self.browser.document().setDocumentMargin(28)
        self.browser.anchorClicked.connect(self._on_browser_link)
        self.dark = dark
        self._last_counts: Counts | None = None
        self.show_button = QPushButton("Show answer   (Space)")
        self.show_button.setMinimumHeight(48)
        self.show_button.clicked.connect(self.reveal)
        self.rate_buttons: dict[Rating, QPushButton] = {}
        self.bottom = QStackedWidget()
        self._build()
        self._shortcuts()
        self._restyle()
        add_zoom_keys(self)
        text_zoom().sig_changed.connect(self._on_zoom_changed)
        theme_signals().sig_changed.connect(self.set_dark)
        runner.sig_operation_did_execute.connect(self._on_operation_did_execute)

    def _build(self) -> None:
        rates = QWidget()
        row = QHBoxLayout(rates)
        row.setContentsMargins(0, 0, 0, 0)
        for rating, name in RATING_NAMES.items():
            b = QPushButton(name)
            b.setMinimumHeight(52)
            b.setToolTip(f"{name} (key {int(rating)})")
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
        keys: dict[str, Callable[[], object]] = {
            "Space": self._on_space,
            "Return": self._on_space,
            "Enter": self._on_space,
            "E": self._on_edit,
            "@": self._on_suspend,
            "-": self._on_bury,
            "Escape": self.sig_leave.emit,
        }
        for rating in Rating:
            keys[str(int(rating))] = partial(self._on_rating_key, rating)
        for flag in REVIEW_FLAG_KEYS:
            keys[f"Ctrl+{flag}"] = partial(self._on_flag, flag)
        keys["R"] = self.replay
        for key, slot in keys.items():
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        for i, letter in enumerate(LETTERS):  # only while a multiple-choice card waits
            sc = QShortcut(QKeySequence(letter), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda i=i: self.pick(i))
            sc.setEnabled(False)
            self._letters.append(sc)

    def _set_letters(self, on: bool) -> None:
        """A-D pick options (and the window's A, B and D wait) while `on`."""
        if on == self._letters[0].isEnabled():
            return
        for sc in self._letters:
            sc.setEnabled(on)
        self.sig_letter_keys.emit(on)

    def hideEvent(self, event: QHideEvent) -> None:
        self._set_letters(False)
        self.sound.stop()
        super().hideEvent(event)

    def set_dark(self, dark: bool) -> None:
        """Restyle for a theme switch: buttons, card text and counts at once."""
        self.dark = dark
        self._restyle()
        if self.card:
            self._render()
        if self._last_counts is not None:
            self._show_counts(self._last_counts)

    def _restyle(self) -> None:
        self.browser.document().setDefaultStyleSheet(card_css(self.dark, text_zoom().factor()))
        self.show_button.setStyleSheet(_button_css("palette(highlight)"))
        stripes = colours(self.dark).ratings
        for rating, button in self.rate_buttons.items():
            button.setStyleSheet(_button_css(stripes[int(rating) - 1]))
            button.setAccessibleName(f"{RATING_NAMES[rating]} (key {int(rating)})")

    def _on_zoom_changed(self, _factor: float) -> None:
        self._restyle()
        if self.card:
            self._render()

    # ----- flow ---------------------------------------------------------------------------
    def start(self, deck_id: int | None) -> None:
        self.deck_id = deck_id
        self.summary = SessionSummary()
        self._session_timer.start()
        self.next()

    def next(self) -> None:
        """Fetch the next card on the database thread; the screen waits, unfrozen."""
        self.busy = True
        review, deck_id = self.review, self.deck_id
        self.runner.query(lambda _p: review.next_card(deck_id), self._on_next_card)

    def _on_next_card(self, card: StudyCard | None) -> None:
        self.busy = False
        if card is None:
            self.summary.seconds = self._session_timer.elapsed() / 1000
            self.card = None
            self._set_letters(False)
            self.sound.stop()
            self.sig_finished.emit(self.summary)
            return
        self.show_card(card)

    def show_card(self, card: StudyCard) -> None:
        self.busy = False
        self.card = card
        self.revealed = False
        self.choice = None
        self._timer.start()
        self._render()
        self.bottom.setCurrentIndex(0)
        self.show_button.setFocus()
        self._set_letters(card.mcq is not None)
        self._play(side_sounds(card, False))

    def show_again(self, card_id: int, reveal: bool = False) -> None:
        """Show a card afresh (after an edit or an undo), its answer shown if `reveal`."""
        self.busy = True
        review = self.review

        def shown(card: StudyCard) -> None:
            self.show_card(card)
            if reveal:
                self.reveal()

        self.runner.query(lambda _p: review.study_card(card_id), shown, failed=self._on_gone)

    def _on_gone(self, _exc: Exception) -> None:
        self.next()  # the card was deleted meanwhile

    def reveal(self) -> None:
        if self.card is None or self.revealed or self.busy:
            return
        self.revealed = True
        self._set_letters(False)
        self._render()
        for p in self.card.previews:
            self.rate_buttons[p.rating].setText(f"{RATING_NAMES[p.rating]}\n{p.label}")
        self.bottom.setCurrentIndex(1)
        self.rate_buttons[self.suggested()].setFocus()
        self._play(side_sounds(self.card, True))

    def pick(self, option: int) -> None:
        """Answer a multiple-choice card with an option, then reveal (A-D or a click)."""
        card = self.card
        if card is None or card.mcq is None or self.revealed or self.busy:
            return
        if 0 <= option < len(card.mcq.options):
            self.choice = option
            self.reveal()

    def suggested(self) -> Rating:
        """The rating Space gives after the reveal: Again for a wrong option, else Good."""
        q = self.card.mcq if self.card else None
        if q is not None and self.choice is not None and self.choice != q.answer:
            return Rating.AGAIN
        return Rating.GOOD

    def replay(self) -> None:
        """Play the side's sounds again (R, as in Anki)."""
        if self.card is not None:
            self._play(replay_sounds(self.card, self.revealed))

    def _play(self, names: list[str]) -> None:
        if not names:
            self.sound.stop()
            return
        self.sound.play(names)
        if self.sound.unavailable and not self._told_no_sound:
            self._told_no_sound = True  # once: every card with a sound would say it again
            self.sig_message.emit(self.sound.unavailable)

    def _on_browser_link(self, url: QUrl) -> None:
        """A click on an option (pick:N) or on a play link (sound:N)."""
        link = url.toString()
        if link.startswith(PICK) and link[len(PICK) :].isdigit():
            self.pick(int(link[len(PICK) :]))
        elif link.startswith(SOUND) and link[len(SOUND) :].isdigit():
            i = int(link[len(SOUND) :])
            if i < len(self._side_sounds):
                self._play([self._side_sounds[i]])

    def rate(self, rating: Rating) -> None:
        """Commit the answer (the state shown on the button), then show the next card."""
        if self.card is None or not self.revealed or self.busy:
            return
        card, review, ms, deck_id = self.card, self.review, self._timer.elapsed(), self.deck_id
        self.busy = True
        self.runner.op(
            lambda _p: answer_then_next(review, card, rating, ms, deck_id),
            initiator=self,
            done=lambda got: self._on_answered(rating, *got),
            failed=self._on_answer_failed,
        )

    def _on_answered(self, rating: Rating, leech: bool, next_card: StudyCard | None) -> None:
        if leech:
            self.sig_message.emit(
                "This card is a leech (forgotten again and again): its note is tagged 'leech'. "
                "Rewriting it usually helps more than more reviews."
            )
        self.summary.reviewed += 1
        self.summary.by_rating[int(rating)] += 1
        self._on_next_card(next_card)

    def _on_answer_failed(self, exc: Exception) -> None:
        if isinstance(exc, StaleCardError) and self.card is not None:
            self.sig_message.emit("The card changed since it was shown; here it is again.")
            self.show_again(self.card.card_id)
            return
        self.busy = False
        self.runner.sig_failed.emit(exc, self)

    def reload_current(self) -> None:
        """Show the current card again after an edit, keeping whether its answer was shown."""
        if self.card is not None:
            self.show_again(self.card.card_id, self.revealed)

    def after_undo(self, step: UndoStep | None) -> None:
        """An undone answer takes its card out of the tally; the step's card comes back."""
        if step is None:
            return
        if step.label == "Answer" and self.summary.reviewed:
            self.summary.reviewed -= 1
        if step.card_id is not None:
            self.show_again(step.card_id)

    def _on_operation_did_execute(self, changes: Changes, initiator: object) -> None:
        """Someone else changed data (the browser, an exam window): redraw what it touched."""
        if initiator is self or self.card is None or not self.isVisible() or self.busy:
            return
        if (
            changes.notes
            or self.card.card_id in changes.card_ids
            or (changes.cards and not changes.card_ids)
        ):
            self._still_studyable()
        elif changes.study_queue:
            self._refresh_counts()

    def _still_studyable(self) -> None:
        assert self.card is not None
        card_id, review = self.card.card_id, self.review
        self.runner.query(
            lambda _p: review.is_studyable(card_id),
            lambda ok: self.reload_current() if ok else self.next(),
        )

    def _render(self) -> None:
        assert self.card is not None
        c = self.card
        flag_colour = colours(self.dark).flags[c.flag - 1] if c.flag else ""
        flag = f" <span style='color:{flag_colour}'>⚑</span>" if c.flag else ""
        self.where.setText(
            f"<b>{esc(shortened(c.deck_name))}</b> · Domain {c.domain or '—'}: "
            f"{domain_name(c.domain)}{flag}"
        )
        self.where.setToolTip(tip(c.deck_name) if len(c.deck_name) > SHOWN_CHARS else "")
        self._refresh_counts()
        doc, self._side_sounds = side_html(c, self.revealed, self.choice, self.media_dir)
        self.browser.setHtml(doc)

    def _refresh_counts(self) -> None:
        """Count what is left on the reader thread: neither the answer nor the next card
        waits for the counts (on a 100,000-card collection they take about 40 ms; on the
        writer thread an answer given right after a card appeared waited for them). A count
        asked while one runs is made again when it ends, so the last one shown is current."""
        if self._counting:
            self._counts_stale = True
            return
        self._counting, self._counts_stale = True, False
        review, deck_id = self.review, self.deck_id
        self.runner.query(
            lambda _p: remaining(review, deck_id),
            self._on_counts_done,
            failed=lambda _exc: self._on_counts_done(None),
            long=True,
        )

    def _on_counts_done(self, n: Counts | None) -> None:
        self._counting = False
        if n is not None:
            self._show_counts(n)
        if self._counts_stale:
            self._refresh_counts()

    def _show_counts(self, n: Counts) -> None:
        self._last_counts = n
        self.counts.setText(count_html(n))
        self.counts.setAccessibleName(f"{n.new} new, {n.learning} learning, {n.due} due")

    # ----- card actions ---------------------------------------------------------------------
    def _on_rating_key(self, rating: Rating) -> None:
        if self.revealed:
            self.rate(rating)

    def _on_space(self) -> None:
        if self.revealed:
            self.rate(self.suggested())
        else:
            self.reveal()

    def _on_edit(self) -> None:
        if self.card:
            self.sig_edit.emit(self.card.note_id)

    def _on_suspend(self) -> None:
        self._card_op(self.cards.set_suspended, True, "Card suspended (Ctrl+Z to undo).")

    def _on_bury(self) -> None:
        self._card_op(self.cards.bury, True, "Card buried until tomorrow (Ctrl+Z to undo).")

    def _on_flag(self, flag: int) -> None:
        if self.card is not None and not self.busy:
            new = 0 if self.card.flag == flag else flag
            card_id, cards = self.card.card_id, self.cards
            self.busy = True
            self.runner.op(
                lambda _p: cards.set_flag([card_id], new),
                initiator=self,
                done=lambda _n: self.reload_current(),
                failed=self._on_answer_failed,
            )

    def _card_op(self, fn: Callable[[list[int], bool], OpResult[int]], on: bool, note: str) -> None:
        """Suspend or bury the card on screen, then show the next one."""
        if self.card is None or self.busy:
            return
        card_id = self.card.card_id
        self.busy = True

        def after(_n: int) -> None:
            self.sig_message.emit(note)
            self.next()

        self.runner.op(
            lambda _p: fn([card_id], on), initiator=self, done=after, failed=self._on_answer_failed
        )


def _button_css(accent: str) -> str:
    """Flat button with a coloured bottom edge; colours from the palette follow the theme.
    The keyboard focus is a highlight-coloured frame on the other three sides, so a focused
    button keeps its stripe."""
    focus = "2px solid palette(highlight)"
    return (
        "QPushButton { background: palette(button); color: palette(button-text);"
        f" border: 1px solid palette(mid); border-bottom: 4px solid {accent};"
        " border-radius: 6px; padding: 6px 12px; font-size: 14px; }"
        "QPushButton:hover { background: palette(light); }"
        f"QPushButton:focus {{ border-top: {focus}; border-left: {focus};"
        f" border-right: {focus}; }}"
    )
