"""Decks as a use case needs them: the deck of a name (made if missing) with an undo that
removes what was made, and the ids a deck contains."""

from __future__ import annotations

from cehrs_cards.core import decks
from cehrs_cards.db import decks as q
from cehrs_cards.db.repo import ensure_deck
from cehrs_cards.db.session import Session
from cehrs_cards.services.undo import Restore


def ensure_deck_undoable(s: Session, name: str) -> tuple[int, Restore]:
    """The deck's id (created with its parents if needed) and a restore removing what was made."""
    before = q.deck_ids(s)
    deck_id = ensure_deck(s, name)
    made = sorted(q.deck_ids(s) - before)

    def drop(s2: Session) -> None:
        for i in reversed(made):  # children (made after their parents) first; only if empty
            q.drop_unused(s2, i)

    return deck_id, drop


def deck_ids_within(s: Session, root_id: int) -> list[int]:
    """The deck and its subdecks (empty if the deck is gone)."""
    rows = q.id_names(s)
    root = next((n for i, n in rows if i == root_id), None)
    return [] if root is None else decks.within(root, rows)
