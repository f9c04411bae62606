"""Note types and decks of an Anki collection file, in both layouts Anki has used.

Schema 11 (collection.anki2 / .anki21) keeps them as JSON in the `col` row; schema 15-18
(collection.anki21b) keeps them in their own tables with protobuf config blobs. Both come out
as our NoteTypeDef and plain deck names ('::' between levels).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from cehrs_cards.core.notetypes import BUILTINS, NoteTypeDef, Template, notetype_problem
from cehrs_cards.interchange import protobuf_lite as pb
from cehrs_cards.interchange.package import deck_name_problem
from cehrs_cards.interchange.zipsafe import PackageError

SCHEMA_LEGACY = 11
SCHEMA_TABLES = range(15, 19)  # note types, decks and templates in their own tables
DECK_SEP = "::"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class AnkiNoteType:
    id: int
    definition: NoteTypeDef


def unicase(a: str, b: str) -> int:
    """The `unicase` collation schema 18 declares: case-insensitive comparison."""
    x, y = a.casefold(), b.casefold()
    return (x > y) - (x < y)


def schema_version(con: sqlite3.Connection) -> int:
    row = con.execute("SELECT ver FROM col").fetchone()
    if row is None:
        raise PackageError("the package's collection has no header row")
    return int(row[0])


def read_notetypes(con: sqlite3.Connection, ver: int) -> dict[int, NoteTypeDef]:
    """Note-type id -> definition, names made unique."""
    raw = _notetypes_tables(con) if ver in SCHEMA_TABLES else _notetypes_json(con)
    out: dict[int, NoteTypeDef] = {}
    seen: set[str] = set()
    for nt in raw:
        d = nt.definition
        if d.name in seen:
            d = NoteTypeDef(f"{d.name} ({nt.id})", d.kind, d.fields, d.templates, d.css)
        seen.add(d.name)
        out[nt.id] = d
    return out


def read_decks(con: sqlite3.Connection, ver: int) -> dict[int, str]:
    """Deck id -> full name with '::' between levels; PackageError for a name too long or
    too deep to be a real deck (deck_name_problem)."""
    out: dict[int, str] = {}
    if ver in SCHEMA_TABLES:
        out = {int(i): str(n).replace("\x1f", DECK_SEP) for i, n in con.execute(_DECKS_SQL)}
    else:
        for key, deck in _col_json(con, "decks").items():
            if isinstance(deck, dict) and isinstance(deck.get("name"), str):
                out[int(deck.get("id", key))] = deck["name"]
    for name in out.values():
        problem = deck_name_problem(name)
        if problem:
            raise PackageError(f"the package's deck {name[:60]!r}… is refused: {problem}")
    return out


_DECKS_SQL = "SELECT id, name FROM decks"


def _col_json(con: sqlite3.Connection, column: str) -> dict[str, Any]:
    text = con.execute(f"SELECT {column} FROM col").fetchone()[0]
    try:
        value = json.loads(text or "{}")
    except (json.JSONDecodeError, TypeError) as exc:
        raise PackageError(f"the package's {column} list is damaged ({exc})") from exc
    except RecursionError as exc:
        raise PackageError(f"the package's {column} list is nested too deeply to read") from exc
    if not isinstance(value, dict):
        raise PackageError(f"the package's {column} list is damaged")
    return value


def _notetypes_json(con: sqlite3.Connection) -> list[AnkiNoteType]:
    out = []
    for key, model in _col_json(con, "models").items():
        try:
            fields = [f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"])]
            tmpls = sorted(model["tmpls"], key=lambda t: t["ord"])
            templates = [Template(t["name"], t["qfmt"], t["afmt"]) for t in tmpls]
            definition = make_notetype(
                str(model["name"]), model.get("type") == 1, fields, templates, model.get("css", "")
            )
            out.append(AnkiNoteType(int(model.get("id", key)), definition))
        except PackageError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PackageError(f"note type {key} in the package is malformed ({exc})") from exc
    return out


def _notetypes_tables(con: sqlite3.Connection) -> list[AnkiNoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in con.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int(ntid), []).append(str(name))
    templates: dict[int, list[Template]] = {}
    for ntid, name, config in con.execute(
        "SELECT ntid, name, config FROM templates ORDER BY 1, ord"
    ):
        msg = _pb(config, f"template {name!r}")
        tpl = Template(str(name), pb.first_str(msg, 1), pb.first_str(msg, 2))
        templates.setdefault(int(ntid), []).append(tpl)
    out = []
    for ntid, name, config in con.execute("SELECT id, name, config FROM notetypes"):
        msg = _pb(config, f"note type {name!r}")
        cloze = pb.first_int(msg, 1) == 1
        d = make_notetype(
            str(name),
            cloze,
            fields.get(int(ntid), []),
            templates.get(int(ntid), []),
            pb.first_str(msg, 3),
        )
        out.append(AnkiNoteType(int(ntid), d))
    return out


def _pb(blob: bytes, what: str) -> dict[int, list[pb.Value]]:
    try:
        return pb.parse(bytes(blob or b""))
    except pb.ProtobufError as exc:
        raise PackageError(f"{what} in the package is malformed ({exc})") from exc


def make_notetype(
    name: str, cloze: bool, fields: list[str], templates: list[Template], css: str
) -> NoteTypeDef:
    """Our definition of an Anki note type; a stock type keeps its built-in kind."""
    if not fields or not templates:
        raise PackageError(f"note type {name!r} in the package has no fields or no templates")
    kind = "cloze" if cloze else builtin_kind(tuple(fields), tuple(templates)) or "custom"
    nt = NoteTypeDef(name, kind, tuple(fields), tuple(templates), css)
    problem = notetype_problem(nt)
    if problem:
        raise PackageError(f"note type {name[:80]!r} in the package is refused: {problem}")
    return nt


def builtin_kind(fields: tuple[str, ...], templates: tuple[Template, ...]) -> str | None:
    """The built-in kind whose fields and templates these are (whitespace and quotes aside)."""
    for nt in BUILTINS:
        if nt.kind != "cloze" and nt.fields == fields and same_templates(nt.templates, templates):
            return nt.kind
    return None


def same_templates(a: tuple[Template, ...], b: tuple[Template, ...]) -> bool:
    return len(a) == len(b) and all(
        _norm(x.front) == _norm(y.front) and _norm(x.back) == _norm(y.back)
        for x, y in zip(a, b, strict=True)
    )


def _norm(tpl: str) -> str:
    return _SPACE.sub("", tpl).replace('"', "").replace("'", "")
