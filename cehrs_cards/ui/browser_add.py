"""Add note: choose the type (basic, reversed, cloze, multiple choice), deck, domain and tags,
fill the fields, Ctrl+Enter adds and clears the fields for the next note (as in Anki). Enter
outside a field adds too; Esc or Close with text typed asks before throwing it away."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.notetypes import BUILTINS
from cehrs_cards.services.notes import NewNote, NotesService
from cehrs_cards.ui.browser_editor import deck_box, domain_box
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.theme import set_text_colour
from cehrs_cards.ui.widgets import (
    FieldEdit,
    TagsEdit,
    confirm_discard,
    make_default,
    named,
    scrolled,
)
from cehrs_cards.ui.window_state import keep_geometry

LABEL_WIDTH = 92
HINTS = {
    "basic": "One card: Front asks, Back answers.",
    "reversed": "Two cards: Front → Back and Back → Front.",
    "cloze": "One card per deletion: wrap answers as {{c1::answer}}, {{c2::another::hint}}.",
    "mcq": "One card and a mock-exam item: four options, Answer is the letter (A-D).",
}


def _label(text: str, buddy: QWidget) -> QLabel:
    """Labels of one width, so the three parts of the form line up."""
    label = QLabel(text)
    label.setMinimumWidth(LABEL_WIDTH)
    label.setBuddy(buddy)
    return label


class AddNoteDialog(QDialog):
    sig_added = Signal(list)  # card ids

    def __init__(
        self,
        notes: NotesService,
        runner: OpRunner,
        decks: list[str],
        deck: str = "",
        domain: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add note")
        self.notes = notes
        self.runner = runner
        self.editors: dict[str, FieldEdit] = {}
        self.kind = named(QComboBox(), "Note type")
        for nt in BUILTINS:
            self.kind.addItem(nt.name, nt.kind)
        self.kind.setToolTip("Note type (Ctrl+T)")
        self.deck = named(deck_box(decks, deck or (decks[0] if decks else "Default")), "Deck")
        self.domain = named(domain_box(domain), "CEHRS domain")
        self.tags = named(TagsEdit("space-separated tags, e.g. week3 lecture"), "Tags")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.fields = QFormLayout()
        self.status = QLabel(" ")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.add_button = QPushButton("&Add  (Ctrl+Enter)")
        self.add_button.clicked.connect(self.add)
        close = QPushButton("Close  (Esc)")
        close.setAutoDefault(False)  # Enter adds, wherever the focus is
        close.clicked.connect(self.reject)
        self._layout(close)
        make_default(self.add_button)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self._on_kind_changed()
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self).activated.connect(self.add)
        QShortcut(QKeySequence("Ctrl+T"), self).activated.connect(self.kind.setFocus)
        keep_geometry(self, "add-note", QSize(640, 620))

    def _layout(self, close: QPushButton) -> None:
        top = QFormLayout()
        top.addRow(_label("&Type", self.kind), self.kind)
        top.addRow(_label("&Deck", self.deck), self.deck)
        top.addRow(_label("Do&main", self.domain), self.domain)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.add_button)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.hint)
        box.addWidget(scrolled(self.fields, "Fields"), 1)  # an MCQ has ten fields
        tags = QFormLayout()
        tags.addRow(_label("Ta&gs", self.tags), self.tags)
        box.addLayout(tags)
        box.addLayout(buttons)

    def _on_kind_changed(self) -> None:
        """Rebuild the fields for the chosen type, keeping text typed in fields of the same name."""
        kept = {k: e.value() for k, e in self.editors.items()}
        while self.fields.rowCount():
            self.fields.removeRow(0)
        self.editors.clear()
        nt = BUILTINS[self.kind.currentIndex()]
        self.hint.setText(HINTS.get(nt.kind, ""))
        for name in nt.fields:
            ed = FieldEdit(kept.get(name, ""), name)
            big = name in ("Front", "Back", "Text", "Stem", "Explanation")
            ed.setFixedHeight(72 if big else 34)
            self.editors[name] = ed
            self.fields.addRow(_label(name, ed), ed)

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def new_note(self) -> NewNote:
        return NewNote(
            kind=str(self.kind.currentData()),
            fields={k: e.value() for k, e in self.editors.items()},
            tags=self.tags.tags(),
            domain=int(self.domain.currentData()),
            deck=self.deck.currentText().strip(),
        )

    def add(self) -> None:
        """Add the note; on success clear the fields (deck, domain, tags stay), else say why."""
        new, notes = self.new_note(), self.notes
        self.runner.op(
            lambda _p: notes.add_note(new),
            initiator=self,
            done=self._on_added,
            failed=lambda exc: self._say(str(exc), error=True),
        )

    def _on_added(self, cards: list[int]) -> None:
        for ed in self.editors.values():
            ed.clear()
        if self.editors:
            next(iter(self.editors.values())).setFocus()
        n = len(cards)
        self._say(
            f"Added {n} card{'s' * (n != 1)}. Ctrl+Z in the browser or main window undoes it."
        )
        self.sig_added.emit(cards)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        set_text_colour(self.status, "error" if error else None)

    def typed(self) -> bool:
        """Whether any field holds text (the tags, deck and domain stay between notes)."""
        return any(e.toPlainText().strip() for e in self.editors.values())

    def reject(self) -> None:
        """Esc or Close: a note being typed is only thrown away if the user says so."""
        if self.typed() and not confirm_discard(self, "the note you are typing"):
            return
        super().reject()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.editors:
            next(iter(self.editors.values())).setFocus(Qt.FocusReason.OtherFocusReason)
