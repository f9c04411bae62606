"""The card browser: search box, side panel, a lazily filled table of cards, and the editor of
the selected note. Actions (menus, context menu, shortcuts) are in browser_actions.py.

The table holds only the ids of the matching cards; rows come from the database a page at a
time as they scroll into view, so 100,000 cards stay responsive.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.ops import Changes
from cehrs_cards.core.search import SearchError
from cehrs_cards.services.browse import BrowseService
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.notes import NoteChange, NotesService
from cehrs_cards.ui.browser_actions import BrowserActions
from cehrs_cards.ui.browser_editor import NoteEditor
from cehrs_cards.ui.browser_held_out import HELD_OUT_QUERY, SpoilGuard, asks_for_held_out
from cehrs_cards.ui.browser_model import CARD_LEVEL, COLUMNS, CardTableModel
from cehrs_cards.ui.browser_sidebar import Sidebar
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.theme import set_text_colour
from cehrs_cards.ui.window_state import keep_geometry

ROW_HEIGHT = 24


class BrowserWindow(BrowserActions):
    def __init__(
        self,
        browse: BrowseService,
        notes: NotesService,
        cards: CardService,
        runner: OpRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.browse = browse
        self.notes = notes
        self.cards = cards
        self.runner = runner
        self.add_dialog = None
        self.setWindowTitle("Browse · CEHRS Cards")
        keep_geometry(self, "browser", QSize(1500, 820))
        self.sort_key, self.sort_desc = "created", True
        self.notes_mode = False  # one row per note (Ctrl+Alt+T), as Anki's browser can
        self.query = ""
        self.hidden_held_out = 0  # held-out cards the last search left out
        self.busy = False  # an edit is running in the background (see set_busy)
        self.model = CardTableModel(browse.rows, browse.now)
        self.table = self._make_table()
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            'Search (Ctrl+F):  hipaa breach   "exact phrase"   -tag:leech   domain:4   '
            "is:due   prop:r<0.8   rated:7   (F1: syntax)"
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(180)  # never squeezed to a letter by the buttons
        self.search_box.setAccessibleName("Search")
        self.search_box.setAccessibleDescription("Anki's search syntax; F1 explains it")
        self.search_box.returnPressed.connect(self._on_search_box_return)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages quote the user's query
        set_text_colour(self.error, "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.count = QLabel()
        self.mode_button = QToolButton()
        self.mode_button.setText("Notes")
        self.mode_button.setCheckable(True)
        self.mode_button.setToolTip("One row per note instead of per card (Ctrl+Alt+T)")
        self.mode_button.clicked.connect(self.toggle_notes_mode)
        self.held_out_guard = SpoilGuard()  # the launcher keeps one window: once a session
        self.show_held_out = False  # held-out diagnostic items: hidden (browser_held_out.py)
        self._hiding = False
        self.held_out_button = QToolButton()
        self.held_out_button.setText("Show held-out")
        self.held_out_button.setCheckable(True)
        self.held_out_button.setToolTip(
            "Held-out diagnostic items are hidden: they are kept out of study so your "
            "readiness estimate stays honest. Showing them asks first."
        )
        self.held_out_button.clicked.connect(self._on_held_out_button_clicked)
        self.sidebar = Sidebar()
        self.editor = NoteEditor()
        self._layout()
        self.build_actions()
        self._connect()
        self.refresh_sidebar()
        self._missed = Changes()  # what changed while the window was closed
        runner.sig_operation_did_execute.connect(self._on_operation_did_execute)

    def _on_operation_did_execute(self, changes: Changes, initiator: object) -> None:
        """A change made elsewhere (a review, an import, the main window's undo): refetch the
        rows; while the window is closed, remember it for when it shows again."""
        if initiator is self:
            return
        if not self.isVisible():
            self._missed = self._missed | changes
            return
        if changes.cards or changes.notes or changes.review_log:
            self.model.refresh_rows()
        if changes.notes or changes.decks or changes.settings:
            self.refresh_sidebar()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        missed, self._missed = self._missed, Changes()
        if missed.any:
            self._on_operation_did_execute(missed, None)

    # ----- building --------------------------------------------------------------------------
    def _make_table(self) -> QTableView:
        t = QTableView()
        t.setModel(self.model)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        t.setTextElideMode(Qt.TextElideMode.ElideRight)
        t.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        t.setAccessibleName("Cards")
        vh = t.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measures 100,000 rows
        vh.setDefaultSectionSize(ROW_HEIGHT)
        hh = t.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, (_key, _title, width) in enumerate(COLUMNS):
            t.setColumnWidth(i, width)
        hh.setSortIndicator(COLUMNS.index(next(c for c in COLUMNS if c[0] == "created")),
                            Qt.SortOrder.DescendingOrder)  # fmt: skip
        hh.setSortIndicatorShown(True)
        hh.setSectionsClickable(True)
        return t

    def _layout(self) -> None:
        help_button = QToolButton()
        help_button.setText("?")
        help_button.setToolTip("Search syntax (F1)")
        help_button.clicked.connect(self.show_search_help)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(help_button)
        top.addWidget(self.mode_button)
        status = QHBoxLayout()  # below the search: the count, and the held-out items' switch
        status.addWidget(self.count, 1)
        status.addWidget(self.held_out_button)
        middle = QWidget()
        mbox = QVBoxLayout(middle)
        mbox.setContentsMargins(0, 0, 0, 0)
        mbox.addLayout(top)
        mbox.addLayout(status)
        mbox.addWidget(self.error)
        mbox.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for w in (self.sidebar, middle, self.editor):
            self.splitter.addWidget(w)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 1000, 310])
        self.setCentralWidget(self.splitter)

    def _connect(self) -> None:
        self.model.sig_sort.connect(self._on_model_sort)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_header_sort)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)
        self.table.doubleClicked.connect(lambda _i: self.editor.focus_first())
        self.sidebar.sig_search.connect(self._on_sidebar_search)
        self.sidebar.sig_delete_saved.connect(self.delete_saved_search)
        self.editor.sig_save.connect(self._on_editor_save)

    # ----- searching ---------------------------------------------------------------------------
    def search(self, query: str | None = None, keep: list[int] | None = None) -> bool:
        """Run a search (default: the current one again); keep those cards selected if found."""
        if query is not None:
            self.search_box.setText(query)
        text = self.search_box.text().strip()
        self._save_editor()
        try:
            ids = self.browse.search(text, self.sort_key, self.sort_desc)
        except SearchError as exc:
            self.show_error(str(exc))
            return False
        ids, hidden = self._without_held_out(text, ids)
        if self.notes_mode:
            ids = self.browse.one_per_note(ids)
        self.query = text
        self.show_error("")
        self.model.notes_mode = self.notes_mode
        self.model.set_ids(ids)
        self.hidden_held_out = hidden
        self._label_held_out_button()
        self.count.setText(self._count_text(len(ids)))
        self._select(keep or [])
        return True

    def _without_held_out(self, text: str, ids: list[int]) -> tuple[list[int], int]:
        """The ids with held-out items left out unless the user chose to see them (asked
        once a session: typing is:heldout asks too); how many were left out."""
        if self.show_held_out:
            return ids, 0
        held = set(self.browse.search(HELD_OUT_QUERY))
        if not held or held.isdisjoint(ids):
            return ids, 0
        if asks_for_held_out(text) and not self._hiding and self.held_out_guard.allow(self):
            self._set_show_held_out(True)
            return ids, 0
        kept = [i for i in ids if i not in held]
        return kept, len(ids) - len(kept)

    def _on_held_out_button_clicked(self, checked: bool) -> None:
        if checked and not self.held_out_guard.allow(self):
            self._set_show_held_out(False)  # declined: nothing to search again
            return
        self._set_show_held_out(checked)
        self._hiding = not checked  # the user just chose to hide them: is:heldout finds none
        try:
            self.search(keep=self.selected_ids()[:2000])
        finally:
            self._hiding = False

    def _set_show_held_out(self, show: bool) -> None:
        self.show_held_out = show
        self.held_out_button.setChecked(show)

    def _label_held_out_button(self) -> None:
        """The button says how many held-out items this search left out (or that they show)."""
        n = self.hidden_held_out
        text = "Held-out shown" if self.show_held_out else f"Show {n:,} held-out" if n else ""
        self.held_out_button.setText(text or "Show held-out")
        self.held_out_button.setAccessibleName(text or "Show held-out")

    def _count_text(self, n: int) -> str:
        unit = "note" if self.notes_mode else "card"
        return f"{n:,} {unit}{'s' * (n != 1)}"

    def toggle_notes_mode(self) -> None:
        """Cards <-> notes (Ctrl+Alt+T); the selected notes stay selected."""
        keep = self.browse.cards_of_notes(self.selected_ids()[:2000])
        self.notes_mode = not self.notes_mode
        self.mode_button.setChecked(self.notes_mode)
        self.menu_actions["notes_mode"].setChecked(self.notes_mode)
        for i, (key, _title, _width) in enumerate(COLUMNS):
            if key in CARD_LEVEL:  # a note's cards differ in these: hidden for notes
                self.table.setColumnHidden(i, self.notes_mode)
        self.search(keep=keep)

    def target_ids(self) -> list[int]:
        """The cards an action applies to: the selected ones, or in notes mode every card of
        the selected notes."""
        ids = self.selected_ids()
        return self.browse.cards_of_notes(ids) if self.notes_mode and ids else ids

    def _on_search_box_return(self) -> None:
        if self.search() and self.model.ids:
            self.table.setFocus()

    def _on_sidebar_search(self, query: str, how: str) -> None:
        current = self.search_box.text().strip()
        if how != "replace" and current:
            joined = f"({current}) {query}" if how == "and" else f"({current}) or {query}"
            self.search(joined)
        else:
            self.search(query)

    def _on_header_sort(self, column: int, order: Qt.SortOrder) -> None:
        self._on_model_sort(COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)

    def _on_model_sort(self, key: str, desc: bool) -> None:
        if (key, desc) != (self.sort_key, self.sort_desc):
            self.sort_key, self.sort_desc = key, desc
            self.search(keep=self.selected_ids()[:2000])

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        if text:
            self.statusBar().showMessage(text, 8000)

    def refresh_sidebar(self) -> None:
        data = self.browse.sidebar()
        self.sidebar.show_data(data)
        self.editor.set_choices(data.decks, data.tags)

    # ----- selection -----------------------------------------------------------------------------
    def _select(self, keep: list[int]) -> None:
        """Select the kept cards still present (or the first row) and make one current."""
        sm = self.table.selectionModel()
        sm.clearSelection()
        if not self.model.ids:
            self.editor.load(None)
            return
        where = {card: i for i, card in enumerate(self.model.ids)} if keep else {}
        rows = sorted(where[c] for c in keep if c in where) or [0]
        selection = QItemSelection()
        last = len(COLUMNS) - 1
        start = prev = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            selection.select(self.model.index(start, 0), self.model.index(prev, last))
            if r is not None:
                start = prev = r
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        sm.select(selection, flags)
        # Current changes (the reset cleared it): _on_table_current_changed loads the editor.
        sm.setCurrentIndex(self.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        self.table.scrollTo(self.model.index(rows[0], 0))

    def selected_ids(self) -> list[int]:
        """Ids of the selected cards in table order (ranges, not 100,000 index objects)."""
        rows: set[int] = set()
        selection = self.table.selectionModel().selection()
        for i in range(selection.size()):
            rng = selection.at(i)
            rows.update(range(rng.top(), rng.bottom() + 1))
        return [self.model.ids[r] for r in sorted(rows) if r < len(self.model.ids)]

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.ids):
            return None
        return self.model.ids[index.row()]

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._save_editor()
        self._load_editor(current.row() if current.isValid() else -1)

    def _on_table_selection_changed(self, *_args: object) -> None:
        selection = self.table.selectionModel().selection()
        n = sum(selection.at(i).height() for i in range(selection.size()))
        total = self._count_text(len(self.model.ids))
        self.count.setText(f"{total}, {n:,} selected" if n > 1 else total)

    # ----- editor -------------------------------------------------------------------------------
    def _load_editor(self, row: int) -> None:
        card = self.model.ids[row] if 0 <= row < len(self.model.ids) else None
        if card is None or self.model.row_at(row) is None:
            self.editor.load(None)
            return
        self.editor.load(self.notes.note_of_card(card))

    def _save_editor(self) -> None:
        if self.editor.is_dirty():
            change = self.editor.change()
            if change is not None:
                self._on_editor_save(change)

    def _on_editor_save(self, change: NoteChange) -> None:
        notes = self.notes
        self.editor.mark_saving(change)
        self.runner.op(
            lambda _p: notes.save_note(change),
            initiator=self,
            done=lambda _none: self._on_editor_saved(change),
            failed=lambda exc: self.show_error(f"Not saved: {exc}"),
        )

    def _on_editor_saved(self, change: NoteChange) -> None:
        self.show_error("")
        self.statusBar().showMessage("Note saved (Ctrl+Z undoes it).", 4000)
        self.model.refresh_rows()
        current = self.current_id()
        detail = self.editor.detail
        same = detail is not None and detail.note_id == change.note_id
        if current is not None and same and not self.editor.is_dirty():
            self.editor.load(self.notes.note_of_card(current))
        self.refresh_sidebar()

    def changeEvent(self, event: QEvent) -> None:
        """Coming back to the browser: rows may have changed elsewhere (a review, an undo)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.model.refresh_rows()
            row = self.table.currentIndex().row()
            if not self.editor.is_dirty() and row >= 0:
                self._load_editor(row)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_editor()
        super().closeEvent(event)
