"""The browser's table model: every matching card id is held, rows are fetched a page at a time
as the view asks for them (and forgotten when far away), so 100,000 cards cost a list of ints."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from cehrs_cards.core.domains import domain_name
from cehrs_cards.core.records import CardState
from cehrs_cards.core.scheduling import format_interval
from cehrs_cards.services.browse import BrowseRow
from cehrs_cards.ui.browser_held_out import HELD_OUT_TIP
from cehrs_cards.ui.theme import colours

PAGE = 100
MAX_PAGES = 40
Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, str, int]  # sort key, title, width
COLUMNS: tuple[Column, ...] = (
    ("front", "Question", 260),
    ("domain", "Domain", 96),
    ("deck", "Deck", 140),
    ("tags", "Tags", 100),
    ("due", "Due", 82),
    ("interval", "Interval", 60),
    ("stability", "Stability", 64),
    ("retrievability", "Recall", 54),
    ("lapses", "Lapses", 50),
    ("reps", "Reviews", 58),
    ("created", "Created", 82),
)
CARD_LEVEL = frozenset({"due", "interval", "stability", "retrievability", "lapses", "reps"})
"""Columns that describe one card: empty in notes mode (a note's cards differ in them)."""
SUSPENDED_TINT = "#f2c14e"  # yellow, as Anki's suspended rows
FLAG_ALPHA, SUSPENDED_ALPHA = 60, 70  # row tints over the table's background: text stays 4.5:1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _tint(colour: str, alpha: int = FLAG_ALPHA) -> QBrush:
    c = QColor(colour)
    c.setAlpha(alpha)
    return QBrush(c)


class CardTableModel(QAbstractTableModel):
    sig_sort = Signal(str, bool)  # sort key, descending

    def __init__(
        self, fetch: Callable[[Sequence[int]], list[BrowseRow]], now: Callable[[], datetime]
    ) -> None:
        super().__init__()
        self._fetch = fetch
        self._now = now
        self.ids: list[int] = []
        self._pages: OrderedDict[int, dict[int, BrowseRow]] = OrderedDict()
        self.fetches = 0  # pages read from the database (tests check the laziness)
        self.notes_mode = False  # rows stand for notes: card-level columns stay empty

    # ----- contents ----------------------------------------------------------------------------
    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self.ids = ids
        self._pages.clear()
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Forget fetched rows (the cards changed); the view asks again for what it shows."""
        self._pages.clear()
        if self.ids:
            last = self.index(len(self.ids) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def row_at(self, row: int) -> BrowseRow | None:
        """The row's card (None if it was deleted since the search)."""
        if not 0 <= row < len(self.ids):
            return None
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            rows = self._load(page)
        else:
            self._pages.move_to_end(page)
        return rows.get(self.ids[row])

    def _load(self, page: int) -> dict[int, BrowseRow]:
        ids = self.ids[page * PAGE : (page + 1) * PAGE]
        rows = {r.card_id: r for r in self._fetch(ids)}
        self.fetches += 1
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return rows

    # ----- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the database's job: ask the window to search again in this order."""
        self.sig_sort.emit(COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self.ids[index.row()]
        row = self.row_at(index.row())
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if self.notes_mode and key in CARD_LEVEL:
                return ""
            return "(deleted)" if row is None else self._text(row, key)
        if row is None:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and key not in (
            "front",
            "deck",
            "tags",
            "domain",
        ):
            return _RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            flags = colours().flags  # the current theme's, read when the row is painted
            if 0 < row.flag <= len(flags):
                return _tint(flags[row.flag - 1])
            return _tint(SUSPENDED_TINT, SUSPENDED_ALPHA) if row.suspended else None
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._tooltip(row, key)
            return f"{HELD_OUT_TIP}\n{tip}" if row.held_out else tip
        if row.held_out and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(colours().muted))  # greyed: a diagnostic item, not a card
        if row.held_out and role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _text(self, r: BrowseRow, key: str) -> str:
        match key:
            case "front":
                return r.question
            case "domain":
                return f"{r.domain} {domain_name(r.domain).split()[0]}" if r.domain else "—"
            case "deck":
                return r.deck.rpartition("::")[2]  # the full path is in the tooltip
            case "tags":
                return r.tags
            case "due":
                return self._due(r)
            case "interval":
                return format_interval(timedelta(days=r.interval)) if r.interval is not None else ""
            case "stability":
                return f"{r.stability:.1f}d" if r.stability else ""
            case "retrievability":
                return f"{r.retrievability:.0%}" if r.retrievability is not None else ""
            case "lapses":
                return str(r.lapses)
            case "reps":
                return str(r.reps)
            case "created":
                return r.created.astimezone().strftime("%Y-%m-%d")
        return ""

    def _due(self, r: BrowseRow) -> str:
        if r.state == CardState.NEW or r.due is None:
            text = "New"
        else:
            local = r.due.astimezone()
            same_day = local.date() == self._now().astimezone().date()
            text = local.strftime("%H:%M") if same_day else local.strftime("%Y-%m-%d")
        if r.suspended:
            return f"({text})"
        return f"[{text}]" if r.buried else text

    def _tooltip(self, r: BrowseRow, key: str) -> str:
        if key == "front":
            return r.question
        if key == "domain":
            return domain_name(r.domain)
        if key == "deck":
            return r.deck
        state = "suspended" if r.suspended else "buried" if r.buried else r.state.name.lower()
        return f"Card {r.card_id} · {state}"
