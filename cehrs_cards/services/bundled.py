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

from cehrs_cards.db import decks
from cehrs_cards.db.catalog import ensure_deck
from cehrs_cards.db.session import DatabaseError
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
from cehrs_cards.services.item_bank import backfill_item_bank, mark_item_bank_filled

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
    try:
        with col.plain() as s:
            return not decks.any_note(s) and not decks.any_deck_under(s, (ROOT_DECK, OLD_ROOT))
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
            backfill_item_bank(col)  # once: collections older than the item-bank columns
        return None
    folder = bundled_deck_dir()
    if os.environ.get(ENV_DECKS_DIR) and not folder.exists():
        return None
    check_bundled_deck(folder)
    summary = import_package(col, read_native(folder))
    col.save_settings(replace(settings, bundled_loaded=True))
    mark_item_bank_filled(col)  # the import filled the held-out flags and groups
    return summary


def rename_old_decks(col: Collection) -> int:
    """Bring a collection made before the bundled deck's new names up to date, so a re-import
    of the deck files finds its cards where the files say (and the deck list shows one
    spelling of each domain). Each old deck is renamed in place (its cards, and any decks
    the user made under it, go along); when the new name exists already, the old deck's
    cards move into it. The old top deck goes once it is empty. Idempotent; how many decks
    were renamed or merged."""
    with col.plain() as s:
        names = decks.deck_name_set(s)
    if not any(old in names for old in OLD_NAMES):
        return 0
    done = 0
    with col.transaction() as s:
        root = ensure_deck(s, ROOT_DECK)
        for old, new in OLD_NAMES.items():
            if old in names:
                decks.rename_deck(s, old, new, root, exists=new in names)
                done += 1
        decks.drop_if_empty(s, OLD_ROOT)
    return done
