"""Notes as text: Anki's text format (header lines such as #separator:tab, #html:true,
#notetype column:2) and plain CSV/TSV read through a column mapping.

Without a #guid column a note's id is derived from its note type and first field, so
importing the same file twice updates the notes instead of duplicating them.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cehrs_cards.core.notetypes import BUILTINS, NoteTypeDef
from cehrs_cards.interchange.anki_clean import (
    clean_deck,
    clean_field,
    clean_name,
    clean_tags,
    neutral_cell,
    neutral_html_cell,
)
from cehrs_cards.interchange.atomic import write_bytes_atomically
from cehrs_cards.interchange.package import DeckFormatError, NoteIn, Package, deck_name_problem

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
MAX_TEXT_BYTES = 512 * 1024**2
MAX_FIELD_CHARS = 1_000_000
_TAG_OPEN = re.compile(r"<[a-zA-Z/]")
_REFERENCE = re.compile(r"&[a-z]+;|&#\d+;")


@dataclass
class ColumnMapping:
    """How the columns of a text file become notes (1-based column numbers, 0 = none)."""

    notetype: str = "Basic"
    fields: dict[int, str] = field(default_factory=dict)  # column -> field name
    deck: str = "Default"
    tags: list[str] = field(default_factory=list)  # added to every note
    separator: str | None = None  # None: from the header or sniffed
    html: bool | None = None  # None: from the header or detected
    notetype_column: int = 0
    deck_column: int = 0
    tags_column: int = 0
    guid_column: int = 0
    first_row_is_header: bool = False
    labels: list[str] = field(default_factory=list)  # column names (#columns: or a header row)


@dataclass
class TextFile:
    """A text file's header settings and rows, before they become notes."""

    mapping: ColumnMapping
    rows: list[list[str]]
    header_lines: int = 0


def read_text(
    path: Path,
    mapping: ColumnMapping | None = None,
    notetypes: dict[str, NoteTypeDef] | None = None,
) -> Package:
    """Notes from a text file; `mapping` overrides what the file's header lines say."""
    known = notetypes or {nt.name: nt for nt in BUILTINS}
    parsed = parse_text(path, mapping, known)
    pkg = Package(notetypes=dict(known), format=f"text ({parsed.mapping.notetype})")
    pkg.notes = [
        _note(row, parsed.mapping, known, f"{path.name} row {i + 1 + parsed.header_lines}")
        for i, row in enumerate(parsed.rows)
        if any(cell.strip() for cell in row)
    ]
    return pkg


def parse_text(
    path: Path,
    mapping: ColumnMapping | None = None,
    notetypes: dict[str, NoteTypeDef] | None = None,
) -> TextFile:
    """Header lines and rows of `path`; `mapping` (if given) wins over the header."""
    text = _load(path)
    lines = text.splitlines(keepends=True)
    meta = ColumnMapping()
    n = _read_header(lines, meta)
    if mapping is not None:
        meta = _merge(meta, mapping)
    body = "".join(lines[n:])
    meta.separator = meta.separator or sniff_separator(body)
    rows = _rows(body, meta.separator, path.name)
    if meta.first_row_is_header and rows:
        meta.labels = meta.labels or rows[0]
        rows, n = rows[1:], n + 1
    if meta.html is None:
        meta.html = any(_looks_like_html(c) for r in rows[:50] for c in r)
    if not meta.fields:
        width = max((len(r) for r in rows), default=0)
        meta.fields = _default_fields(meta, width, notetypes or {n.name: n for n in BUILTINS})
    return TextFile(meta, rows, n)


def _looks_like_html(cell: str) -> bool:
    """Whether a cell has a tag ('<' and a letter or '/', then a '>') or a reference. The
    first such '<' decides: any later one has a '>' after it only if this one does (a regex
    for the whole tag rescans to the end from every '<' without one: quadratic)."""
    start = _TAG_OPEN.search(cell)
    if start is not None and cell.find(">", start.end()) >= 0:
        return True
    return _REFERENCE.search(cell) is not None


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _load(path: Path) -> str:
    """The file's text: UTF-8 (a byte-order mark or not), or UTF-16 with its byte-order mark,
    which is what Excel's "Unicode Text" writes. Anything else is refused with what to do,
    never guessed (a wrong guess would import garbled text without a word)."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise DeckFormatError(f"{path.name} is {size / 1024**2:,.0f} MB, larger than we accept")
        data = path.read_bytes()
        if data.startswith(_UTF16_BOMS):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeckFormatError(
            f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start:,}). Save it as "
            'UTF-8 and import it again: in Excel, "CSV UTF-8" or "Unicode Text"; in '
            "LibreOffice, the Unicode (UTF-8) character set."
        ) from exc
    except OSError as exc:
        raise DeckFormatError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc


def _read_header(lines: list[str], meta: ColumnMapping) -> int:
    n = 0
    if lines and lines[0].startswith("tags:"):
        meta.tags = lines[0][5:].split()
        n = 1
    while n < len(lines) and lines[n].startswith("#"):
        key, sep, value = lines[n][1:].rstrip("\r\n").partition(":")
        if sep:
            _header_value(meta, key.strip().lower(), value)
        n += 1
    return n


def _header_value(meta: ColumnMapping, key: str, value: str) -> None:
    v = value.strip()
    if key == "separator":
        meta.separator = SEPARATORS.get(v.lower(), value if len(value) == 1 else None)
    elif key == "html":
        meta.html = v.lower() == "true"
    elif key == "tags":
        meta.tags = v.split()
    elif key == "columns":
        meta.labels = next(csv.reader([v], delimiter=meta.separator or "\t"), [])
    elif key == "notetype":
        meta.notetype = v
    elif key == "deck":
        meta.deck = v
    elif key in ("notetype column", "deck column", "tags column", "guid column") and v.isdigit():
        setattr(meta, key.replace(" ", "_"), int(v))


def _merge(header: ColumnMapping, given: ColumnMapping) -> ColumnMapping:
    """The caller's mapping, filling what it leaves open from the file's header."""
    out = ColumnMapping(**{k: v for k, v in vars(given).items()})
    out.separator = given.separator or header.separator
    out.html = given.html if given.html is not None else header.html
    out.labels = given.labels or header.labels
    out.tags = [*header.tags, *given.tags]
    for key in ("notetype_column", "deck_column", "tags_column", "guid_column"):
        setattr(out, key, getattr(given, key) or getattr(header, key))
    return out


def sniff_separator(body: str) -> str:
    """Tab if the first line has one, else the most common of , ; | in it, else comma."""
    first = next((ln for ln in body.splitlines() if ln.strip()), "")
    if "\t" in first:
        return "\t"
    counts = {s: first.count(s) for s in ",;|"}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _rows(body: str, sep: str, name: str) -> list[list[str]]:
    csv.field_size_limit(MAX_FIELD_CHARS + 1)
    try:
        return list(csv.reader(io.StringIO(body, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise DeckFormatError(f"{name}: not readable as delimited text ({exc})") from exc


def _meta_columns(m: ColumnMapping) -> set[int]:
    return {m.notetype_column, m.deck_column, m.tags_column, m.guid_column} - {0}


def _default_fields(m: ColumnMapping, width: int, known: dict[str, NoteTypeDef]) -> dict[int, str]:
    """Columns to fields: by #columns label where names match, else in column order."""
    nt = known.get(m.notetype)
    names = list(nt.fields) if nt else []
    free = [c for c in range(1, width + 1) if c not in _meta_columns(m)]
    labelled = {c: m.labels[c - 1] for c in free if c <= len(m.labels) and m.labels[c - 1]}
    if names and set(labelled.values()) & set(names):
        return {c: label for c, label in labelled.items() if label in names}
    if m.notetype_column:
        return {c: f"#{i}" for i, c in enumerate(free)}  # positional, note type per row
    return dict(zip(free, names, strict=False))


def _note(row: list[str], m: ColumnMapping, known: dict[str, NoteTypeDef], where: str) -> NoteIn:
    def cell(col: int) -> str:
        return row[col - 1].strip() if 0 < col <= len(row) else ""

    notetype = cell(m.notetype_column) or m.notetype
    fields = _fields(row, m, known.get(notetype))
    if any(len(v) > MAX_FIELD_CHARS for v in fields.values()):
        raise DeckFormatError(f"{where}: a field is longer than {MAX_FIELD_CHARS:,} characters")
    tags = [*m.tags, *cell(m.tags_column).split()]
    guid = cell(m.guid_column) or derived_guid(notetype, fields)
    deck = cell(m.deck_column) or m.deck
    problem = deck_name_problem(deck)
    if problem:
        raise DeckFormatError(f"{where}: {problem}")
    return NoteIn(guid, notetype, deck, fields, tags)


def _fields(row: list[str], m: ColumnMapping, nt: NoteTypeDef | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for col, name in m.fields.items():
        if col <= len(row):
            value = row[col - 1] if m.html else _plain_to_html(row[col - 1])
            out[name] = value
    if nt is not None and any(k.startswith("#") for k in out):
        positional = [v for k, v in out.items() if k.startswith("#")]
        out = dict(zip(nt.fields, positional, strict=False))
    return out


def _plain_to_html(text: str) -> str:
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def derived_guid(notetype: str, fields: dict[str, str]) -> str:
    """A stable id from the note type and first field, for files without a guid column."""
    first = next(iter(fields.values()), "")
    return "txt-" + hashlib.sha1(f"{notetype}\x1f{first}".encode()).hexdigest()[:16]


def write_text(path: Path, notes: Iterable[NoteIn], notetypes: dict[str, NoteTypeDef]) -> int:
    """Anki's text format with guid, note type, deck, fields and tags columns; returns rows.

    Cells lose the control characters Anki refuses and are neutralised for spreadsheets
    (anki_clean.py); the file is written beside `path` and renamed into place (atomic.py).
    """
    rows = []
    for note in notes:
        nt = notetypes[note.notetype]
        values = [neutral_html_cell(clean_field(note.fields.get(f, ""))) for f in nt.fields]
        names = [clean_name(note.guid), clean_name(note.notetype), clean_deck(note.deck)]
        tags = " ".join(clean_tags(note.tags))
        rows.append(([neutral_cell(n) for n in names], values, neutral_cell(tags)))
    width = max((len(r[1]) for r in rows), default=1)
    out = io.StringIO(newline="")
    out.write("#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n")
    out.write(f"#tags column:{width + 4}\n")
    for names, values, tags in rows:
        out.write(_tsv_row([*names, *values, *[""] * (width - len(values)), tags]))
    write_bytes_atomically(path, out.getvalue().encode("utf-8"))
    return len(rows)


def _tsv_row(cells: list[str]) -> str:
    """One tab-separated row, quoted as csv quotes; a first cell starting with # is quoted too,
    or Anki (and our reader) would take the row for a comment or header line."""
    out = []
    for i, cell in enumerate(cells):
        if any(c in cell for c in _QUOTE_IF) or (i == 0 and cell.startswith("#")):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return "\t".join(out) + "\n"


_QUOTE_IF = ('"', "\t", "\n", "\r")
