"""The browser's side panel: saved searches, card states, domains, decks, tags and note types.
Activating an item searches for it; Ctrl narrows the current search (and), Shift widens it (or)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QTreeWidget, QTreeWidgetItem, QWidget

from cehrs_cards.core.domains import DOMAINS, UNASSIGNED, domain_name
from cehrs_cards.core.search import quote
from cehrs_cards.services.browse import SidebarData
from cehrs_cards.ui.browser_held_out import HELD_OUT_QUERY, HELD_OUT_TIP
from cehrs_cards.ui.safe_html import tip

QUERY = Qt.ItemDataRole.UserRole
SAVED = Qt.ItemDataRole.UserRole + 1  # name of a saved search
CARD_STATES = (
    ("Due today", "is:due"),
    ("New", "is:new"),
    ("Learning", "is:learn"),
    ("Review", "is:review"),
    ("Weak (recall < 80%)", "prop:r<0.8"),
    ("Leeches", "is:leech"),
    ("Flagged", "is:flagged"),
    ("Suspended", "is:suspended"),
    ("Buried", "is:buried"),
    ("Held-out items", "is:heldout"),
    ("Added today", "added:1"),
    ("Studied today", "rated:1"),
    ("Added this week", "added:7"),
)


class Sidebar(QTreeWidget):
    sig_search = Signal(str, str)  # query, how: "replace" | "and" | "or"
    sig_delete_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setMinimumWidth(190)
        self.setAccessibleName("Side panel")
        self.itemClicked.connect(self._on_item_activated)  # keyboard: Enter, see keyPressEvent
        self._expanded: set[str] = {"Cards", "Domains", "Decks", "Saved searches"}

    def show_data(self, data: SidebarData) -> None:
        """Rebuild from the service's lists, keeping which sections were open."""
        self._remember_expanded()
        self.clear()
        saved = self._section("Saved searches")
        if not data.saved:
            hint = QTreeWidgetItem(["(none yet: Ctrl+Shift+S saves one)"])
            hint.setDisabled(True)
            saved.addChild(hint)
        for name, query in data.saved.items():
            item = self._leaf(saved, name, query)
            item.setData(0, SAVED, name)
            item.setToolTip(0, tip(f"{query}\n(Delete removes this saved search)"))
        states = self._section("Cards")
        for label, query in CARD_STATES:
            item = self._leaf(states, label, query)
            if query == HELD_OUT_QUERY:
                item.setToolTip(0, tip(f"{query}\n{HELD_OUT_TIP}: showing them asks first"))
        domains = self._section("Domains")
        for d in (*(d.id for d in DOMAINS), UNASSIGNED):
            label = f"{d} {domain_name(d)}" if d else domain_name(d)
            self._leaf(domains, label, f"domain:{d}")
        self._tree(self._section("Decks"), data.decks, "deck")
        self._tree(self._section("Tags"), data.tags, "tag")
        types = self._section("Note types")
        for name in data.notetypes:
            self._leaf(types, name, f"note:{quote(name)}")
        for top in self._sections():
            top.setExpanded(top.text(0) in self._expanded)

    def _sections(self) -> list[QTreeWidgetItem]:
        items = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _remember_expanded(self) -> None:
        if self.topLevelItemCount():
            self._expanded = {top.text(0) for top in self._sections() if top.isExpanded()}

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([title])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        self.addTopLevelItem(item)
        return item

    def _leaf(self, parent: QTreeWidgetItem, label: str, query: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label])
        item.setData(0, QUERY, query)
        item.setToolTip(0, tip(query))
        parent.addChild(item)
        return item

    def _tree(self, section: QTreeWidgetItem, names: list[str], key: str) -> None:
        """Names with '::' levels as a tree; each item searches itself and what is below."""
        items: dict[str, QTreeWidgetItem] = {}
        for name in names:
            parent_name, _, leaf = name.rpartition("::")
            parent = items.get(parent_name, section)
            items[name] = self._leaf(parent, leaf, f"{key}:{quote(name)}")

    # ----- activation ------------------------------------------------------------------------
    def _on_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        query = item.data(0, QUERY)
        if not query:
            return
        mods = QApplication.keyboardModifiers()
        how = "replace"
        if mods & Qt.KeyboardModifier.ControlModifier:
            how = "and"
        elif mods & Qt.KeyboardModifier.ShiftModifier:
            how = "or"
        self.sig_search.emit(str(query), how)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if event.key() == Qt.Key.Key_Delete and item is not None and item.data(0, SAVED):
            self.sig_delete_saved.emit(str(item.data(0, SAVED)))
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            if item.data(0, QUERY):
                self._on_item_activated(item)
            else:
                item.setExpanded(not item.isExpanded())
            return
        super().keyPressEvent(event)

    def select_query(self, query: str) -> bool:
        """Make the item searching `query` current (for keyboard users and tests)."""
        for item in self.findItems("*", Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive):
            if item.data(0, QUERY) == query:
                self.setCurrentItem(item)
                return True
        return False
