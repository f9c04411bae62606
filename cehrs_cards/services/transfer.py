"""Import use cases: preview a deck file, then import it all or nothing.

Reads .apkg/.colpkg (every Anki variant), Anki text files and plain CSV/TSV, and our own
TOML decks. Before anything is written the preview shows the decks, note counts and the
domain each deck would get (from the note's cehrs::domain tag, then the domain rules); the
caller may change a deck's domain. A backup is taken before every import.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cehrs_cards.core.domains import domain_key, domain_name
from cehrs_cards.core.notetypes import BUILTINS, NoteTypeDef
from cehrs_cards.core.ops import Changes, OpResult
from cehrs_cards.db import import_lookup as lookup
from cehrs_cards.interchange.apkg_read import read_apkg
from cehrs_cards.interchange.meta_tags import PREFIX as META_PREFIX
from cehrs_cards.interchange.meta_tags import apply_meta_tags
from cehrs_cards.interchange.native import read_native
from cehrs_cards.interchange.package import DeckFormatError, NoteIn, Package
from cehrs_cards.interchange.text_csv import ColumnMapping, parse_text, read_text
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.domain_map import (
    DEFAULT_RULES,
    DomainMapper,
    DomainRule,
    Proposal,
    load_rules,
    majority,
)
from cehrs_cards.services.gc_pause import gc_paused
from cehrs_cards.services.importing import ImportSummary, Progress, import_package

APKG_SUFFIXES = (".apkg", ".colpkg", ".zip")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class DeckPreview:
    name: str
    notes: int
    cards: int
    proposed: int  # the deck's domain: the most common proposal among its notes
    reason: str
    by_domain: dict[int, int]  # proposed domain -> notes


@dataclass(frozen=True)
class ImportPreview:
    path: Path
    format: str
    notes: int
    cards: int
    new_notes: int
    existing_notes: int
    decks: list[DeckPreview]
    notetypes: list[str]
    media: int
    has_scheduling: bool


@dataclass
class ImportOptions:
    domain: int | None = None  # every imported note gets this domain
    deck_domains: dict[str, int] = field(default_factory=dict)  # the user's choice per deck
    with_scheduling: bool = False
    mapping: ColumnMapping | None = None  # text files: how columns become fields
    rules: tuple[DomainRule, ...] | None = None  # None: the collection's stored rules


@dataclass(frozen=True)
class ImportResult:
    path: Path
    format: str
    summary: ImportSummary
    by_domain: dict[int, int]

    def to_json(self) -> dict[str, Any]:
        s = self.summary
        return {
            "file": str(self.path),
            "format": self.format,
            "notes_added": s.added,
            "notes_updated": s.updated,
            "notes_unchanged": s.unchanged,
            "cards_added": s.cards_added,
            "cards_with_scheduling": s.scheduled,
            "media_added": s.media_added,
            "skipped": [{"id": g, "reason": r} for g, r in s.skipped],
            "notes_by_domain": {domain_key(d): n for d, n in sorted(self.by_domain.items())},
        }


def read_file(
    col: Collection,
    path: Path,
    mapping: ColumnMapping | None = None,
    media_dir: Path | None = None,
    with_history: bool = True,
    progress: Progress | None = None,
    *,
    check_notes: bool = True,
) -> Package:
    """Parse any supported deck file (no database writes); DeckFormatError if we cannot,
    ImportCancelled once `progress` returns False (asked while a package is read).
    `check_notes` False: an Anki package's notes are refused by the caller's own walk
    (read_apkg), not by one here first."""
    if not path.exists():
        raise DeckFormatError(f"{path} does not exist")
    suffix = path.suffix.lower()
    if path.is_dir() or suffix == ".toml":
        pkg = read_native(path)
        pkg.format = "CEHRS Cards deck (TOML)"
    elif suffix in TEXT_SUFFIXES:
        pkg = read_text(path, mapping, _notetypes(col))
    elif suffix in APKG_SUFFIXES or _is_zip(path):
        stop = (lambda: not progress(0, 0)) if progress else None
        # unpacked beside the collection: a kill leaves an import-* folder the next open removes
        work = media_dir if media_dir is not None else col.data_dir
        pkg = read_apkg(
            path,
            media_dir=media_dir,
            with_history=with_history,
            should_stop=stop,
            work_dir=work,
            check_notes=check_notes,
        )
    else:
        raise DeckFormatError(
            f"{path.name}: unknown kind of file (we read .apkg, .colpkg, .csv, .tsv, .txt, .toml)"
        )
    if _may_have_meta_tags(pkg):
        pkg.change_notes(apply_meta_tags)
    return pkg


def _may_have_meta_tags(pkg: Package) -> bool:
    """Whether any note has a cehrs:: tag (one pass over all tags; most decks have none)."""
    if not isinstance(pkg.notes, list):
        return pkg.notes.has_tag_text(META_PREFIX)
    return META_PREFIX in " ".join(t for note in pkg.notes for t in note.tags).lower()


def _is_zip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _notetypes(col: Collection) -> dict[str, NoteTypeDef]:
    from cehrs_cards.db import repo  # the ORM: only a text file's import needs it

    with col.read() as s:
        stored = {nt.name: nt for nt in repo.notetypes(s).values()}
    return {**{n.name: n for n in BUILTINS}, **stored}


def preview_file(
    col: Collection,
    path: Path,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportPreview:
    """What importing `path` would do: decks, counts and proposed domains. Writes nothing,
    and reads no review history (it only says whether there is one)."""
    options = options or ImportOptions()
    pkg = read_file(col, path, options.mapping, with_history=False, progress=progress)
    try:
        return preview_package(col, path, pkg, options)
    finally:
        pkg.close()  # the unpacked file an Anki package's notes are read from


def preview_package(
    col: Collection, path: Path, pkg: Package, options: ImportOptions
) -> ImportPreview:
    mapper = DomainMapper(_rules(col, options))
    proposals: dict[str, list[Proposal]] = {}
    cards: Counter[str] = Counter()
    notetypes: set[str] = set()
    for note in pkg.notes:
        proposals.setdefault(note.deck, []).append(mapper.propose(note))
        cards[note.deck] += len(note.cards) or 1
        notetypes.add(note.notetype)
    existing = _existing_guids(col, pkg.note_keys()[0])
    return ImportPreview(
        path=path,
        format=pkg.format,
        notes=len(pkg.notes),
        cards=sum(cards.values()),
        new_notes=len(pkg.notes) - len(existing),
        existing_notes=len(existing),
        decks=[
            _deck_preview(name, props, cards[name]) for name, props in sorted(proposals.items())
        ],
        notetypes=sorted(notetypes),
        media=len(pkg.media_names) or len(pkg.media),
        has_scheduling=pkg.has_scheduling,
    )


def _deck_preview(name: str, props: list[Proposal], cards: int) -> DeckPreview:
    dom = majority(props)
    reasons = Counter(p.reason for p in props if p.domain == dom)
    reason = reasons.most_common(1)[0][0] if reasons and dom else "no rule matched"
    by_domain = dict(Counter(p.domain for p in props))
    return DeckPreview(name, len(props), cards, dom, reason, by_domain)


def _rules(col: Collection, options: ImportOptions) -> tuple[DomainRule, ...]:
    if options.rules is not None:
        return options.rules
    with col.plain() as s:
        return load_rules(s)


def _existing_guids(col: Collection, guids: list[str]) -> set[str]:
    with col.plain() as s:
        return lookup.existing_guids(s, guids)


def import_file(
    col: Collection,
    path: Path,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import `path` in one transaction (all or nothing); a backup is taken first."""
    options = options or ImportOptions()
    with gc_paused(), tempfile.TemporaryDirectory(dir=col.data_dir, prefix="import-") as tmp:
        # the import's walk refuses what a check would, all or nothing: one walk, not two
        pkg = read_file(
            col,
            path,
            options.mapping,
            Path(tmp),
            options.with_scheduling,
            progress,
            check_notes=False,
        )
        try:
            by_domain = assign_domains(pkg, options, _rules(col, options))
            resolve_media_names(pkg, col.media_dir)
            if pkg.notes:
                col.backup("before-import")
            summary = import_package(
                col, pkg, progress=progress, with_scheduling=options.with_scheduling
            )
        finally:
            pkg.close()
    return ImportResult(path, pkg.format, summary, dict(by_domain))


def assign_domains(
    pkg: Package, options: ImportOptions, rules: tuple[DomainRule, ...]
) -> Counter[int]:
    """Set each note's domain: --domain, else the user's deck choice, else the proposal.

    Returns the notes per domain, counted as notes are assigned: at once for notes held in
    a list, during the next walk (the import's) for a stream, which saves a walk."""
    counts: Counter[int] = Counter()
    mapper = DomainMapper(rules)
    proposed: dict[tuple[str, tuple[str, ...]], int] = {}  # (deck, tags) -> domain

    def assign(note: NoteIn) -> None:
        if options.domain is not None:
            note.domain = options.domain
        elif note.deck in options.deck_domains:
            note.domain = options.deck_domains[note.deck]
        elif not note.domain:  # a note's own domain tag wins; else deck and tags decide
            key = (note.deck, tuple(note.tags))
            if key not in proposed:
                proposed[key] = mapper.propose(note).domain
            note.domain = proposed[key]
        counts[note.domain or 0] += 1

    pkg.change_notes(assign)
    return counts


def resolve_media_names(pkg: Package, media_dir: Path) -> None:
    """Drop media we already have; rename a clashing different file and fix its references."""
    for name, source in list(pkg.media_files.items()):
        target = media_dir / name
        if not target.exists():
            continue
        del pkg.media_files[name]
        if _same_file(target, source):
            continue
        stem, dot, ext = name.rpartition(".")
        digest = hashlib.sha1(source.read_bytes()).hexdigest()[:8]
        new = f"{stem}-{digest}.{ext}" if dot else f"{name}-{digest}"
        pkg.media_files[new] = source
        pkg.change_notes(_renamer(name, new))


def _renamer(old: str, new: str) -> Callable[[NoteIn], None]:
    def rename(note: NoteIn) -> None:
        note.fields = {k: rename_media_refs(v, old, new) for k, v in note.fields.items()}

    return rename


def _same_file(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def rename_media_refs(html: str, old: str, new: str) -> str:
    """`html` with src="old" (raw or URL-encoded) and [sound:old] pointing at `new`."""
    if old not in html and quote(old) not in html:
        return html
    for o in {old, quote(old)}:
        html = re.sub(
            r"(src\s*=\s*[\"']?)" + re.escape(o) + r"(?=[\"'\s>])", lambda m: m.group(1) + new, html
        )
        html = html.replace(f"[sound:{o}]", f"[sound:{new}]")
    return html


def describe_domain(domain: int) -> str:
    return f"{domain} {domain_name(domain)}" if domain else domain_name(domain)


@dataclass(frozen=True)
class TextLayout:
    """A text file's columns for the mapping dialog: the mapping in force and the first rows."""

    mapping: ColumnMapping
    rows: list[list[str]]
    width: int
    fixed_by_header: bool  # the file names a note type per row: nothing to map
    notetypes: dict[str, tuple[str, ...]]  # name -> field names


def text_layout(col: Collection, path: Path, mapping: ColumnMapping | None = None) -> TextLayout:
    known = _notetypes(col)
    parsed = parse_text(path, mapping, known)
    width = max((len(r) for r in parsed.rows[:200]), default=0)
    return TextLayout(
        parsed.mapping,
        parsed.rows[:5],
        width,
        bool(parsed.mapping.notetype_column),
        {name: nt.fields for name, nt in known.items()},
    )


IMPORT_CHANGES = Changes(cards=True, notes=True, decks=True, note_types=True, review_log=True)


class TransferService:
    """What the import and export dialogs need, bound to one collection."""

    def __init__(self, col: Collection) -> None:
        self.col = col

    def preview(
        self, path: Path, options: ImportOptions, progress: Progress | None = None
    ) -> ImportPreview:
        return preview_file(self.col, path, options, progress)

    def run_import(
        self, path: Path, options: ImportOptions, progress: Progress | None = None
    ) -> OpResult[ImportResult]:
        """One transaction, all or nothing; undone by the backup taken before it, not Ctrl+Z."""
        result = import_file(self.col, path, options, progress)
        return OpResult(result, IMPORT_CHANGES)

    def text_layout(self, path: Path, mapping: ColumnMapping | None = None) -> TextLayout:
        return text_layout(self.col, path, mapping)

    def deck_names(self) -> list[str]:
        from cehrs_cards.db import repo

        with self.col.read() as s:
            return sorted(name for _id, name in repo.deck_names(s))

    def run_export(
        self,
        path: Path,
        deck: str | None,
        progress: Progress | None = None,
        *,
        scheduling: bool = False,
        overwrite: bool = False,
    ) -> Any:
        from cehrs_cards.services.transfer_export import export_file

        return export_file(
            self.col, path, deck, progress, scheduling=scheduling, overwrite=overwrite
        )

    def rules_text(self) -> str:
        from cehrs_cards.services.domain_map import rules_to_text

        with self.col.read() as s:
            return rules_to_text(load_rules(s))

    def save_rules_text(self, text: str) -> OpResult[None]:
        """Store the rules typed in the editor; ValueError names the bad line."""
        from cehrs_cards.services.domain_map import rules_from_text, save_rules

        rules = rules_from_text(text) or DEFAULT_RULES
        with self.col.transaction() as s:
            save_rules(s, rules)
        return OpResult(None, Changes(settings=True))
