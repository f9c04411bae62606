"""The item-bank columns of notes made before they existed: a one-time backfill at open.

Schema step 7 gave notes `heldout` (the diagnostic pool, never studied) and `grp` (same-fact
group), filled whenever a deck is imported. A collection that got the bundled deck before then
has both empty on its bundled notes, so its held-out items would reach study. The first open
after the upgrade reads the bundled deck's files once, sets the columns by note id (guid) on
the notes whose columns are still empty, and records that it ran (a setting): every later open
costs one primary-key read, and nothing after open reads the deck files.
"""

from __future__ import annotations

from cehrs_cards.db import held_out as q
from cehrs_cards.interchange.native import read_native
from cehrs_cards.interchange.package import DeckFormatError
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.deck_dir import BundledDeckMissingError, deck_folder


def backfill_item_bank(col: Collection) -> int | None:
    """Fill the held-out flag and group of bundled notes from the deck files, once per
    collection; how many notes it filled (None: it had run already, or the installation lacks
    the deck, in which case it tries again at the next open)."""
    with col.plain() as s:
        if q.backfill_done(s):
            return None
        empty = not q.any_note(s)
    flags = [] if empty else bundled_flags()
    if flags is None:
        return None
    with col.transaction() as s:
        filled = q.fill_item_bank(s, flags)
        q.mark_backfilled(s, filled)
    return filled


def mark_item_bank_filled(col: Collection) -> None:
    """Record that no backfill is needed (a collection whose notes all came through an import
    that fills the columns, e.g. the bundled deck loaded on a first run)."""
    with col.transaction() as s:
        if not q.backfill_done(s):
            q.mark_backfilled(s, 0)


def bundled_flags() -> list[tuple[str, bool, str | None]] | None:
    """(guid, held out, group) of the bundled deck's flagged notes; None without a readable
    deck."""
    try:
        notes = read_native(deck_folder()).notes
    except (BundledDeckMissingError, DeckFormatError, OSError):
        return None
    return [(n.guid, n.heldout, n.group) for n in notes if n.heldout or n.group]
