"""The column lists of the tables an import writes, by name, in the tables' order.

One definition each: bulk inserts, snapshots and reads by position use these, and the
models (db/models.py) are checked against them when they load, so that the two cannot drift
(the schema itself is made by db/migrations.py; a test checks that it matches the models).
They live apart from the models so that a path that writes rows by position (the import
command) need not load SQLModel and pydantic to know them (issue 15: start-up).
"""

from __future__ import annotations

from dataclasses import fields

from cehrs_cards.core.records import MemoryState

CARD_PLACE = ("id", "note_id", "deck_id", "ord", "domain")
"""Where a card sits: id, note, deck, ordinal, domain (a new card's whole row but these is
the same for every new card)."""
MEMORY_COLUMNS = tuple(f.name for f in fields(MemoryState))
"""A card's memory state: core.records.MemoryState's fields are Card columns of the same
names, in the same order, right after its place."""
CARD = (*CARD_PLACE, *MEMORY_COLUMNS, "suspended", "buried_until", "flag", "created", "modified")
NOTE_CONTENT = (
    "notetype_id",
    "fields",
    "sort_field",
    "tags",
    "task",
    "difficulty",
    "source",
    "grp",
    "heldout",
)
"""What a note holds, apart from its identity and times (an import compares and sets these)."""
NOTE = ("id", "guid", *NOTE_CONTENT[:7], "created", "modified", *NOTE_CONTENT[7:])
REVLOG = (
    "id",
    "card_id",
    "kind",
    "rating",
    "interval",
    "stability_x1000",
    "difficulty_x100",
    "duration_ms",
)
