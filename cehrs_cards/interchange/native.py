"""Our own deck format (decks/FORMAT.md): TOML files, one stable id and one domain per note."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from cehrs_cards.core.notetypes import BASIC, CLOZE, MCQ, MCQ_OPTION_FIELDS, REVERSED
from cehrs_cards.interchange.atomic import write_bytes_atomically
from cehrs_cards.interchange.package import DeckFormatError, NoteIn, Package, deck_name_problem

FORMAT_VERSION = 1
KINDS = {"basic": BASIC, "reversed": REVERSED, "cloze": CLOZE, "mcq": MCQ}
REQUIRED = {
    "basic": ("front", "back"),
    "reversed": ("front", "back"),
    "cloze": ("text",),
    "mcq": ("stem", "options", "answer", "explanation"),
}
COMMON = ("id", "type", "domain")


MAX_FILE_BYTES = 64 * 1024**2  # one deck file (the bundled deck's largest is a few KB)
MAX_TOTAL_BYTES = 512 * 1024**2  # every file of a folder together
TEXT_KEYS = ("front", "back", "text", "extra", "stem", "answer", "explanation", "task",
             "difficulty", "source", "deck")  # fmt: skip
LIST_KEYS = ("tags", "options", "rationales")


def read_native(path: Path) -> Package:
    """Read one .toml deck file, or every *.toml file below a folder (sorted by name)."""
    if not path.is_dir():
        return Package(notes=read_native_file(path))
    files = sorted(path.rglob("*.toml"))
    total = sum(_size(f) for f in files)
    if total > MAX_TOTAL_BYTES:
        raise DeckFormatError(
            f"{path.name}: its deck files hold {total / 1024**2:,.0f} MB together; the limit "
            f"is {MAX_TOTAL_BYTES / 1024**2:,.0f} MB"
        )
    return Package(notes=[note for f in files for note in read_native_file(f)])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise DeckFormatError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc


def read_native_file(path: Path) -> list[NoteIn]:
    """The notes of one deck file; DeckFormatError naming the file (and note) otherwise."""
    size = _size(path)
    if size > MAX_FILE_BYTES:
        raise DeckFormatError(
            f"{path.name}: the file is {size / 1024**2:,.0f} MB; a deck file may have at most "
            f"{MAX_FILE_BYTES / 1024**2:,.0f} MB"
        )
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeckFormatError(f"{path.name}: not a readable deck file ({exc})") from exc
    except RecursionError as exc:
        raise DeckFormatError(f"{path.name}: not a deck file (it nests too deeply)") from exc
    if doc.get("format") != FORMAT_VERSION:
        raise DeckFormatError(f"{path.name}: unsupported format {_shown(doc.get('format'))}")
    deck = doc.get("deck", "Default")
    notes = doc.get("notes", [])
    if not isinstance(deck, str) or not isinstance(notes, list):
        raise DeckFormatError(f"{path.name}: 'deck' must be text and 'notes' a list of tables")
    return [
        _note(raw, deck or "Default", f"{path.name} note {i + 1}") for i, raw in enumerate(notes)
    ]


def _note(raw: Any, deck: str, where: str) -> NoteIn:
    _check_types(raw, where)
    kind = raw.get("type")
    if kind not in KINDS:
        raise DeckFormatError(f"{where}: type must be one of {sorted(KINDS)}, not {kind!r}")
    missing = [k for k in (*COMMON, *REQUIRED[kind]) if k not in raw]
    if missing:
        raise DeckFormatError(f"{where} ({raw.get('id', '?')}): missing {', '.join(missing)}")
    domain = raw["domain"]
    if not isinstance(domain, int) or isinstance(domain, bool) or not 0 <= domain <= 5:
        raise DeckFormatError(f"{where} ({raw['id']}): domain must be 0..5")
    note_deck = raw.get("deck", deck)
    problem = deck_name_problem(note_deck)
    if problem:
        raise DeckFormatError(f"{where} ({raw['id']}): {problem}")
    return NoteIn(
        guid=str(raw["id"]),
        notetype=KINDS[kind].name,
        deck=note_deck,
        fields=_fields(kind, raw, where),
        tags=list(raw.get("tags", [])),
        domain=domain,
        task=raw.get("task"),
        difficulty=raw.get("difficulty"),
        source=raw.get("source"),
        **_bank_meta(raw, where),
    )


GROUP_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LEVELS = ("apply", "recall")


def _bank_meta(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """The optional item-bank keys: group, heldout, level, checked, waive (decks/FORMAT.md)."""
    out: dict[str, Any] = {}
    bad = f"{where} ({raw.get('id', '?')})"
    group = raw.get("group")
    if group is not None:
        if not isinstance(group, str) or not GROUP_RE.match(group):
            raise DeckFormatError(f"{bad}: group must be lower-case letters, digits, hyphens")
        out["group"] = group
    heldout = raw.get("heldout", False)
    if not isinstance(heldout, bool):
        raise DeckFormatError(f"{bad}: heldout must be true or false")
    out["heldout"] = heldout
    level = raw.get("level")
    if level is not None and level not in LEVELS:
        raise DeckFormatError(f"{bad}: level must be one of {', '.join(LEVELS)}")
    out["level"] = level
    checked = raw.get("checked")
    if checked is not None and (not isinstance(checked, date) or hasattr(checked, "hour")):
        raise DeckFormatError(f"{bad}: checked must be a date such as 2026-12-01")
    out["checked"] = checked
    waive = raw.get("waive", [])
    if not isinstance(waive, list) or not all(isinstance(w, str) and ":" in w for w in waive):
        raise DeckFormatError(f'{bad}: waive must be a list of "flag: reason" strings')
    out["waive"] = list(waive)
    return out


def _check_types(raw: Any, where: str) -> None:
    """Every field of a note has the type FORMAT.md gives it: text, or a list of text."""
    if not isinstance(raw, dict):
        raise DeckFormatError(f"{where}: a note must be a table ([[notes]]), not {_kind(raw)}")
    ident = raw.get("id", "?")
    if not isinstance(ident, str | int) or isinstance(ident, bool):
        raise DeckFormatError(f"{where}: id must be text, not {_kind(ident)}")
    for key in TEXT_KEYS:
        if key in raw and not isinstance(raw[key], str):
            raise DeckFormatError(f"{where} ({ident}): {key} must be text, not {_kind(raw[key])}")
    for key in LIST_KEYS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DeckFormatError(f"{where} ({ident}): {key} must be a list of text")


def _kind(value: Any) -> str:
    """How a TOML value is named in a message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a date or time"


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, int | str) and len(str(value)) < 40 else _kind(value)


def _fields(kind: str, raw: dict[str, Any], where: str) -> dict[str, str]:
    if kind in ("basic", "reversed"):
        return {"Front": str(raw["front"]), "Back": str(raw["back"])}
    if kind == "cloze":
        return {"Text": str(raw["text"]), "Back Extra": str(raw.get("extra", ""))}
    options = raw["options"]
    answer = str(raw["answer"]).strip().upper()
    if not isinstance(options, list) or len(options) != 4:
        raise DeckFormatError(f"{where} ({raw['id']}): an mcq needs exactly 4 options")
    if answer not in MCQ_OPTION_FIELDS:
        raise DeckFormatError(f"{where} ({raw['id']}): answer must be A, B, C or D")
    fields = {
        "Stem": str(raw["stem"]),
        **dict(zip(MCQ_OPTION_FIELDS, map(str, options), strict=True)),
    }
    fields |= {"Answer": answer, "Explanation": str(raw["explanation"])}
    rationales = raw.get("rationales") or [""] * 4
    for letter, why in zip(MCQ_OPTION_FIELDS, rationales, strict=False):
        fields[f"Why {letter}"] = str(why)
    return fields


def note_to_dict(note: NoteIn, kind: str) -> dict[str, Any]:
    """The TOML table of one note (inverse of _note)."""
    out: dict[str, Any] = {"id": note.guid, "type": kind, "domain": note.domain or 0}
    for key in ("task", "difficulty", "source"):
        if getattr(note, key):
            out[key] = getattr(note, key)
    if note.tags:
        out["tags"] = note.tags
    out |= _bank_meta_out(note)
    f = note.fields
    if kind in ("basic", "reversed"):
        out |= {"front": f.get("Front", ""), "back": f.get("Back", "")}
    elif kind == "cloze":
        out |= {"text": f.get("Text", "")}
        if f.get("Back Extra"):
            out["extra"] = f["Back Extra"]
    else:
        out |= {"stem": f["Stem"], "options": [f[k] for k in MCQ_OPTION_FIELDS]}
        out |= {"answer": f["Answer"], "explanation": f.get("Explanation", "")}
        whys = [f.get(f"Why {k}", "") for k in MCQ_OPTION_FIELDS]
        if any(whys):
            out["rationales"] = whys
    return out


def _bank_meta_out(note: NoteIn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if note.group:
        out["group"] = note.group
    if note.heldout:
        out["heldout"] = True
    if note.level:
        out["level"] = note.level
    if note.checked:
        out["checked"] = note.checked
    if note.waive:
        out["waive"] = note.waive
    return out


def write_native(path: Path, deck: str, notes: list[tuple[NoteIn, str]]) -> None:
    """Write (note, kind) pairs as one deck file; notes of other kinds must be converted first.

    A note of another deck than `deck` says so itself. The file is written beside `path` and
    renamed into place (atomic.py), so a failure never leaves a cut-short file over the old.
    """
    items = []
    for note, kind in notes:
        item = note_to_dict(note, kind)
        if note.deck != deck:
            item["deck"] = note.deck
        items.append(item)
    doc = {"format": FORMAT_VERSION, "deck": deck, "notes": items}
    write_bytes_atomically(path, tomli_w.dumps(doc, multiline_strings=True).encode("utf-8"))
