"""Deck queries that work on names: whether decks under given roots exist, and renaming or
merging a deck with the decks under it (what bringing old bundled-deck names up to date
needs). The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cehrs_cards.db.catalog import ensure_deck

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows


def any_note(s: Rows) -> bool:
    """Whether the collection holds at least one note."""
    return s.connection().exec_driver_sql("SELECT 1 FROM note LIMIT 1").first() is not None


def any_deck_under(s: Rows, roots: Iterable[str]) -> bool:
    """Whether a deck is named one of `roots` or lies under one of them."""
    for root in roots:  # LIKE, as the ORM's startswith was: ASCII case does not count
        found = s.connection().exec_driver_sql(
            "SELECT 1 FROM deck WHERE name = ? OR name LIKE ? LIMIT 1", (root, f"{root}::%")
        )
        if found.first() is not None:
            return True
    return False


def deck_name_set(s: Rows) -> set[str]:
    """Every deck's full name."""
    return {str(n) for (n,) in s.connection().exec_driver_sql("SELECT name FROM deck")}


def rename_deck(s: Rows, old: str, new: str, parent: int, exists: bool) -> None:
    """Rename deck `old` to `new` under `parent`, or, when `new` `exists` already, move its
    cards and child decks into `new` and drop it; decks under `old` follow the new name."""
    con = s.connection()
    old_id = con.exec_driver_sql("SELECT id FROM deck WHERE name = ?", (old,)).scalar_one()
    if exists:
        new_id = ensure_deck(s, new)
        con.exec_driver_sql("UPDATE card SET deck_id = ? WHERE deck_id = ?", (new_id, old_id))
        con.exec_driver_sql("UPDATE deck SET parent_id = ? WHERE parent_id = ?", (new_id, old_id))
        con.exec_driver_sql("DELETE FROM deck WHERE id = ?", (old_id,))
    else:
        con.exec_driver_sql(
            "UPDATE deck SET name = ?, parent_id = ? WHERE id = ?", (new, parent, old_id)
        )
    prefix = old + "::"
    children = con.exec_driver_sql(
        "SELECT id, name FROM deck WHERE substr(name, 1, ?) = ?", (len(prefix), prefix)
    ).all()
    for child_id, name in children:  # decks the user made under the old one
        con.exec_driver_sql(
            "UPDATE deck SET name = ? WHERE id = ?", (new + str(name)[len(old) :], child_id)
        )


def drop_if_empty(s: Rows, name: str) -> None:
    """Delete the deck called `name` if it holds no card and no deck (see drop_unused)."""
    con = s.connection()
    row = con.exec_driver_sql("SELECT id FROM deck WHERE name = ?", (name,)).first()
    if row is None:
        return
    used = con.exec_driver_sql(
        "SELECT EXISTS(SELECT 1 FROM card WHERE deck_id = ?) "
        "OR EXISTS(SELECT 1 FROM deck WHERE parent_id = ?)",
        (row[0], row[0]),
    ).scalar()
    if not used:
        con.exec_driver_sql("DELETE FROM deck WHERE id = ?", (row[0],))


def deck_ids(s: Rows) -> set[int]:
    """Every deck's id."""
    return {int(r[0]) for r in s.connection().exec_driver_sql("SELECT id FROM deck")}


def drop_unused(s: Rows, deck_id: int) -> None:
    """Delete the deck if it holds no card and no deck."""
    s.connection().exec_driver_sql(
        "DELETE FROM deck WHERE id = ? AND NOT EXISTS (SELECT 1 FROM card"
        " WHERE deck_id = ?) AND NOT EXISTS (SELECT 1 FROM deck WHERE parent_id = ?)",
        (deck_id, deck_id, deck_id),
    )


def id_names(s: Rows) -> list[tuple[int, str]]:
    """(id, full name) of every deck, unordered."""
    rows = s.connection().exec_driver_sql("SELECT id, name FROM deck")
    return [(int(i), str(n)) for i, n in rows]
