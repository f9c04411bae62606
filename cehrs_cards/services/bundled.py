"""The bundled CEHRS deck: where it lives and loading it on first run.

The deck files live in decks/ at the top of the repository; every build installs that folder
as the package cehrs_cards._decks (see setup.py), so the app finds it with importlib.resources
wherever it runs: a source checkout (editable install), a wheel, or a frozen bundle.
"""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from sqlalchemy import or_
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select
from sqlmodel import col as column

from cehrs_cards.db.models import Deck, Note
from cehrs_cards.db.repo import ensure_deck
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.deck_dir import (
    DECKS_PACKAGE,
    ENV_DECKS_DIR,
    BundledDeckMissingError,
    deck_folder,
    missing_text,
)
from cehrs_cards.services.importing import ImportSummary, import_package

__all__ = ["ENV_DECKS_DIR", "BundledDeckMissingError", "bundled_deck_dir", "check_bundled_deck"]

ROOT_DECK = "CEHRS Cards deck"
"""The top deck every bundled note is filed under (decks/cehrs/*.toml: deck = "CEHRS Cards
deck::..."): a name no imported deck is likely to share, so an imported "Clinical Operations"
never sits among ours looking like part of it; the deck list marks it as bundled too."""
OLD_ROOT = "CEHRS"
"""The bundled deck's top deck before version 17 of the deck names."""
OLD_NAMES = {
    f"{OLD_ROOT}::1 Non-Clinical Operations": f"{ROOT_DECK}::1 Non-Clinical Operations",
    f"{OLD_ROOT}::2 Clinical Operations": f"{ROOT_DECK}::2 Clinical Operations",
    f"{OLD_ROOT}::3 Revenue Cycle-Finance": f"{ROOT_DECK}::3 Revenue Cycle/Finance",
    f"{OLD_ROOT}::4 Regulatory Compliance": f"{ROOT_DECK}::4 Regulatory Compliance",
    f"{OLD_ROOT}::5 Reporting": f"{ROOT_DECK}::5 Reporting",
}
"""Old bundled deck names and their new ones (one spelling of each domain, as core/domains)."""


def bundled_deck_dir() -> Path:
    """The folder of the bundled deck's .toml files ($CEHRS_CARDS_DECKS_DIR if set)."""
    return deck_folder(DECKS_PACKAGE)


def check_bundled_deck(folder: Path) -> None:
    """Raise BundledDeckMissingError unless `folder` holds at least one deck file."""
    if not folder.is_dir() or next(folder.rglob("*.toml"), None) is None:
        raise BundledDeckMissingError(missing_text(folder))


def never_got_it(col: Collection) -> bool:
    """A collection marked as loaded that has no note and no bundled deck: earlier versions
    marked a first run as loaded even when the deck was missing from the installation.
    False when the file cannot answer (a damaged file is the integrity check's business)."""
    named = or_(
        *(column(Deck.name) == root for root in (ROOT_DECK, OLD_ROOT)),
        *(column(Deck.name).startswith(f"{root}::") for root in (ROOT_DECK, OLD_ROOT)),
    )
    try:
        with col.read() as s:
            if s.exec(select(Note.id).limit(1)).first() is not None:
                return False
            return s.exec(select(Deck.id).where(named).limit(1)).first() is None
    except DatabaseError:
        return False


def load_bundled_if_first_run(col: Collection) -> ImportSummary | None:
    """Import the bundled deck on the first run of a collection (or when never_got_it).

    Raises BundledDeckMissingError, leaving the collection unmarked, if the installation lacks
    the deck. $CEHRS_CARDS_DECKS_DIR naming a folder that does not exist loads nothing (tests
    and developers use it to start without the bundled deck)."""
    settings = col.settings()
    if settings.bundled_loaded and not never_got_it(col):
        # A damaged file: the window's background check offers a restore, and the renames
        # run when the restored file opens.
        with suppress(DatabaseError):
            rename_old_decks(col)
        return None
    folder = bundled_deck_dir()
    if os.environ.get(ENV_DECKS_DIR) and not folder.exists():
        return None
    check_bundled_deck(folder)
    summary = import_package(col, read_native(folder))
    col.save_settings(replace(settings, bundled_loaded=True))
    return summary


def rename_old_decks(col: Collection) -> int:
    """Bring a collection made before the bundled deck's new names up to date, so a re-import
    of the deck files finds its cards where the files say (and the deck list shows one
    spelling of each domain). Each old deck is renamed in place (its cards, and any decks
    the user made under it, go along); when the new name exists already, the old deck's
    cards move into it. The old top deck goes once it is empty. Idempotent; how many decks
    were renamed or merged."""
    with col.read() as s:
        names = {str(n) for (n,) in s.connection().exec_driver_sql("SELECT name FROM deck")}
    if not any(old in names for old in OLD_NAMES):
        return 0
    done = 0
    with col.transaction() as s:
        root = ensure_deck(s, ROOT_DECK)
        for old, new in OLD_NAMES.items():
            if old in names:
                _rename_deck(s, old, new, root, exists=new in names)
                done += 1
        _drop_if_empty(s, OLD_ROOT)
    return done


def _rename_deck(s: Session, old: str, new: str, root: int, exists: bool) -> None:
    con = s.connection()
    old_id = con.exec_driver_sql("SELECT id FROM deck WHERE name = ?", (old,)).scalar_one()
    if exists:
        new_id = ensure_deck(s, new)
        con.exec_driver_sql("UPDATE card SET deck_id = ? WHERE deck_id = ?", (new_id, old_id))
        con.exec_driver_sql("UPDATE deck SET parent_id = ? WHERE parent_id = ?", (new_id, old_id))
        con.exec_driver_sql("DELETE FROM deck WHERE id = ?", (old_id,))
    else:
        con.exec_driver_sql(
            "UPDATE deck SET name = ?, parent_id = ? WHERE id = ?", (new, root, old_id)
        )
    prefix = old + "::"
    children = con.exec_driver_sql(
        "SELECT id, name FROM deck WHERE substr(name, 1, ?) = ?", (len(prefix), prefix)
    ).all()
    for child_id, name in children:  # decks the user made under the old one
        con.exec_driver_sql(
            "UPDATE deck SET name = ? WHERE id = ?", (new + str(name)[len(old) :], child_id)
        )


def _drop_if_empty(s: Session, name: str) -> None:
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
