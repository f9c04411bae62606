"""Deck list: decks with today's new / learning / due counts, and the same by CEHRS domain."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import DOMAIN_BY_ID, domain_name
from cehrs_cards.core.records import Counts, DeckRow
from cehrs_cards.services.bundled import ROOT_DECK
from cehrs_cards.ui.theme import colours, set_text_colour, theme_signals
from cehrs_cards.ui.widgets import named

COUNT_KINDS = ("new", "learning", "due")  # coloured as in Anki, in the theme's shades
KIND = Qt.ItemDataRole.UserRole + 1
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _count_item(value: int, kind: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    item.setTextAlignment(RIGHT)
    item.setData(KIND, kind)
    return item


def count_html(counts: Counts, joiner: str = " + ") -> str:
    """New, learning and due counts in their colours (of the current theme)."""
    c = colours()
    values = zip((counts.new, counts.learning, counts.due), c.count_colours(), strict=True)
    return joiner.join(f"<span style='color:{col}'>{v}</span>" for v, col in values)


class _CountColours(QStyledItemDelegate):
    """Counts in the new / learning / due colours of the current theme (read when painted,
    so a theme switch recolours them); the highlighted-text colour on a selected row."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        pal = option.palette
        if option.state & QStyle.StateFlag.State_Selected:
            pal.setBrush(QPalette.ColorRole.Text, pal.brush(QPalette.ColorRole.HighlightedText))
            option.backgroundBrush = QBrush()
            return
        kind = index.data(KIND)
        if kind and index.data() != "0":
            pal.setColor(QPalette.ColorRole.Text, QColor(getattr(colours(), str(kind))))


class DeckListView(QWidget):
    sig_study = Signal(object)  # deck id, or None for every deck

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("<h2>Today</h2>")
        self.today = QLabel()
        self.today.setWordWrap(True)
        self.today.setObjectName("todaySummary")
        self._total: Counts | None = None
        self.pace = QLabel()  # exam-date pace of new cards (hidden without an exam date)
        self.pace.setObjectName("examPace")
        self.pace.setWordWrap(True)
        self.pace.hide()
        self.tree = named(QTreeWidget(), "Decks", "Enter studies the selected deck")
        self.tree.setHeaderLabels(["Deck", "New", "Learning", "Due", "Cards"])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemActivated.connect(self._on_tree_activated)
        self.tree.setItemDelegate(_CountColours(self.tree))
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.domains = named(QTableWidget(0, 6), "Cards by exam domain")
        self.domains.setHorizontalHeaderLabels(
            ["CEHRS domain", "Exam weight", "New", "Learning", "Due", "Cards"]
        )
        self.domains.verticalHeader().setVisible(False)
        self.domains.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.domains.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.domains.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.domains.setItemDelegate(_CountColours(self.domains))
        dh = self.domains.horizontalHeader()
        dh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 6):
            dh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.study_button = QPushButton("Study now")
        self.study_button.setDefault(True)
        self.study_button.setMinimumHeight(36)
        self.study_button.setToolTip("Study the selected deck (Enter); S studies every deck")
        self.study_button.clicked.connect(self._on_study_clicked)
        self._layout()
        every = QShortcut(QKeySequence("S"), self)
        every.activated.connect(lambda: self.sig_study.emit(None))
        theme_signals().sig_changed.connect(self._on_theme_changed)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.study_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.addLayout(top)
        box.addWidget(self.today)
        box.addWidget(self.pace)
        box.addWidget(self.tree, 3)
        box.addWidget(QLabel("<b>By exam domain</b> (NHA CEHRS test plan)"))
        box.addWidget(self.domains)

    def show_decks(self, rows: list[DeckRow]) -> None:
        selected = self.selected_deck()
        self.tree.clear()
        items: dict[str, QTreeWidgetItem] = {}
        for row in rows:
            parent_name, _, leaf = row.name.rpartition("::")
            c = row.counts
            bundled = row.name == ROOT_DECK
            name = f"{leaf} · bundled" if bundled else leaf
            item = QTreeWidgetItem([name, str(c.new), str(c.learning), str(c.due), str(row.total)])
            item.setData(0, Qt.ItemDataRole.UserRole, row.deck_id)
            if bundled:
                item.setToolTip(0, "The CEHRS deck that comes with CEHRS Cards")
            for col in (1, 2, 3, 4):
                item.setTextAlignment(col, RIGHT)
            for col, kind in zip((1, 2, 3), COUNT_KINDS, strict=True):
                item.setData(col, KIND, kind)
            parent = items.get(parent_name)
            if parent is not None:
                parent.addChild(item)
            else:
                self.tree.addTopLevelItem(item)
            items[row.name] = item
            if row.deck_id == selected:
                self.tree.setCurrentItem(item)
        self.tree.expandAll()
        first = self.tree.topLevelItem(0)
        if self.tree.currentItem() is None and first is not None:
            self.tree.setCurrentItem(first)

    def show_domains(self, counts: dict[int, tuple[Counts, int]], limited_total: Counts) -> None:
        rows = [(d, c, t) for d, (c, t) in counts.items() if d in DOMAIN_BY_ID or t]
        self.domains.setRowCount(len(rows))
        for r, (dom, c, total) in enumerate(rows):
            weight = f"{DOMAIN_BY_ID[dom].weight:.0%}" if dom in DOMAIN_BY_ID else "—"
            label = f"{dom}  {domain_name(dom)}" if dom else domain_name(dom)
            self.domains.setItem(r, 0, QTableWidgetItem(label))
            self.domains.setItem(r, 1, QTableWidgetItem(weight))
            values = (c.new, c.learning, c.due)
            for col, (v, kind) in enumerate(zip(values, COUNT_KINDS, strict=True), 2):
                self.domains.setItem(r, col, _count_item(v, kind))
            self.domains.setItem(r, 5, _count_item(total))
        self.domains.resizeRowsToContents()
        rows_h = sum(self.domains.rowHeight(r) for r in range(self.domains.rowCount()))
        frame = 2 * self.domains.frameWidth()
        self.domains.setFixedHeight(self.domains.horizontalHeader().height() + rows_h + frame)
        self._total = limited_total
        self._show_total()

    def _show_total(self) -> None:
        t = self._total
        if t is None:
            return
        new, learn, due = colours().count_colours()
        self.today.setText(
            f"Ready to study today: <b style='color:{new}'>{t.new}</b> new, "
            f"<b style='color:{learn}'>{t.learning}</b> learning, "
            f"<b style='color:{due}'>{t.due}</b> due "
            "(the table by exam domain counts every card waiting, not only today's share)."
        )

    def _on_theme_changed(self, _dark: bool) -> None:
        self._show_total()

    def show_pace(self, message: str | None, warn: bool = False) -> None:
        """The exam-date pace line; a warning colour when the daily limit makes it impossible."""
        self.pace.setVisible(bool(message))
        self.pace.setText(message or "")
        set_text_colour(self.pace, "error" if warn else None, bold=warn)

    def selected_deck(self) -> int | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        deck = item.data(0, Qt.ItemDataRole.UserRole)
        return int(deck) if deck is not None else None

    def _on_tree_activated(self, item: QTreeWidgetItem, _col: int) -> None:
        self.sig_study.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def _on_study_clicked(self) -> None:
        self.sig_study.emit(self.selected_deck())
