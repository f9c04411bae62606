"""Decks and note types by name: found, or made (with their parents, or a free name), in
plain SQL on any session (db/session.Rows). The one implementation the app and the import
use; the import command runs it without loading the ORM (issue 15: start-up)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from cehrs_cards.core import decks
from cehrs_cards.core.notetypes import NoteTypeDef, Template

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows


def notetype_to_json(nt: NoteTypeDef) -> str:
    return json.dumps(
        {"fields": list(nt.fields), "templates": [asdict(t) for t in nt.templates], "css": nt.css}
    )


def notetype_from_config(name: str, kind: str, config: str) -> NoteTypeDef:
    """A stored note type (its row's name, kind and JSON config) as a NoteTypeDef."""
    cfg = json.loads(config)
    templates = tuple(Template(**t) for t in cfg["templates"])
    return NoteTypeDef(name, kind, tuple(cfg["fields"]), templates, cfg.get("css", ""))


def notetype_named(session: Rows, name: str) -> tuple[int, NoteTypeDef] | None:
    """The stored note type of this name (id, definition), if any."""
    session.flush()
    sql = "SELECT id, name, kind, config FROM notetype WHERE name = ?"
    row = session.connection().exec_driver_sql(sql, (name,)).first()
    if row is None:
        return None
    return int(row[0]), notetype_from_config(str(row[1]), str(row[2]), str(row[3]))


def ensure_notetype(session: Rows, nt: NoteTypeDef) -> int:
    """Id of the stored note type matching `nt` by name and fields; adds it (renamed if taken)."""
    name = nt.name
    for n in range(1, 1000):
        found = notetype_named(session, name)
        if found is None:
            added = session.connection().exec_driver_sql(
                "INSERT INTO notetype (name, kind, config) VALUES (?, ?, ?)",
                (name, nt.kind, notetype_to_json(nt)),
            )
            return _new_id(added.lastrowid)
        if found[1].fields == nt.fields:
            return found[0]
        name = f"{nt.name} ({n + 1})"
    raise RuntimeError(f"too many note types named {nt.name!r}")


def ensure_deck(session: Rows, name: str, cache: dict[str, int] | None = None) -> int:
    """Id of the deck with this full name, creating it and its parents as needed.

    Walks the levels from the top down (a loop: a name thousands of levels deep once ran
    out of Python's recursion limit; core.decks.normalise caps the depth)."""
    name = decks.normalise(name)
    if cache is not None and name in cache:
        return cache[name]
    session.flush()
    found = _deck_named(session, name)
    if found is not None:  # the usual case: it is there already
        if cache is not None:
            cache[name] = found
        return found
    parent_id: int | None = None
    for full in decks.lineage(name):
        known = cache.get(full) if cache is not None else None
        if known is None:
            known = _deck_id(session, full, parent_id)
            if cache is not None:
                cache[full] = known
        parent_id = known
    assert parent_id is not None
    return parent_id


def _deck_named(session: Rows, name: str) -> int | None:
    row = session.connection().exec_driver_sql("SELECT id FROM deck WHERE name = ?", (name,))
    found = row.first()
    return None if found is None else int(found[0])


def _deck_id(session: Rows, name: str, parent_id: int | None) -> int:
    """Id of the deck with this full name, created under `parent_id` if missing."""
    found = _deck_named(session, name)
    if found is not None:
        return found
    added = session.connection().exec_driver_sql(
        "INSERT INTO deck (name, parent_id) VALUES (?, ?)", (name, parent_id)
    )
    return _new_id(added.lastrowid)


def _new_id(rowid: object) -> int:
    assert isinstance(rowid, int) and rowid > 0, rowid
    return rowid
