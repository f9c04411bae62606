"""The note editor beside the browser's table: fields, tags, domain and deck of the selected
card's note, with a rendered preview of its first card beside the fields (updated as you type,
through the same safe rendering as review). Ctrl+Enter saves; moving to another card saves a
changed note first (as Anki)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import DOMAINS, UNASSIGNED, domain_name
from cehrs_cards.core.render import replace_sounds
from cehrs_cards.services.notes import NoteChange, NoteDetail
from cehrs_cards.ui.review_card import sound_label
from cehrs_cards.ui.safe_html import SafeTextBrowser, esc, inline_media, shortened
from cehrs_cards.ui.theme import card_css, is_dark, theme_signals
from cehrs_cards.ui.widgets import FieldEdit, TagsEdit, bounded, name_label

PREVIEW_ZOOM = 0.8  # the preview shares the pane with the fields

FIELD_HEIGHTS = ((60, 48), (160, 96), (360, 156), (10**9, 220))
"""(characters below, pixel height): a field's box grows with what it holds."""


def domain_box(current: int = UNASSIGNED) -> QComboBox:
    """Domains 1-5 then Unassigned, the item data being the domain id."""
    combo = QComboBox()
    for dom in (*(d.id for d in DOMAINS), UNASSIGNED):
        combo.addItem(f"{dom} {domain_name(dom)}" if dom else domain_name(dom), dom)
    combo.setCurrentIndex(combo.findData(current))
    return combo


def deck_box(decks: list[str], current: str = "") -> QComboBox:
    """An editable deck chooser: pick a deck or type a new name (Parent::Child)."""
    combo = bounded(QComboBox())
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems(decks)
    combo.setCurrentText(current)
    return combo


class NoteEditor(QWidget):
    sig_save = Signal(object)  # NoteChange

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: NoteDetail | None = None
        self.editors: dict[str, FieldEdit] = {}
        self.title = QLabel("Select a card to edit its note.")
        self.title.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.form)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tags = TagsEdit()
        self.domain = domain_box()
        self.deck = deck_box([])
        self.save_button = QPushButton("Save  (Ctrl+Enter)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.clicked.connect(lambda: self.load(self.detail))
        self.media_dir: Path | None = None
        self.preview = SafeTextBrowser()
        self.preview.setAccessibleName("Card preview")
        self.preview.document().setDocumentMargin(10)
        self.set_dark(is_dark())
        theme_signals().sig_changed.connect(self._on_theme_changed)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(200)
        self._preview_timer.timeout.connect(self.show_preview)
        self._layout(scroll)
        for key in ("Ctrl+Return", "Ctrl+Enter"):  # Ctrl+S is the window's Save note
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.save)
        self.load(None)

    def _layout(self, scroll: QScrollArea) -> None:
        meta = QFormLayout()
        meta.addRow("Tags", self.tags)
        meta.addRow("Domain", self.domain)
        meta.addRow("Deck", self.deck)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        split = QSplitter(Qt.Orientation.Vertical)  # the pane is narrow: preview below
        split.addWidget(scroll)
        split.addWidget(self.preview)
        split.setChildrenCollapsible(False)
        split.setSizes([420, 220])
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 4, 4, 4)
        box.addWidget(self.title)
        box.addWidget(split, 1)
        box.addLayout(meta)
        box.addLayout(buttons)

    def set_dark(self, dark: bool) -> None:
        """The card style of the theme, a little smaller than on the review screen."""
        self.preview.document().setDefaultStyleSheet(card_css(dark, PREVIEW_ZOOM))

    def _on_theme_changed(self, dark: bool) -> None:
        self.set_dark(dark)
        self.show_preview()

    def show_preview(self) -> None:
        """The first card of the note as its fields now stand: front, then the back."""
        d = self.detail
        if d is None or d.notetype_def is None:
            self.preview.setHtml("<p class='muted'>Preview: select a card.</p>")
            return
        fields = {k: e.value() for k, e in self.editors.items()}
        nt = d.notetype_def
        ords = nt.ords(fields)
        front, back = nt.render(fields, ords[0] if ords else 0)
        body = replace_sounds(f"{front}<hr>{back}", sound_label)
        head = "<p class='muted'>Preview of card 1 (front, then back)</p>"
        self.preview.setHtml(f"<body>{head}{inline_media(body, self.media_dir)}</body>")

    def set_choices(self, decks: list[str], tags: list[str]) -> None:
        current = self.deck.currentText()
        self.deck.clear()
        self.deck.addItems(decks)
        self.deck.setCurrentText(current)
        completer = QCompleter(tags, self.tags)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags.setCompleter(completer)

    def load(self, detail: NoteDetail | None) -> None:
        """Show a note (None: nothing selected)."""
        self.detail = detail
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        for w in (self.tags, self.domain, self.deck, self.save_button, self.revert_button):
            w.setEnabled(detail is not None)
        if detail is None:
            self.title.setText("Select a card to edit its note.")
            self.tags.load([])
            self.show_preview()
            return
        cards = len(detail.card_ids)
        plural = "s" * (cards != 1)
        self.title.setText(
            f"<b>{esc(shortened(detail.notetype, 60))}</b> note {detail.note_id} · {cards} "
            f"card{plural}"
        )
        for name, value in detail.fields.items():
            ed = FieldEdit(value, name)
            ed.setFixedHeight(next(h for n, h in FIELD_HEIGHTS if len(value) < n))
            self.editors[name] = ed
            self.form.addRow(name_label(name), ed)
            ed.textChanged.connect(self._preview_timer.start)
        self.show_preview()
        self.tags.load(detail.tags)
        self.domain.setCurrentIndex(self.domain.findData(detail.domain))
        self.deck.setCurrentText(detail.deck)

    def change(self) -> NoteChange | None:
        if self.detail is None:
            return None
        return NoteChange(
            note_id=self.detail.note_id,
            fields={k: e.value() for k, e in self.editors.items()},
            tags=self.tags.tags(),
            domain=int(self.domain.currentData()),
            deck=self.deck.currentText().strip(),
        )

    def is_dirty(self) -> bool:
        d, c = self.detail, self.change()
        if d is None or c is None:
            return False
        return (c.fields, c.tags, c.domain, c.deck) != (d.fields, d.tags, d.domain, d.deck)

    def mark_saving(self, change: NoteChange) -> None:
        """The change is on its way to the database: the editor is no longer dirty."""
        d = self.detail
        if d is not None and d.note_id == change.note_id:
            self.detail = replace(
                d, fields=change.fields, tags=change.tags, domain=change.domain, deck=change.deck
            )

    def save(self) -> None:
        change = self.change()
        if change is not None and self.is_dirty():
            self.sig_save.emit(change)

    def focus_first(self) -> None:
        if self.editors:
            next(iter(self.editors.values())).setFocus()
