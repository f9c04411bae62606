"""Import a parsed package into the collection: one transaction, upsert by GUID, all or nothing.

New notes, cards and review-log rows are collected and bulk-inserted with ids we assign inside
the transaction (one writer), which keeps a 20,000-note import to seconds; they are written a
chunk at a time as the notes are walked (a big Anki package's notes are read as they come), so
memory does not grow with the package (issue 22). Media files are put
in place before the commit and removed again if the transaction fails.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.core.sanitize import sanitize_field, sanitize_html, strip_html
from cehrs_cards.core.scheduling import Schedulers
from cehrs_cards.db import import_lookup as lookup
from cehrs_cards.db import replay_file
from cehrs_cards.db.catalog import ensure_deck, ensure_notetype
from cehrs_cards.db.columns import MEMORY_COLUMNS
from cehrs_cards.db.import_rows import LogStream, NewRows, RowWriter, max_id
from cehrs_cards.db.study import memory_row
from cehrs_cards.db.timefmt import db_time
from cehrs_cards.interchange.anki_schema import same_templates
from cehrs_cards.interchange.package import CardIn, NoteIn, Package
from cehrs_cards.interchange.package import ImportCancelled as ImportCancelled  # re-exported
from cehrs_cards.services import media_journal
from cehrs_cards.services.anki_history import (
    schedule_from_anki,
)
from cehrs_cards.services.anki_replay import ReplayJob, start_replay
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.gc_pause import gc_paused
from cehrs_cards.services.import_cards import anki_card_rows
from cehrs_cards.services.import_ids import IdPlan, own_times

if TYPE_CHECKING:
    from cehrs_cards.db.import_lookup import StoredNote
    from cehrs_cards.db.session import Rows

MAX_FIELD_CHARS = 1_000_000
CHUNK = 500
WRITE_CHUNK = 5000
"""New notes (and their cards) are written this many at a time: memory stays flat."""
Progress = Callable[[int, int], bool]
"""progress(done, total) -> False to cancel (ImportCancelled); total 0 while reading the file."""


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
    schedulers = _schedulers(col) if with_scheduling else None
    token = media_journal.begin(col.data_dir, _new_media_names(col, pkg))
    job: ReplayJob | None = None
    try:
        job = start_replay(pkg, schedulers, col.now())
        attach = (replay_file.SCHEMA, job.task.out) if job else None
        with gc_paused(), col.bulk_transaction(attach) as session:
            ctx = _Context(
                session, pkg, col.now(), schedulers, col.study_days().end_of(col.now()), job
            )
            _write_notes(ctx, domain, summary, progress)
            if progress and not progress(len(pkg.notes), len(pkg.notes)):
                raise ImportCancelled()
            summary.media_added = _place_media(col, pkg, placed)
            media_journal.mark_committed(session, token)
    except BaseException:
        if job:
            job.stop()
        for path in placed:
            path.unlink(missing_ok=True)
        media_journal.finish(col.data_dir)
        raise
    media_journal.finish(col.data_dir)
    return summary


def _write_notes(
    ctx: _Context, domain: int | None, summary: ImportSummary, progress: Progress | None
) -> None:
    """Every note and card a chunk at a time, then the review log: replayed here as the
    cards went in, or by the replay process (services/anki_replay.py), whose states the
    cards then take."""
    total = len(ctx.pkg.notes)
    with ctx.writer() as writer:
        for i, note in enumerate(ctx.pkg.notes):
            _import_one(ctx, note, domain, summary)
            if i % WRITE_CHUNK == WRITE_CHUNK - 1:
                writer.flush()
                ctx.map_replayed()
            if progress and i % 200 == 0 and not progress(i, total):
                raise ImportCancelled()
        writer.flush()
        ctx.map_replayed()
        if ctx.job is not None:
            # a busy bar meanwhile (total 0), as while the file is read
            ctx.job.wait(None if progress is None else lambda: not progress(0, 0))
            summary.scheduled += replay_file.apply_memory(ctx.session.connection())
    if ctx.job is None:
        ctx.log.close()
        return
    conn = ctx.session.connection()
    ctx.log.close(also=replay_file.log_source(conn))
    replay_file.drop_card_map(conn)


def _schedulers(col: Collection) -> Schedulers:
    from cehrs_cards.services.policy import base_policy

    return Schedulers(replace(base_policy(col.settings()), fuzz=False))


class _Context:
    """Lookups and the rows waiting to be bulk-inserted, for one import."""

    def __init__(
        self,
        session: Rows,
        pkg: Package,
        now: datetime,
        schedulers: Schedulers | None,
        bury_until: datetime | None = None,
        job: ReplayJob | None = None,
    ) -> None:
        self.session = session
        self.job = job  # the replay process, if the log is replayed there
        self.replayed: list[tuple[int, int]] = []  # (Anki card id, card id) waiting for it
        if job is not None:
            replay_file.create_card_map(session.connection())
        self.pkg = pkg
        self.now = now
        self.schedulers = schedulers
        self.bury_until = db_time(bury_until or now)
        self.decks: dict[str, int] = {}
        self.notetypes: dict[str, tuple[int, NoteTypeDef]] = {}  # name -> stored id, type
        self.seen: set[str] = set()
        guids, notes, cards = pkg.note_keys()
        self.existing = lookup.existing_notes(session, guids)
        self.ords = lookup.existing_ords(session, [r.id for r in self.existing.values()])
        before = {table: max_id(session, table) for table in ("note", "card", "revlog")}
        self.note_ids = IdPlan(session, "note", notes, before["note"])
        self.card_ids = IdPlan(session, "card", cards if schedulers else [], before["card"])
        self.adding = (len(guids) - len(self.existing), max(len(cards), len(guids)))
        new = MemoryState(CardState.NEW, None, None, None, now, None)
        self.fresh = memory_row(new)  # the memory columns of a card never studied
        fresh = dict(zip(MEMORY_COLUMNS, self.fresh, strict=True))
        self.rows = NewRows(db_time(now) or "", fresh, before=before)
        self.log = LogStream(session, _log_rows(pkg) if schedulers else 0, before["revlog"])
        self.scheduled = 0

    def notetype(self, name: str) -> tuple[int, NoteTypeDef]:
        found = self.notetypes.get(name)
        if found is None:
            nt = self.pkg.notetypes[name]
            resolved = resolve_notetype(self.session, nt)
            found = self.notetypes[name] = (ensure_notetype(self.session, resolved), nt)
        return found

    def add_cards(self, note_id: int, wanted: list[CardIn], dom: int) -> int:
        """Queue the cards in `wanted` that the note does not have yet; how many."""
        have = self.ords.get(note_id)
        if have is None and len(wanted) == 1 and self.schedulers is None:  # the common case
            card = wanted[0]
            deck_id = self.decks.get(card.deck) or ensure_deck(self.session, card.deck, self.decks)
            self.rows.fresh_cards.append((self.card_ids.take(), note_id, deck_id, card.ord, dom))
            return 1
        have = have or set()
        made = 0
        for card in wanted:
            if card.ord in have:
                continue
            have.add(card.ord)
            deck_id = self.decks.get(card.deck) or ensure_deck(self.session, card.deck, self.decks)
            if self.schedulers:
                self._add_anki_card(note_id, deck_id, card, dom, self.schedulers)
            else:
                card_id = self.card_ids.take()
                self.rows.fresh_cards.append((card_id, note_id, deck_id, card.ord, dom))
            made += 1
        return made

    def _add_anki_card(
        self, note_id: int, deck_id: int, card: CardIn, dom: int, schedulers: Schedulers
    ) -> None:
        """An Anki card as Anki had it (services/import_cards.py). Its memory state and log
        come from the replay process if there is one (the card goes in as a new card, and
        takes the replayed state at the end: map_replayed)."""
        card_id = self.card_ids.take(card.anki_id)
        place = (card_id, note_id, deck_id, card.ord, dom)
        if self.job is not None and 0 < card.anki_id < self.job.task.below:
            self.replayed.append((card.anki_id, card_id))
            row, _ = anki_card_rows(card, None, place, self.fresh, self.bury_until, self.rows.stamp)
            self.rows.cards.append(row)
            return
        log = self.pkg.history_of(card)
        sched = schedule_from_anki(card, dom, schedulers, self.now, log)
        self.scheduled += sched is not None
        row, log_rows = anki_card_rows(
            card, sched, place, self.fresh, self.bury_until, self.rows.stamp
        )
        self.rows.cards.append(row)
        self.log.add(card_id, log_rows)

    def map_replayed(self) -> None:
        """Record which cards the replayed Anki cards became (written with each chunk)."""
        replay_file.map_cards(self.session.connection(), self.replayed)
        self.replayed = []

    def writer(self) -> RowWriter:
        """Writes the queued notes and cards a chunk at a time (db/import_rows.py)."""
        return RowWriter(self.session, self.rows, *self.adding)


def _log_rows(pkg: Package) -> int:
    """How many review-log rows the package may bring (an upper bound)."""
    if pkg.history is not None:
        return pkg.history.rows
    if not isinstance(pkg.notes, list):
        return 0
    return sum(len(c.history) for n in pkg.notes for c in n.cards)


def resolve_notetype(session: Rows, nt: NoteTypeDef) -> NoteTypeDef:
    """`nt` named as the stored note type it matches, or with a free name.

    A stored type matches when its fields are the same and so are its templates (or both are
    the same built-in kind); a same-named type with other templates gets "Name (2)".
    """
    for n in range(1, 1000):
        name = nt.name if n == 1 else f"{nt.name} ({n})"
        row = lookup.notetype_named(session, name)
        if row is None or _matches(row[1], nt):
            return replace(nt, name=name)
    raise RuntimeError(f"too many note types named {nt.name!r}")


def _matches(stored: NoteTypeDef, nt: NoteTypeDef) -> bool:
    if stored.fields != nt.fields:
        return False
    builtin = stored.kind == nt.kind and stored.kind in ("basic", "reversed", "cloze", "mcq")
    return builtin or same_templates(stored.templates, nt.templates)


def _import_one(ctx: _Context, note: NoteIn, domain: int | None, summary: ImportSummary) -> None:
    problem = _problem(ctx, note)
    if problem:
        summary.skipped.append((note.guid, problem))
        return
    guid = note.guid
    fields = note.fields
    field_names = ctx.pkg.notetypes[note.notetype].fields
    clean = sanitize_field if note.anki_id else sanitize_html  # Anki's fields: as written
    values = [clean(fields.get(name, "")) for name in field_names]
    first = plain_text(values[0]) if values else ""
    if not first and (not values or "<img" not in values[0]) and _all_empty(values[1:]):
        summary.skipped.append((guid, _empty_reason(note)))
        return
    ctx.seen.add(guid)
    nt_id, nt = ctx.notetype(note.notetype)
    stored = (
        nt_id,
        fields_json(values),
        first[:200],
        " ".join(sorted(set(note.tags))),
        note.task,
        note.difficulty,
        note.source,
        note.group,
        int(note.heldout),
    )
    row = ctx.existing.get(guid) if ctx.existing else None
    if row is None:
        note_id = ctx.note_ids.take(note.anki_id)
        created, modified = own_times(note.anki_id, note.anki_mod, ctx.rows.stamp)
        ctx.rows.notes.append((note_id, guid, *stored, created, modified))
        ctx.rows.add_text(note_id, values)
        summary.added += 1
    else:
        note_id = row.id
        _update(ctx, row, stored, summary)
    dom = domain if domain is not None else (note.domain or 0)
    wanted = note.cards or _cards_from_type(nt, values, note.deck)
    if ctx.schedulers is None:
        summary.cards_added += ctx.add_cards(note_id, wanted, dom)
        return
    before = ctx.scheduled
    summary.cards_added += ctx.add_cards(note_id, wanted, dom)
    summary.scheduled += ctx.scheduled - before


def _cards_from_type(nt: NoteTypeDef, values: list[str], deck: str) -> list[CardIn]:
    """The cards a note brings none of (our own and text formats): what its type makes."""
    return [CardIn(o, deck) for o in nt.ords(dict(zip(nt.fields, values, strict=True)))]


_encode = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses


def fields_json(values: Sequence[str]) -> str:
    """json.dumps(values, ensure_ascii=False) (as db.repo.fields_json), without its overhead."""
    return "[" + ", ".join(map(_encode, values)) + "]"


def _update(
    ctx: _Context, row: StoredNote, stored: tuple[Any, ...], summary: ImportSummary
) -> None:
    """An existing note takes the package's content (NOTE_CONTENT, written with the next
    chunk); its cards keep their history."""
    if row.content != stored:
        ctx.rows.updates.append((*stored, ctx.rows.stamp, row.id))
        summary.updated += 1
    else:
        summary.unchanged += 1


def _problem(ctx: _Context, note: NoteIn) -> str | None:
    if note.notetype not in ctx.pkg.notetypes:
        return f"unknown note type {note.notetype!r}"
    if not note.guid:
        return "note has no id"
    if note.guid in ctx.seen:
        return "the package holds this note id twice; the first one was kept"
    if max(map(len, note.fields.values()), default=0) > MAX_FIELD_CHARS:
        return f"a field is longer than {MAX_FIELD_CHARS:,} characters"
    return None


def _empty_reason(note: NoteIn) -> str:
    """Why a note whose sanitised fields show nothing is skipped."""
    if _all_empty(note.fields.values()):
        return "every field is empty"
    return "nothing is left once unsafe markup (scripts, remote images) is removed"


def _all_empty(values: Iterable[str]) -> bool:
    """No field has text or a picture (plain_text(v) or "<img" in v, for each field)."""
    for v in values:
        if "<" in v or "&" in v:
            if strip_html(v) or "<img" in v:
                return False
        elif v and not v.isspace():  # what " ".join(v.split()) would leave
            return False
    return True


def plain_text(html: str) -> str:
    """strip_html, with a fast path for text that has no markup (most imported fields)."""
    if "<" in html or "&" in html:
        return strip_html(html)
    return " ".join(html.split())


def _new_media_names(col: Collection, pkg: Package) -> list[str]:
    """The package's media files the media folder does not have yet (what the import creates)."""
    media_dir = col.media_dir.resolve()
    names = [*pkg.media, *pkg.media_files]
    return [
        n for n in names if (media_dir / n).parent == media_dir and not (media_dir / n).exists()
    ]


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
