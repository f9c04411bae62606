"""Deck list: decks with today's new / learning / due counts, and the same by CEHRS domain."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
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

COUNT_COLOURS = ("#1a73e8", "#d93025", "#188038")  # new, learning, due (as in Anki)


def _count_item(value: int, colour: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if value and colour:
        item.setForeground(_brush(colour))
    return item


def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))


class _SelectionReadable(QStyledItemDelegate):
    """Coloured counts switch to the highlighted-text colour on a selected row."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        if option.state & QStyle.StateFlag.State_Selected:
            option.palette.setBrush(
                QPalette.ColorRole.Text, option.palette.brush(QPalette.ColorRole.HighlightedText)
            )
            option.backgroundBrush = QBrush()


class DeckListView(QWidget):
    sig_study = Signal(object)  # deck id, or None for every deck

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("<h2>Today</h2>")
        self.today = QLabel()
        self.pace = QLabel()  # exam-date pace of new cards (hidden without an exam date)
        self.pace.setObjectName("examPace")
        self.pace.setWordWrap(True)
        self.pace.hide()
        self.today.setObjectName("todaySummary")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Deck", "New", "Learning", "Due", "Cards"])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemActivated.connect(self._on_tree_activated)
        self.tree.setItemDelegate(_SelectionReadable(self.tree))
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.domains = QTableWidget(0, 6)
        self.domains.setHorizontalHeaderLabels(
            ["CEHRS domain", "Exam weight", "New", "Learning", "Due", "Cards"]
        )
        self.domains.verticalHeader().setVisible(False)
        self.domains.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.domains.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.domains.setFocusPolicy(Qt.FocusPolicy.NoFocus)
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
        QShortcut(QKeySequence("S"), self, activated=lambda: self.sig_study.emit(None))

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
            item = QTreeWidgetItem(
                [
                    f"{leaf} · bundled" if row.name == ROOT_DECK else leaf,
                    str(row.counts.new),
                    str(row.counts.learning),
                    str(row.counts.due),
                    str(row.total),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, row.deck_id)
            if row.name == ROOT_DECK:
                item.setToolTip(0, "The CEHRS deck that comes with CEHRS Cards")
            for col, colour in zip((1, 2, 3), COUNT_COLOURS, strict=True):
                item.setTextAlignment(
                    col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                if item.text(col) != "0":
                    item.setForeground(col, _brush(colour))
            item.setTextAlignment(4, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            (items[parent_name].addChild if parent_name in items else self.tree.addTopLevelItem)(
                item
            )
            items[row.name] = item
            if row.deck_id == selected:
                self.tree.setCurrentItem(item)
        self.tree.expandAll()
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def show_domains(self, counts: dict[int, tuple[Counts, int]], limited_total: Counts) -> None:
        rows = [(d, c, t) for d, (c, t) in counts.items() if d in DOMAIN_BY_ID or t]
        self.domains.setRowCount(len(rows))
        for r, (dom, c, total) in enumerate(rows):
            weight = f"{DOMAIN_BY_ID[dom].weight:.0%}" if dom in DOMAIN_BY_ID else "—"
            label = f"{dom}  {domain_name(dom)}" if dom else domain_name(dom)
            self.domains.setItem(r, 0, QTableWidgetItem(label))
            self.domains.setItem(r, 1, QTableWidgetItem(weight))
            for col, (v, colour) in enumerate(
                zip((c.new, c.learning, c.due), COUNT_COLOURS, strict=True), 2
            ):
                self.domains.setItem(r, col, _count_item(v, colour))
            self.domains.setItem(r, 5, _count_item(total))
        self.domains.resizeRowsToContents()
        rows_h = sum(self.domains.rowHeight(r) for r in range(self.domains.rowCount()))
        frame = 2 * self.domains.frameWidth()
        self.domains.setFixedHeight(self.domains.horizontalHeader().height() + rows_h + frame)
        t = limited_total
        new, learn, due = COUNT_COLOURS
        self.today.setText(
            f"Ready to study today: <b style='color:{new}'>{t.new}</b> new, "
            f"<b style='color:{learn}'>{t.learning}</b> learning, "
            f"<b style='color:{due}'>{t.due}</b> due "
            "(domain rows count everything available, before daily limits)."
        )

    def show_pace(self, message: str | None, warn: bool = False) -> None:
        """The exam-date pace line; a warning colour when the daily limit makes it impossible."""
        self.pace.setVisible(bool(message))
        self.pace.setText(message or "")
        self.pace.setStyleSheet("color: #d93025; font-weight: bold;" if warn else "")

    def selected_deck(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def _on_tree_activated(self, item: QTreeWidgetItem, _col: int) -> None:
        self.sig_study.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def _on_study_clicked(self) -> None:
        self.sig_study.emit(self.selected_deck())
