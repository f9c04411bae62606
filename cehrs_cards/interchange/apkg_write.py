"""Write an Anki package: a schema-11 collection.anki21 with its media, as Anki's own
"support older Anki versions" export does, so every Anki from 2.1.0 to today opens it.

We write the legacy layout on purpose: it is plain SQL and JSON (no protobuf to encode), and
current Anki upgrades it on import exactly as it upgrades its own legacy exports.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from collections.abc import Callable, Iterable
from contextlib import closing
from datetime import UTC, datetime, tzinfo
from operator import itemgetter
from pathlib import Path
from typing import Any

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.sanitize import strip_html
from cehrs_cards.interchange import protobuf_lite as pb
from cehrs_cards.interchange.anki_clean import clean_deck, clean_field, clean_name, clean_tags
from cehrs_cards.interchange.anki_sched import (
    AnkiDays,
    card_data,
    card_row,
    first_due,
    revlog_rows,
)
from cehrs_cards.interchange.anki_schema import DECK_SEP
from cehrs_cards.interchange.atomic import replacing, temp_beside
from cehrs_cards.interchange.package import CardIn, NoteIn, Package
from cehrs_cards.interchange.zipsafe import safe_media_name

PACKAGE_VERSION = 2  # collection.anki21, schema 11
SCHEMA = [
    "CREATE TABLE col (id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL,"
    " scm integer NOT NULL, ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL,"
    " ls integer NOT NULL, conf text NOT NULL, models text NOT NULL, decks text NOT NULL,"
    " dconf text NOT NULL, tags text NOT NULL)",
    "CREATE TABLE notes (id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL,"
    " mod integer NOT NULL, usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL,"
    " sfld integer NOT NULL, csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL)",
    "CREATE TABLE cards (id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL,"
    " ord integer NOT NULL, mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL,"
    " queue integer NOT NULL, due integer NOT NULL, ivl integer NOT NULL,"
    " factor integer NOT NULL, reps integer NOT NULL, lapses integer NOT NULL,"
    " left integer NOT NULL, odue integer NOT NULL, odid integer NOT NULL,"
    " flags integer NOT NULL, data text NOT NULL)",
    "CREATE TABLE revlog (id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL,"
    " ease integer NOT NULL, ivl integer NOT NULL, lastIvl integer NOT NULL,"
    " factor integer NOT NULL, time integer NOT NULL, type integer NOT NULL)",
    "CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL)",
]
INDEXES = [  # made after the rows are in: a million review-log rows go in several times faster
    "CREATE INDEX ix_notes_usn ON notes (usn)",
    "CREATE INDEX ix_cards_usn ON cards (usn)",
    "CREATE INDEX ix_revlog_usn ON revlog (usn)",
    "CREATE INDEX ix_cards_nid ON cards (nid)",
    "CREATE INDEX ix_cards_sched ON cards (did, queue, due)",
    "CREATE INDEX ix_revlog_cid ON revlog (cid)",
    "CREATE INDEX ix_notes_csum ON notes (csum)",
]
Progress = Callable[[int, int], bool]


def write_apkg(
    path: Path,
    pkg: Package,
    media_dir: Path | None,
    now: datetime,
    progress: Progress | None = None,
    days: AnkiDays | None = None,
) -> int:
    """Write `pkg` (notes with their cards' decks) to `path` atomically; returns notes written.

    Media named in pkg.media_names are read from `media_dir`; missing ones are left out.
    With pkg.has_scheduling the cards keep their state and review log; `days` says how due
    dates become Anki day numbers (default: days starting at 4 am UTC). Both the collection
    and the package are written beside `path` (atomic.py) and the old file is replaced last.
    """
    db = temp_beside(path, ".anki21")
    try:
        _write_collection(db, pkg, now, progress, days)
        with replacing(path) as part:
            _zip(part, db, _media(pkg, media_dir))
    finally:
        db.unlink(missing_ok=True)
    return len(pkg.notes)


def package_days(pkg: Package, now: datetime, tz: tzinfo, rollover_hour: int) -> AnkiDays:
    """Anki's day numbering for `pkg`: day 0 is the study day of its earliest due review."""
    cards = [c for n in pkg.notes for c in n.cards]
    return AnkiDays.starting(first_due(cards, now), tz, rollover_hour)


def _media(pkg: Package, media_dir: Path | None) -> list[tuple[str, Path | bytes]]:
    out: list[tuple[str, Path | bytes]] = [(n, b) for n, b in sorted(pkg.media.items())]
    for name in sorted(set(pkg.media_names) - set(pkg.media)):
        safe_media_name(name)
        if media_dir is not None and (media_dir / name).is_file():
            out.append((name, media_dir / name))
    return out


def _zip(target: Path, db: Path, media: list[tuple[str, Path | bytes]]) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta", pb.field_varint(1, PACKAGE_VERSION))
        z.write(db, "collection.anki21")
        listing = {}
        for i, (name, source) in enumerate(media):
            listing[str(i)] = name
            if isinstance(source, bytes):
                z.writestr(str(i), source)
            else:
                z.write(source, str(i))
        z.writestr("media", json.dumps(listing, ensure_ascii=False))


def _write_collection(
    db: Path, pkg: Package, now: datetime, progress: Progress | None, days: AnkiDays | None
) -> None:
    days = days or package_days(pkg, now, UTC, 4)
    ms = int(now.timestamp() * 1000)
    with closing(sqlite3.connect(db)) as con, con:
        con.execute("PRAGMA journal_mode=OFF")  # a throwaway file: no journal to leave behind
        con.execute("PRAGMA synchronous=OFF")
        for stmt in SCHEMA:
            con.execute(stmt)
        used = {n.notetype for n in pkg.notes}
        models = {nt.name: stable_id("notetype", nt.name) for nt in pkg.notetypes.values()}
        decks = _Decks(pkg.notes)
        _col_row(con, pkg, used, models, decks.by_name, now, days)
        _notes_and_cards(con, pkg, models, decks, ms, progress, days)
        for stmt in INDEXES:
            con.execute(stmt)


def stable_id(kind: str, name: str) -> int:
    """An Anki id derived from a name, so re-exports map onto the same note type and deck."""
    digest = hashlib.sha1(f"{kind}:{name}".encode()).hexdigest()
    return 1_400_000_000_000 + int(digest[:12], 16) % 100_000_000_000


class _Decks:
    """Deck ids by cleaned name (every level of every deck used), and of each name as given."""

    def __init__(self, notes: Iterable[NoteIn]) -> None:
        given: set[str] = set()
        for note in notes:
            given.update([note.deck, *(c.deck for c in note.cards)])
        names: set[str] = set()
        for deck in given:
            parts = clean_deck(deck, DECK_SEP).split(DECK_SEP)
            names.update(DECK_SEP.join(parts[: i + 1]) for i in range(len(parts)))
        self.by_name = {n: 1 if n == "Default" else stable_id("deck", n) for n in sorted(names)}
        self.of = {deck: self.by_name[clean_deck(deck, DECK_SEP)] for deck in given}


def _col_row(
    con: sqlite3.Connection,
    pkg: Package,
    used: set[str],
    models: dict[str, int],
    decks: dict[str, int],
    now: datetime,
    days: AnkiDays,
) -> None:
    secs = int(now.timestamp())
    model_json = {
        str(models[nt.name]): _model(nt, models[nt.name], secs)
        for nt in pkg.notetypes.values()
        if nt.name in used
    }
    deck_json = {str(i): _deck(name, i, secs) for name, i in {"Default": 1, **decks}.items()}
    conf = dict(_CONF, nextPos=len(pkg.notes) + 1, curModel=next(iter(model_json), None))
    conf |= {"rollover": days.rollover_hour, "creationOffset": days.creation_offset}
    con.execute(
        "INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')",
        (
            days.crt,
            secs * 1000,
            secs * 1000,
            json.dumps(conf),
            json.dumps(model_json),
            json.dumps(deck_json),
            json.dumps({"1": _DCONF}),
        ),
    )


def _notes_and_cards(
    con: sqlite3.Connection,
    pkg: Package,
    models: dict[str, int],
    decks: _Decks,
    ms: int,
    progress: Progress | None,
    days: AnkiDays,
) -> None:
    secs = ms // 1000
    note_rows: list[tuple[Any, ...]] = []
    card_rows: list[tuple[Any, ...]] = []
    revlog: list[tuple[int, ...]] = []
    used_ids: set[int] = set()
    notes = pkg.notes
    for i, note in enumerate(notes):
        nid = ms + i
        nt = pkg.notetypes[note.notetype]
        guid, tags, flds, sort, csum = _note_values(note, nt)
        note_rows.append((nid, guid, models[note.notetype], secs, tags, flds, sort, csum))
        for card in note.cards or [CardIn(o, note.deck) for o in nt.ords(note.fields)]:
            cid = ms + len(card_rows)
            row = card_row(card, i + 1, days)
            card_rows.append((cid, nid, decks.of[card.deck], card.ord, secs, *row, card_data(card)))
            revlog += revlog_rows(cid, card.history, used_ids)
        if progress and i % 1000 == 0 and not progress(i, len(notes)):
            raise InterruptedError("export cancelled")
    con.executemany("INSERT INTO notes VALUES (?,?,?,?,-1,?,?,?,?,0,'')", note_rows)
    con.executemany("INSERT INTO cards VALUES (?,?,?,?,?,-1,?,?,?,?,?,?,?,?,0,0,?,?)", card_rows)
    revlog.sort(key=itemgetter(0))  # by id, the table's key: appended, not scattered
    con.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", revlog)


def _note_values(note: NoteIn, nt: NoteTypeDef) -> tuple[str, str, str, str, int]:
    """(guid, tags, fields, sort field, checksum), without what Anki refuses (anki_clean)."""
    values = [clean_field(note.fields.get(f, "")) for f in nt.fields]
    sort = strip_html(values[0]) if values else ""
    csum = int(hashlib.sha1(sort.encode()).hexdigest()[:8], 16)
    tags = clean_tags(note.tags)
    spaced = f" {' '.join(tags)} " if tags else ""
    return clean_name(note.guid), spaced, "\x1f".join(values), sort, csum


def _model(nt: NoteTypeDef, mid: int, secs: int) -> dict[str, Any]:
    fields = [
        {"name": f, "ord": i, "sticky": False, "rtl": False, "font": "Arial", "size": 20}
        | {"media": [], "description": ""}
        for i, f in enumerate(nt.fields)
    ]
    tmpls = [
        {"name": t.name, "ord": i, "qfmt": t.front, "afmt": t.back, "bqfmt": "", "bafmt": ""}
        | {"did": None, "bfont": "", "bsize": 0}
        for i, t in enumerate(nt.templates)
    ]
    return {
        "id": mid,
        "name": clean_name(nt.name),
        "type": 1 if nt.kind == "cloze" else 0,
        "mod": secs,
        "usn": -1,
        "sortf": 0,
        "did": None,
        "tmpls": tmpls,
        "flds": fields,
        "css": nt.css or _CSS,
        "latexPre": _LATEX_PRE,
        "latexPost": "\\end{document}",
        "latexsvg": False,
        "req": _requirements(nt),
        "tags": [],
        "vers": [],
    }


def _requirements(nt: NoteTypeDef) -> list[list[Any]]:
    """Which fields make each card (old Anki reads this; new Anki recomputes it)."""
    out: list[list[Any]] = []
    for i, t in enumerate(nt.templates):
        used = [j for j, f in enumerate(nt.fields) if f"{f}}}}}" in t.front]
        out.append([i, "any", used or [0]])
    return out


def _deck(name: str, did: int, secs: int) -> dict[str, Any]:
    return {
        "id": did,
        "name": name,
        "mod": secs,
        "usn": -1,
        "lrnToday": [0, 0],
        "revToday": [0, 0],
        "newToday": [0, 0],
        "timeToday": [0, 0],
        "collapsed": False,
        "browserCollapsed": False,
        "desc": "",
        "dyn": 0,
        "conf": 1,
        "extendNew": 0,
        "extendRev": 0,
    }


_CSS = ".card { font-family: arial; font-size: 20px; text-align: center; }\n"
_LATEX_PRE = (
    "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
    "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n"
    "\\begin{document}\n"
)
_CONF = {
    "activeDecks": [1],
    "curDeck": 1,
    "newSpread": 0,
    "collapseTime": 1200,
    "timeLim": 0,
    "estTimes": True,
    "dueCounts": True,
    "sortType": "noteFld",
    "sortBackwards": False,
    "addToCur": True,
    "schedVer": 2,
}
_DCONF = {
    "id": 1,
    "name": "Default",
    "mod": 0,
    "usn": 0,
    "maxTaken": 60,
    "autoplay": True,
    "timer": 0,
    "replayq": True,
    "dyn": False,
    "new": {
        "delays": [1.0, 10.0],
        "ints": [1, 4, 0],
        "initialFactor": 2500,
        "order": 1,
        "perDay": 20,
        "bury": False,
    },
    "lapse": {"delays": [10.0], "mult": 0.0, "minInt": 1, "leechFails": 8, "leechAction": 1},
    "rev": {
        "perDay": 200,
        "ease4": 1.3,
        "ivlFct": 1.0,
        "maxIvl": 36500,
        "bury": False,
        "hardFactor": 1.2,
    },
}
