"""Export use cases: a deck (with its subdecks) or the whole collection to .apkg (with media),
Anki text/CSV or our TOML format; and the note listing behind `cehrs-cards cards --json`.

Domain, task, difficulty and source travel as cehrs:: tags in .apkg and text files, so a
round trip through Anki brings them back. With `scheduling`, an .apkg also carries each
card's state, due date, memory state, suspension, flag and review log (anki_sched.py).
Every file is written beside its target and renamed into place (interchange/atomic.py); an
existing file is replaced only when the caller says so (the GUI asks, the CLI wants --force).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.db import repo
from cehrs_cards.db.repo import fields_dict
from cehrs_cards.db.session import Session, SQLiteError
from cehrs_cards.interchange.apkg_write import package_days, write_apkg
from cehrs_cards.interchange.meta_tags import with_meta_tags
from cehrs_cards.interchange.native import KINDS, write_native
from cehrs_cards.interchange.package import CardIn, DeckFormatError, NoteIn, Package
from cehrs_cards.interchange.text_csv import write_text
from cehrs_cards.services.cleanup import cleanup_export_leftovers as cleanup_export_leftovers
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.export_history import scheduled_cards_by_note
from cehrs_cards.services.importing import Progress

FORMATS = {".apkg": "apkg", ".csv": "text", ".tsv": "text", ".txt": "text", ".toml": "native"}
_MEDIA_REF = re.compile(r"""src\s*=\s*["']?([^"'\s>]+)|\[sound:([^\]]+)\]""", re.IGNORECASE)


@dataclass
class ExportResult:
    path: Path
    format: str
    notes: int = 0
    cards: int = 0
    media: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    reviews: int | None = None  # review-log entries written; None: no scheduling asked for

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "format": self.format,
            "notes": self.notes,
            "cards": self.cards,
            "media": self.media,
            "reviews": self.reviews,
            "skipped": [{"id": g, "reason": r} for g, r in self.skipped],
        }


class TargetExistsError(FileExistsError):
    """The export would replace an existing file and the caller did not allow it."""


def export_file(
    col: Collection,
    path: Path,
    deck: str | None = None,
    progress: Progress | None = None,
    *,
    scheduling: bool = False,
    overwrite: bool = False,
) -> ExportResult:
    """Write the notes of `deck` (and its subdecks), or of every deck, to `path`.

    An existing `path` is replaced (atomically) only with `overwrite`; `scheduling` (.apkg
    only) adds the cards' study state and review history.
    """
    fmt = _check_target(path, scheduling, overwrite)
    cleanup_export_leftovers(path.parent)  # what a killed export left here, long ago
    pkg = collection_package(col, deck, scheduling)
    if deck is not None and not pkg.notes:
        raise DeckFormatError(f"no deck named {deck!r} with notes in it")
    result = ExportResult(path, fmt, len(pkg.notes), sum(len(n.cards) for n in pkg.notes))
    if scheduling:
        result.reviews = sum(len(c.history) for n in pkg.notes for c in n.cards)
    try:
        _write(col, path, pkg, deck, result, progress)
    except InterruptedError:  # cancelled: not a failure to report as one
        raise
    except (OSError, SQLiteError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ExportWriteError(
            f"could not write {path.name} ({reason}); nothing was changed on disk"
        ) from exc
    return result


class ExportWriteError(OSError):
    """Writing failed part-way (disk full, no permission...); any old file is untouched."""


def _write(
    col: Collection,
    path: Path,
    pkg: Package,
    deck: str | None,
    result: ExportResult,
    progress: Progress | None,
) -> None:
    if result.format == "native":
        _write_native(path, pkg, deck, result)
        return
    for note in pkg.notes:
        note.tags = with_meta_tags(note)
    if result.format == "apkg":
        pkg.media_names = sorted(_referenced_media(pkg, col.media_dir))
        result.media = len(pkg.media_names)
        now = col.now()
        days = package_days(pkg, now, col.tz, col.settings().rollover_hour)
        write_apkg(path, pkg, col.media_dir, now, progress, days)
    else:
        write_text(path, pkg.notes, pkg.notetypes)


def _check_target(path: Path, scheduling: bool, overwrite: bool) -> str:
    """The format `path`'s suffix asks for; refuses what cannot or may not be written."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DeckFormatError(f"{path.name}: export to .apkg, .csv, .tsv, .txt or .toml")
    if scheduling and fmt != "apkg":
        raise DeckFormatError("scheduling and review history travel only in an .apkg file")
    if path.is_dir():
        raise DeckFormatError(f"{path} is a folder; give a file name to export to")
    if not overwrite and (path.exists() or path.is_symlink()):
        raise TargetExistsError(f"{path} already exists; it was left as it is")
    return fmt


def collection_package(
    col: Collection, deck: str | None = None, scheduling: bool = False
) -> Package:
    """Notes (with their cards' decks) of one deck tree or the whole collection; with
    `scheduling`, every card also carries its state and review log in Anki's terms."""
    with col.read() as s:
        decks = dict(repo.deck_names(s))
        wanted = {i for i, n in decks.items() if deck is None or n == deck or _under(n, deck)}
        notetypes = repo.notetypes(s)
        if scheduling:
            cards = scheduled_cards_by_note(s, decks, wanted, col)
        else:
            cards = _cards_by_note(s, decks, wanted)
        rows = repo.export_note_rows(s)
        notes = [_note_in(r, notetypes[r[2]], cards[r[0]]) for r in rows if r[0] in cards]
    used = {n.notetype for n in notes}
    return Package(
        notes=notes,
        notetypes={nt.name: nt for nt in notetypes.values() if nt.name in used},
        has_scheduling=scheduling,
    )


def _under(name: str, deck: str | None) -> bool:
    return deck is not None and name.startswith(deck + "::")


def _cards_by_note(
    s: Session, decks: dict[int, str], wanted: set[int]
) -> dict[int, list[tuple[CardIn, int]]]:
    out: dict[int, list[tuple[CardIn, int]]] = {}
    for note_id, ord_, deck_id, domain in repo.card_deck_rows(s):
        if deck_id in wanted:
            out.setdefault(note_id, []).append((CardIn(ord_, decks[deck_id]), domain))
    return out


def _note_in(row: Any, nt: NoteTypeDef, cards: list[tuple[CardIn, int]]) -> NoteIn:
    _, guid, _, fields, tags, task, difficulty, source = row
    domains = Counter(d for _, d in cards)
    return NoteIn(
        guid=guid,
        notetype=nt.name,
        deck=cards[0][0].deck,
        fields=fields_dict(nt, fields),
        tags=tags.split(),
        domain=domains.most_common(1)[0][0] or None,
        task=task,
        difficulty=difficulty,
        source=source,
        cards=[c for c, _ in cards],
    )


def _referenced_media(pkg: Package, media_dir: Path) -> set[str]:
    names: set[str] = set()
    for note in pkg.notes:
        for value in note.fields.values():
            for m in _MEDIA_REF.finditer(value):
                name = m.group(1) or m.group(2)
                if "/" not in name and (media_dir / name).is_file():
                    names.add(name)
    return names


def _write_native(path: Path, pkg: Package, deck: str | None, result: ExportResult) -> None:
    kind_of = {nt.name: nt.kind for nt in pkg.notetypes.values() if nt.kind in KINDS}
    notes: list[tuple[NoteIn, str]] = []
    for note in pkg.notes:
        kind = kind_of.get(note.notetype)
        if kind is None:
            result.skipped.append((note.guid, f"note type {note.notetype!r} has no TOML form"))
            continue
        notes.append((note, kind))
    result.notes = len(notes)
    write_native(path, deck or _main_deck(pkg), notes)


def _main_deck(pkg: Package) -> str:
    counts = Counter(n.deck for n in pkg.notes)
    return counts.most_common(1)[0][0] if counts else "Default"


def list_notes(col: Collection, deck: str | None = None) -> list[dict[str, Any]]:
    """Every note (of `deck` and its subdecks) with fields, tags, domain and card count."""
    pkg = collection_package(col, deck)
    return [
        {
            "id": n.guid,
            "notetype": n.notetype,
            "deck": n.deck,
            "fields": n.fields,
            "tags": n.tags,
            "domain": n.domain or 0,
            "task": n.task,
            "difficulty": n.difficulty,
            "source": n.source,
            "cards": len(n.cards),
            "decks": sorted({c.deck for c in n.cards}),
        }
        for n in pkg.notes
    ]
