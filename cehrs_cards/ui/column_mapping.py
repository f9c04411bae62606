"""Column mapping for plain CSV/TSV files: which column is which field, the tags, the deck."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.services.records import ColumnMapping
from cehrs_cards.services.transfer import TextLayout
from cehrs_cards.ui.widgets import bounded, named

IGNORE, TAGS, DECK, GUID = "(ignore)", "Tags", "Deck", "ID (guid)"
_META = {TAGS: "tags_column", DECK: "deck_column", GUID: "guid_column"}


class ColumnMappingPanel(QWidget):
    """A note-type choice, a header-row switch and one role per column over the first rows."""

    sig_changed = Signal(object)  # the new ColumnMapping

    def __init__(self, layout: TextLayout, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_info = layout
        self.notetype = named(bounded(QComboBox()), "Note type")
        self.notetype.addItems(sorted(layout.notetypes))
        self.notetype.setCurrentText(layout.mapping.notetype)
        self.header = QCheckBox("First row holds column names")
        self.header.setChecked(layout.mapping.first_row_is_header)
        self.deck = named(QLineEdit(layout.mapping.deck), "Deck")
        self.deck.setPlaceholderText("deck for the notes (A::B nests)")
        self.table = named(QTableWidget(), "Columns of the file", "The first row says what each is")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(150)
        top = QHBoxLayout()
        top.addWidget(QLabel("Note type"))
        top.addWidget(self.notetype, 1)
        top.addWidget(QLabel("Deck"))
        top.addWidget(self.deck, 1)
        top.addWidget(self.header)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(top)
        box.addWidget(self.table)
        self.show_layout(layout)
        self.notetype.currentTextChanged.connect(self._on_notetype_changed)
        self.header.toggled.connect(lambda _on: self._emit())
        self.deck.editingFinished.connect(self._emit)

    def show_layout(self, layout: TextLayout) -> None:
        """Fill the table: a role combo per column, then the file's first rows."""
        self.layout_info = layout
        m = layout.mapping
        self.table.clear()
        self.table.setColumnCount(layout.width)
        self.table.setRowCount(len(layout.rows) + 1)
        self.table.setHorizontalHeaderLabels([f"Column {c}" for c in range(1, layout.width + 1)])
        self.table.setVerticalHeaderLabels(
            ["Use as", *[str(i + 1) for i in range(len(layout.rows))]]
        )
        fields = layout.notetypes.get(self.notetype.currentText(), ())
        for col in range(1, layout.width + 1):
            combo = named(bounded(QComboBox(), 16), f"Use column {col} as")
            combo.addItems([IGNORE, *fields, TAGS, DECK, GUID])
            combo.setCurrentText(_role(m, col))
            combo.currentTextChanged.connect(lambda _t: self._emit())
            self.table.setCellWidget(0, col - 1, combo)
        for r, row in enumerate(layout.rows, start=1):
            for c, value in enumerate(row[: layout.width]):
                self.table.setItem(r, c, QTableWidgetItem(value[:80]))

    def _on_notetype_changed(self, _name: str) -> None:
        self.sig_changed.emit(self.mapping(keep_fields=False))  # fields re-derived for the type

    def _emit(self) -> None:
        self.sig_changed.emit(self.mapping())

    def mapping(self, keep_fields: bool = True) -> ColumnMapping:
        """The mapping the combos describe."""
        base = self.layout_info.mapping
        m = replace(
            base,
            notetype=self.notetype.currentText(),
            deck=self.deck.text().strip() or "Default",
            first_row_is_header=self.header.isChecked(),
            fields={},
            tags_column=0,
            deck_column=0,
            guid_column=0,
        )
        for col in range(1, self.table.columnCount() + 1):
            widget = self.table.cellWidget(0, col - 1)
            role = widget.currentText() if isinstance(widget, QComboBox) else IGNORE
            if role in _META:
                setattr(m, _META[role], col)
            elif role != IGNORE and keep_fields:
                m.fields[col] = role
        return m


def _role(m: ColumnMapping, col: int) -> str:
    for role, attr in _META.items():
        if getattr(m, attr) == col:
            return role
    return m.fields.get(col, IGNORE)
