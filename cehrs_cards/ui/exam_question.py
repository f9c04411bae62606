"""The question screen of a mock or block: countdown, question n of N, four options (mouse or
1-4 / A-D), flag, previous/next, the navigator, and in tutor mode the explanation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QMouseEvent, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import domain_name
from cehrs_cards.core.exam import LETTERS, Slot
from cehrs_cards.core.render import replace_sounds
from cehrs_cards.ui.exam_navigator import Cell, NavigatorGrid, NavigatorPanel
from cehrs_cards.ui.mcq_html import revealed_html
from cehrs_cards.ui.review_card import sound_label
from cehrs_cards.ui.safe_html import inline_media
from cehrs_cards.ui.theme import card_css, colours, is_dark, theme_signals
from cehrs_cards.ui.zoom import add_zoom_keys, text_zoom

STATES = ("selected", "right", "wrong")  # an option's state; the tints are in Colours
NARROW = 940
"""Below this width (logical pixels) the navigator has 5 columns, not 10."""
SHORT = 560
"""Below this height the options sit closer together."""


@dataclass(frozen=True)
class QuestionView:
    """Everything the question screen shows for one item."""

    index: int
    total: int
    slot: Slot
    cells: list[Cell]
    reveal: bool  # tutor mode: show right/wrong and the explanation
    show_domain: bool
    filter_label: str = ""


class OptionButton(QFrame):
    """One answer option: a letter badge and word-wrapped text. Right-click strikes it out."""

    sig_pick = Signal(int)
    sig_strike = Signal(int)

    def __init__(self, index: int, dark: bool) -> None:
        super().__init__()
        self.index = index
        self.state = ("", False)
        self.setObjectName("option")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.badge = QLabel(LETTERS[index])
        self.badge.setObjectName("optionBadge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setFixedSize(30, 30)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setObjectName("optionText")
        row = self.row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 10, 8)
        row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        self.set_state("", False)

    def set_compact(self, compact: bool) -> None:
        """Less space above and below the text (a short window)."""
        margin = 4 if compact else 8
        self.row.setContentsMargins(10, margin, 10, margin)

    def set_state(self, state: str, struck: bool) -> None:
        """state: '' | selected | right | wrong; colours of the current theme, text at the
        current zoom."""
        self.state = (state, struck)
        c = colours()
        bg = c.tints[STATES.index(state)] if state else "palette(base)"
        fg = c.muted if struck else "palette(text)"
        edge = {"selected": "palette(highlight)", "right": c.right, "wrong": c.error}
        size = round(15 * text_zoom().factor())
        self.setStyleSheet(
            f"QFrame#option {{ background: {bg}; border: 2px solid "
            f"{edge.get(state, 'palette(mid)')}; border-radius: 8px; }}"
            "QLabel#optionBadge { border: 1px solid palette(mid); border-radius: 15px;"
            " font-weight: bold; background: palette(button); }"
            f"QLabel#optionText {{ font-size: {size}px; color: {fg}; }}"
        )
        font = self.text.font()
        font.setStrikeOut(struck)
        self.text.setFont(font)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self.sig_strike.emit(self.index)
        elif event.button() == Qt.MouseButton.LeftButton:
            self.sig_pick.emit(self.index)


class QuestionPage(QWidget):
    sig_pick = Signal(int)
    sig_strike = Signal(int)
    sig_flag = Signal()
    sig_next = Signal()
    sig_prev = Signal()
    sig_goto = Signal(int)
    sig_review = Signal()
    sig_pause = Signal()
    sig_ask_number = Signal()

    def __init__(self, media_dir: Path, dark: bool, allow_pause: bool, allow_strike: bool) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.media_dir = media_dir
        self.dark = dark
        self.allow_strike = allow_strike
        self.position = QLabel()
        self.position.setObjectName("examPosition")
        self.domain = QLabel()
        self.domain.setObjectName("examDomain")
        self.clock = QLabel()
        self.clock.setObjectName("examClock")
        self.flag_button = QPushButton("⚑ Flag for review (F)")
        self.flag_button.setCheckable(True)
        self.flag_button.setMinimumWidth(190)
        self.flag_button.setStyleSheet(
            "QPushButton { padding: 4px 10px; }"
            f"QPushButton:checked {{ background: {colours().flag_button}; color: white;"
            " border: 1px solid palette(shadow); border-radius: 4px; font-weight: bold; }"
        )
        self.flag_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.flag_button.clicked.connect(self.sig_flag.emit)
        self.pause_button = QPushButton("Pause (Ctrl+P)")
        self.pause_button.setVisible(allow_pause)
        self.pause_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pause_button.clicked.connect(self.sig_pause.emit)
        self.stem = QLabel()
        self.stem.setObjectName("examStem")
        self.stem.setWordWrap(True)
        self.stem.setTextFormat(Qt.TextFormat.RichText)
        self.view: QuestionView | None = None
        self.options = [OptionButton(i, dark) for i in range(4)]
        for o in self.options:
            o.sig_pick.connect(self.sig_pick.emit)
            o.sig_strike.connect(self.sig_strike.emit)
        self.explanation = QLabel()
        self.explanation.setObjectName("examExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.grid = NavigatorGrid(columns=10, cell=28)
        self.grid.sig_goto.connect(self.sig_goto.emit)
        self.prev_button = _nav_button("◀  Previous (←)", self.sig_prev.emit)
        self.next_button = _nav_button("Next (→)  ▶", self.sig_next.emit)
        self.review_button = _nav_button("Review screen (R)", self.sig_review.emit)
        self.body = QStackedWidget()
        self._build()
        self._shortcuts(allow_pause)
        self._zoom_text()
        add_zoom_keys(self)
        text_zoom().sig_changed.connect(self._on_look_changed)
        theme_signals().sig_changed.connect(self._on_look_changed)

    def _zoom_text(self) -> None:
        """Stem and explanation at the current zoom (the options size theirs)."""
        z = text_zoom().factor()
        self.stem.setStyleSheet(f"font-size: {round(17 * z)}px;")
        self.explanation.setStyleSheet(
            "QLabel#examExplanation { border: 1px solid palette(mid); border-radius: 8px;"
            " padding: 10px; background: palette(alternate-base);"
            f" font-size: {round(14 * z)}px; }}"
        )

    def _on_look_changed(self, _value: object) -> None:
        """A zoom step or a theme switch: draw the question again."""
        self._zoom_text()
        for option in self.options:
            option.set_state(*option.state)
        if self.view is not None:
            self.show_view(self.view)

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.position)
        top.addSpacing(16)
        top.addWidget(self.domain)
        top.addStretch(1)
        top.addWidget(self.pause_button)
        top.addWidget(self.flag_button)
        top.addSpacing(12)
        top.addWidget(self.clock)
        content = QWidget()
        col = self.column = QVBoxLayout(content)
        col.setContentsMargins(4, 4, 12, 4)
        col.setSpacing(10)
        col.addWidget(self.stem)
        col.addSpacing(6)
        for o in self.options:
            col.addWidget(o)
        col.addWidget(self.explanation)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(content)
        paused = QLabel("<h2>Paused</h2><p>The clock is stopped. Press Ctrl+P to resume.</p>")
        paused.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(scroll)
        self.body.addWidget(paused)
        middle = QHBoxLayout()
        middle.addWidget(self.body, 1)
        middle.addSpacing(12)
        self.navigator = NavigatorPanel(self.grid, "Navigator")
        middle.addWidget(self.navigator)
        bottom = QHBoxLayout()
        bottom.addWidget(self.prev_button)
        bottom.addStretch(1)
        bottom.addWidget(self.review_button)
        bottom.addWidget(self.next_button)
        hint = QLabel(self._hint_text())
        hint.setWordWrap(True)
        hint.setObjectName("examHint")
        hint.setStyleSheet("color: palette(placeholder-text);")
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 12, 18, 12)
        box.addLayout(top)
        box.addWidget(_rule())
        box.addLayout(middle, 1)
        box.addWidget(_rule())
        box.addLayout(bottom)
        box.addWidget(hint)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A laptop's screen (1366x768 at 150 % leaves about 870x490): a narrower navigator
        and closer options, so the stem and all four options show without scrolling."""
        super().resizeEvent(event)
        self.navigator.set_columns(10 if self.width() >= NARROW else 5)
        compact = self.height() < SHORT
        self.column.setSpacing(6 if compact else 10)
        for option in self.options:
            option.set_compact(compact)

    def _hint_text(self) -> str:
        extra = " · Alt+1-4 or right-click: strike out" if self.allow_strike else ""
        return (
            "Keys: 1-4 or A-D answer · → / N next · ← / P previous · F flag · R review screen · "
            f"Ctrl+G go to question{extra}"
        )

    def _shortcuts(self, allow_pause: bool) -> None:
        keys: dict[str, Callable[[], object]] = {}
        for i, letter in enumerate(LETTERS):
            keys[str(i + 1)] = partial(self.sig_pick.emit, i)
            keys[letter] = partial(self.sig_pick.emit, i)
            if self.allow_strike:
                keys[f"Alt+{i + 1}"] = partial(self.sig_strike.emit, i)
        for key in ("Right", "N", "PgDown", "Return", "Enter"):
            keys[key] = self.sig_next.emit
        for key in ("Left", "P", "PgUp"):
            keys[key] = self.sig_prev.emit
        keys |= {"F": self.sig_flag.emit, "R": self.sig_review.emit}
        keys["Ctrl+G"] = self.sig_ask_number.emit
        if allow_pause:
            keys["Ctrl+P"] = self.sig_pause.emit
        for key, slot in keys.items():
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    # ----- showing ------------------------------------------------------------------------
    def show_view(self, v: QuestionView) -> None:
        self.view = v
        s = v.slot
        label = f"<b>Question {v.index + 1} of {v.total}</b>"
        self.position.setText(label + (f"  ·  {v.filter_label}" if v.filter_label else ""))
        dom = f"Domain {s.item.domain}: {domain_name(s.item.domain)}" if v.show_domain else ""
        gen = "  ·  <i>generated item</i>" if s.item.generated and v.show_domain else ""
        self.domain.setText(dom + gen)
        self.stem.setText(inline_media(no_sound_tags(s.item.stem), self.media_dir))
        for i, o in enumerate(self.options):
            o.text.setText(inline_media(no_sound_tags(s.item.options[i]), self.media_dir))
            o.set_state(_option_state(s, i, v.reveal), i in s.struck)
            o.setAccessibleName(f"Option {LETTERS[i]}: {o.text.text()}")
        self.flag_button.setChecked(s.flagged)
        self.flag_button.setText("⚑ Flagged (F)" if s.flagged else "⚑ Flag for review (F)")
        self.explanation.setVisible(v.reveal)
        if v.reveal:
            css = card_css(is_dark(), text_zoom().factor())
            styled = f"<style>{css}</style>{explanation_html(s)}"
            self.explanation.setText(inline_media(no_sound_tags(styled), self.media_dir))
        self.prev_button.setEnabled(v.index > 0)
        self.grid.set_cells(v.cells, v.index)

    def set_clock(self, text: str, warn: bool) -> None:
        colour = colours().error if warn else "palette(text)"
        self.clock.setStyleSheet(f"font-size: 16px; font-weight: bold; color: {colour};")
        self.clock.setText(text)

    def set_paused(self, paused: bool) -> None:
        self.body.setCurrentIndex(1 if paused else 0)
        self.pause_button.setText("Resume (Ctrl+P)" if paused else "Pause (Ctrl+P)")


def _option_state(s: Slot, i: int, reveal: bool) -> str:
    if reveal and s.answered:
        if i == s.item.answer:
            return "right"
        return "wrong" if i == s.choice else ""
    return "selected" if s.choice == i else ""


def explanation_html(s: Slot, with_text: bool = False) -> str:
    """The verdict, then each option marked right / yours with its reason under it (each
    reason once: ui/mcq_html.py); the option texts too if `with_text`."""
    it = s.item
    return revealed_html(it.options, it.answer, s.choice, it.explanation, it.rationales, with_text)


def no_sound_tags(html: str) -> str:
    """Deck HTML with [sound:] tags as small labels (nothing plays on an exam screen)."""
    return replace_sounds(html, sound_label) if "[sound:" in html else html


def _nav_button(text: str, slot: Callable[[], object]) -> QPushButton:
    b = QPushButton(text)
    b.setMinimumHeight(38)
    b.setMinimumWidth(150)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.clicked.connect(slot)
    return b


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color: palette(mid);")
    return line
