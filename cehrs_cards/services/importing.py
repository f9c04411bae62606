"""Import a parsed package into the collection: one transaction, upsert by GUID, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.records import CardState
from cehrs_cards.core.sanitize import sanitize_html, strip_html
from cehrs_cards.db.models import Card, Note
from cehrs_cards.db.repo import ensure_deck, ensure_notetype, fields_json
from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services.collection import Collection

MAX_FIELD_CHARS = 1_000_000
Progress = Callable[[int, int], bool]
"""progress(done, total) -> False to cancel."""


class ImportCancelled(Exception):
    """The user cancelled; the transaction was rolled back and nothing was written."""


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    cards_added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (guid, reason)


def import_package(
    col: Collection,
    pkg: Package,
    *,
    domain: int | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Add new notes, update changed ones by GUID (keeping their cards' history), skip bad ones.

    `domain` overrides every note's domain; otherwise a note's own domain is used (0 if none).
    """
    summary = ImportSummary()
    now = col.now()
    with col.transaction() as session:
        ctx = _Context(session, pkg, now)
        total = len(pkg.notes)
        for i, note in enumerate(pkg.notes):
            _import_one(ctx, note, domain, summary)
            if progress and i % 200 == 0 and not progress(i, total):
                raise ImportCancelled()
        if progress and not progress(total, total):
            raise ImportCancelled()
    _write_media(col, pkg)
    return summary


class _Context:
    def __init__(self, session: Session, pkg: Package, now: datetime) -> None:
        self.session = session
        self.pkg = pkg
        self.now = now
        self.decks: dict[str, int] = {}
        self.notetype_ids: dict[str, int] = {}
        guids = [n.guid for n in pkg.notes]
        self.existing: dict[str, Note] = {}
        for chunk in range(0, len(guids), 500):
            rows = session.exec(select(Note).where(Note.guid.in_(guids[chunk : chunk + 500])))  # type: ignore[attr-defined]
            self.existing.update({r.guid: r for r in rows})

    def notetype(self, name: str) -> tuple[int, NoteTypeDef]:
        nt = self.pkg.notetypes[name]
        if name not in self.notetype_ids:
            self.notetype_ids[name] = ensure_notetype(self.session, nt)
        return self.notetype_ids[name], nt


def _import_one(ctx: _Context, note: NoteIn, domain: int | None, summary: ImportSummary) -> None:
    problem = _problem(ctx, note)
    if problem:
        summary.skipped.append((note.guid, problem))
        return
    nt_id, nt = ctx.notetype(note.notetype)
    fields = {k: sanitize_html(v) for k, v in note.fields.items()}
    values: dict[str, Any] = dict(
        notetype_id=nt_id,
        fields=fields_json(nt, fields),
        sort_field=strip_html(fields.get(nt.fields[0], ""))[:200],
        tags=" ".join(sorted(set(note.tags))),
        task=note.task,
        difficulty=note.difficulty,
        source=note.source,
    )
    row = ctx.existing.get(note.guid)
    is_new = row is None
    if row is None:
        row = Note(guid=note.guid, created=ctx.now, modified=ctx.now, **values)
        ctx.session.add(row)
        ctx.session.flush()
        summary.added += 1
    elif any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        row.modified = ctx.now
        ctx.session.add(row)
        summary.updated += 1
    else:
        summary.unchanged += 1
    summary.cards_added += _ensure_cards(ctx, row, nt, fields, note, domain, is_new)


def _problem(ctx: _Context, note: NoteIn) -> str | None:
    if note.notetype not in ctx.pkg.notetypes:
        return f"unknown note type {note.notetype!r}"
    if not note.guid:
        return "note has no id"
    if any(len(v) > MAX_FIELD_CHARS for v in note.fields.values()):
        return f"a field is longer than {MAX_FIELD_CHARS:,} characters"
    if not any(strip_html(v) or "<img" in v for v in note.fields.values()):
        return "every field is empty"
    return None


def _ensure_cards(
    ctx: _Context,
    row: Note,
    nt: NoteTypeDef,
    fields: dict[str, str],
    note: NoteIn,
    domain: int | None,
    is_new: bool,
) -> int:
    """Create the cards this note should have and does not; existing cards keep their state."""
    assert row.id is not None
    have = (
        set() if is_new else set(ctx.session.exec(select(Card.ord).where(Card.note_id == row.id)))
    )
    deck_id = ensure_deck(ctx.session, note.deck, ctx.decks)
    dom = domain if domain is not None else (note.domain or 0)
    new_ords = [o for o in nt.ords(fields) if o not in have]
    for o in new_ords:
        ctx.session.add(
            Card(
                note_id=row.id,
                deck_id=deck_id,
                ord=o,
                domain=dom,
                state=int(CardState.NEW),
                due=ctx.now,
                created=ctx.now,
                modified=ctx.now,
            )
        )
    return len(new_ords)


def _write_media(col: Collection, pkg: Package) -> None:
    for name, data in pkg.media.items():
        target = col.media_dir / name
        if target.resolve().parent == col.media_dir.resolve() and not target.exists():
            target.write_bytes(data)
