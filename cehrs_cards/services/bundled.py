"""The bundled CEHRS deck: where it lives and loading it on first run.

The deck files live in decks/ at the top of the repository; every build installs that folder
as the package cehrs_cards._decks (see setup.py), so the app finds it with importlib.resources
wherever it runs: a source checkout (editable install), a wheel, or a frozen bundle.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from sqlalchemy import or_
from sqlalchemy.exc import DatabaseError
from sqlmodel import col as column
from sqlmodel import select

from cehrs_cards.db.models import Deck, Note
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

ROOT_DECK = "CEHRS"
"""The top deck every bundled note is filed under (decks/cehrs/*.toml: deck = "CEHRS::...")."""


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
    named = or_(column(Deck.name) == ROOT_DECK, column(Deck.name).startswith(f"{ROOT_DECK}::"))
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
        return None
    folder = bundled_deck_dir()
    if os.environ.get(ENV_DECKS_DIR) and not folder.exists():
        return None
    check_bundled_deck(folder)
    summary = import_package(col, read_native(folder))
    col.save_settings(replace(settings, bundled_loaded=True))
    return summary
