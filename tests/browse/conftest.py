"""Fixtures for the browser: the mini collection with the browse, notes and card services on
one undo stack."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pytest

from cehrs_cards.services.browse import BrowseService
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.notes import NewNote, NotesService
from cehrs_cards.services.undo import UndoStack
from tests.ops_helpers import Applied


@dataclass
class Kit:
    col: Collection
    undo: UndoStack
    browse: BrowseService
    edit: Applied  # the notes and card services, each step pushed on `undo`
    notes: NotesService
    cards: CardService

    def ids(self, query: str, sort: str = "created", desc: bool = False) -> list[int]:
        return self.browse.search(query, sort, desc)

    def add(self, front: str, back: str = "answer", **kw) -> list[int]:
        fields = {"Front": front, "Back": back, **kw.pop("fields", {})}
        kind, tags = kw.pop("kind", "basic"), kw.pop("tags", [])
        new = NewNote(kind, fields, tags, kw.pop("domain", 1), kw.pop("deck", "Extra"))
        return self.edit.add_note(new)

    def sql(self, sql: str, *params) -> list[tuple]:
        con = sqlite3.connect(self.col.db_path)
        try:
            rows = con.execute(sql, params).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def dump(self) -> dict[str, set[tuple]]:
        """Every row of the tables edits touch, to compare before and after an undo."""
        tables = ("note", "card", "revlog", "deck", "note_fts", "note_rich")
        return {t: set(self.sql(f"SELECT rowid, * FROM {t}")) for t in tables}


@pytest.fixture
def kit(mini_col: Collection) -> Kit:
    undo = UndoStack()
    notes, cards = NotesService(mini_col), CardService(mini_col)
    return Kit(mini_col, undo, BrowseService(mini_col), Applied(undo, notes, cards), notes, cards)
