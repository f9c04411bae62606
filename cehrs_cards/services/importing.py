"""Import a parsed package into the collection: one transaction, upsert by GUID, all or nothing.

New notes, cards and review-log rows are collected and bulk-inserted with ids we assign inside
the transaction (one writer), which keeps a 20,000-note import to seconds. Media files are put
in place before the commit and removed again if the transaction fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.core.sanitize import sanitize_html, strip_html
from cehrs_cards.core.scheduling import Schedulers
from cehrs_cards.db.models import Card, Note, NoteType, RevLog
from cehrs_cards.db.repo import ensure_deck, ensure_notetype, fields_json
from cehrs_cards.interchange.anki_schema import same_templates
from cehrs_cards.interchange.package import CardIn, NoteIn, Package
from cehrs_cards.services.anki_history import ReplayedReview, schedule_from_anki
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.import_rows import db_time, insert_rows
from cehrs_cards.services.memory import memory_to_json

MAX_FIELD_CHARS = 1_000_000
CHUNK = 500
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
    media_added: int = 0
    scheduled: int = 0  # new cards that came with Anki scheduling


def import_package(
    col: Collection,
    pkg: Package,
    *,
    domain: int | None = None,
    progress: Progress | None = None,
    with_scheduling: bool = False,
) -> ImportSummary:
    """Add new notes, update changed ones by GUID (keeping their cards' history), skip bad ones.

    `domain` overrides every new card's domain; otherwise a note's own domain is used (0 if
    none). With `with_scheduling`, new cards take the FSRS state replayed from Anki's history.
    """
    summary = ImportSummary()
    placed: list[Path] = []
    try:
        with col.transaction() as session:
            ctx = _Context(session, pkg, col.now(), _schedulers(col) if with_scheduling else None)
            total = len(pkg.notes)
            for i, note in enumerate(pkg.notes):
                _import_one(ctx, note, domain, summary)
                if progress and i % 200 == 0 and not progress(i, total):
                    raise ImportCancelled()
            ctx.write()
            if progress and not progress(total, total):
                raise ImportCancelled()
            summary.media_added = _place_media(col, pkg, placed)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    return summary


def _schedulers(col: Collection) -> Schedulers:
    from cehrs_cards.services.review import policy_of

    return Schedulers(replace(policy_of(col.settings()), fuzz=False))


class _Context:
    """Lookups and the rows waiting to be bulk-inserted, for one import."""

    def __init__(
        self, session: Session, pkg: Package, now: datetime, schedulers: Schedulers | None
    ) -> None:
        self.session = session
        self.pkg = pkg
        self.now = now
        self.schedulers = schedulers
        self.decks: dict[str, int] = {}
        self.notetype_ids: dict[str, int] = {}
        self.seen: set[str] = set()
        self.existing = _existing_notes(session, [n.guid for n in pkg.notes])
        self.ords = _existing_ords(session, [r.id for r in self.existing.values() if r.id])
        self.next_id = {m: _max_id(session, m) + 1 for m in ("note", "card", "revlog")}
        self.rows: dict[str, list[dict[str, Any]]] = {"note": [], "card": [], "revlog": []}
        self.scheduled = 0
        self.stamp = db_time(now)
        self.new_state = _memory_columns(MemoryState(CardState.NEW, None, None, None, now, None))

    def notetype(self, name: str) -> tuple[int, NoteTypeDef]:
        nt = self.pkg.notetypes[name]
        if name not in self.notetype_ids:
            resolved = resolve_notetype(self.session, nt)
            self.notetype_ids[name] = ensure_notetype(self.session, resolved)
        return self.notetype_ids[name], nt

    def add(self, table: str, row: dict[str, Any]) -> int:
        row["id"] = self.next_id[table]
        self.next_id[table] += 1
        self.rows[table].append(row)
        return int(row["id"])

    def write(self) -> None:
        insert_rows(self.session, self.rows)


def _existing_notes(session: Session, guids: list[str]) -> dict[str, Note]:
    out: dict[str, Note] = {}
    for start in range(0, len(guids), CHUNK):
        chunk = guids[start : start + CHUNK]
        out.update({r.guid: r for r in session.exec(select(Note).where(col(Note.guid).in_(chunk)))})
    return out


def _existing_ords(session: Session, note_ids: list[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for start in range(0, len(note_ids), CHUNK):
        chunk = note_ids[start : start + CHUNK]
        for nid, ord_ in session.exec(
            select(Card.note_id, Card.ord).where(col(Card.note_id).in_(chunk))
        ):
            out.setdefault(nid, set()).add(ord_)
    return out


def _max_id(session: Session, table: str) -> int:
    column = {"note": Note.id, "card": Card.id, "revlog": RevLog.id}[table]
    return int(session.exec(select(func.max(column))).one() or 0)


def resolve_notetype(session: Session, nt: NoteTypeDef) -> NoteTypeDef:
    """`nt` named as the stored note type it matches, or with a free name.

    A stored type matches when its fields are the same and so are its templates (or both are
    the same built-in kind); a same-named type with other templates gets "Name (2)".
    """
    for n in range(1, 1000):
        name = nt.name if n == 1 else f"{nt.name} ({n})"
        row = session.exec(select(NoteType).where(NoteType.name == name)).first()
        if row is None or _matches(row, nt):
            return replace(nt, name=name)
    raise RuntimeError(f"too many note types named {nt.name!r}")


def _matches(row: NoteType, nt: NoteTypeDef) -> bool:
    from cehrs_cards.db.repo import notetype_from_row

    stored = notetype_from_row(row)
    if stored.fields != nt.fields:
        return False
    builtin = stored.kind == nt.kind and stored.kind in ("basic", "reversed", "cloze", "mcq")
    return builtin or same_templates(stored.templates, nt.templates)


def _import_one(ctx: _Context, note: NoteIn, domain: int | None, summary: ImportSummary) -> None:
    problem = _problem(ctx, note)
    if problem:
        summary.skipped.append((note.guid, problem))
        return
    ctx.seen.add(note.guid)
    nt_id, nt = ctx.notetype(note.notetype)
    fields = {k: sanitize_html(v) for k, v in note.fields.items()}
    values: dict[str, Any] = dict(
        notetype_id=nt_id,
        fields=fields_json(nt, fields),
        sort_field=plain_text(fields.get(nt.fields[0], ""))[:200],
        tags=" ".join(sorted(set(note.tags))),
        task=note.task,
        difficulty=note.difficulty,
        source=note.source,
    )
    row = ctx.existing.get(note.guid)
    if row is None:
        note_id = ctx.add(
            "note", dict(guid=note.guid, created=ctx.stamp, modified=ctx.stamp, **values)
        )
        summary.added += 1
    else:
        assert row.id is not None
        note_id = row.id
        if any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.modified = ctx.now
            ctx.session.add(row)
            summary.updated += 1
        else:
            summary.unchanged += 1
    before = ctx.scheduled
    summary.cards_added += _ensure_cards(ctx, note_id, nt, fields, note, domain)
    summary.scheduled += ctx.scheduled - before


def _problem(ctx: _Context, note: NoteIn) -> str | None:
    if note.notetype not in ctx.pkg.notetypes:
        return f"unknown note type {note.notetype!r}"
    if not note.guid:
        return "note has no id"
    if note.guid in ctx.seen:
        return "the package holds this note id twice; the first one was kept"
    if any(len(v) > MAX_FIELD_CHARS for v in note.fields.values()):
        return f"a field is longer than {MAX_FIELD_CHARS:,} characters"
    if not any(plain_text(v) or "<img" in v for v in note.fields.values()):
        return "every field is empty"
    return None


def plain_text(html: str) -> str:
    """strip_html, with a fast path for text that has no markup (most imported fields)."""
    if "<" in html or "&" in html:
        return strip_html(html)
    return " ".join(html.split())


def _ensure_cards(
    ctx: _Context,
    note_id: int,
    nt: NoteTypeDef,
    fields: dict[str, str],
    note: NoteIn,
    domain: int | None,
) -> int:
    """Create the cards this note should have and does not; existing cards keep their state."""
    have = ctx.ords.get(note_id, set())
    dom = domain if domain is not None else (note.domain or 0)
    wanted = note.cards or [CardIn(o, note.deck) for o in nt.ords(fields)]
    made = 0
    for card in wanted:
        if card.ord in have:
            continue
        have.add(card.ord)
        deck_id = ctx.decks.get(card.deck) or ensure_deck(ctx.session, card.deck, ctx.decks)
        _add_card(ctx, note_id, deck_id, card, dom)
        made += 1
    return made


def _add_card(ctx: _Context, note_id: int, deck_id: int, card: CardIn, dom: int) -> None:
    sched = schedule_from_anki(card, dom, ctx.schedulers, ctx.now) if ctx.schedulers else None
    state = _memory_columns(sched.memory) if sched else ctx.new_state
    card_id = ctx.add(
        "card",
        dict(
            note_id=note_id,
            deck_id=deck_id,
            ord=card.ord,
            domain=dom,
            suspended=int(bool(sched and sched.suspended)),
            buried_until=None,
            flag=sched.flag if sched else 0,
            created=ctx.stamp,
            modified=ctx.stamp,
            **state,
        ),
    )
    if sched is None:
        return
    ctx.scheduled += 1
    for r in sched.reviews:
        ctx.add("revlog", _revlog_row(card_id, r))


def _memory_columns(mem: MemoryState) -> dict[str, Any]:
    return dict(
        state=int(mem.state),
        step=mem.step,
        stability=mem.stability,
        difficulty=mem.difficulty,
        due=db_time(mem.due),
        last_review=db_time(mem.last_review),
        reps=mem.reps,
        lapses=mem.lapses,
    )


def _revlog_row(card_id: int, r: ReplayedReview) -> dict[str, Any]:
    return dict(
        card_id=card_id,
        reviewed_at=db_time(r.at),
        rating=r.rating,
        duration_ms=r.duration_ms,
        before=memory_to_json(r.before),
        state=int(r.after.state),
        stability=r.after.stability,
        difficulty=r.after.difficulty,
        due=db_time(r.after.due),
        elapsed_days=r.elapsed_days,
    )


def _place_media(col: Collection, pkg: Package, placed: list[Path]) -> int:
    """Put new media files in the media folder (never overwriting); records what it created."""
    media_dir = col.media_dir.resolve()
    for name, data in pkg.media.items():
        target = media_dir / name
        if target.parent == media_dir and not target.exists():
            placed.append(target)
            target.write_bytes(data)
    for name, source in pkg.media_files.items():
        target = media_dir / name
        if target.parent == media_dir and not target.exists():
            placed.append(target)
            os.replace(source, target)
    return len(placed)
