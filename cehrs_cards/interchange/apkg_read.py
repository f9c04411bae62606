"""Read an Anki .apkg (legacy collection.anki2 / .anki21, or current zstd collection.anki21b).

Parses into a Package: note types, notes with their Anki cards (deck per card), optionally
the scheduling and review history, and the media names (extracted on request). Nothing here
touches our database; every problem is a PackageError with a sentence for the user.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.interchange import protobuf_lite as pb
from cehrs_cards.interchange.anki_schema import (
    SCHEMA_LEGACY,
    SCHEMA_TABLES,
    read_decks,
    read_notetypes,
    schema_version,
)
from cehrs_cards.interchange.apkg_history import HistoryFile
from cehrs_cards.interchange.package import CardIn, ImportCancelled, NoteIn, Package
from cehrs_cards.interchange.package_db import (
    Guard,
    QuickCheck,
    ShouldStop,
    check_rows,
    check_tables,
    open_collection,
)
from cehrs_cards.interchange.zipsafe import Limits, PackageError, SafeZip, safe_media_name

COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
DUMMY_TEXT = "please update to the latest anki version"
FIELD_SEP = "\x1f"


def read_apkg(
    path: Path,
    *,
    media_dir: Path | None = None,
    with_history: bool = True,
    limits: Limits | None = None,
    should_stop: ShouldStop | None = None,
) -> Package:
    """Parse the package at `path`; media files are extracted into `media_dir` if given.

    Without `with_history` the review log is never read (the preview: has_scheduling then
    only says whether there is one). `should_stop()` returning True makes the read stop
    within a fraction of a second, even inside one long SQLite statement: ImportCancelled.
    """
    limits = limits or Limits()
    with SafeZip(path, limits) as z:
        if not z.names:
            raise PackageError(f"{path.name} is an empty package (it holds no files)")
        version = _package_version(z)
        member = COLLECTIONS[version]
        if not z.has(member):
            raise PackageError(f"{path.name} has no collection ({member} is missing)")
        pkg = Package(notetypes={}, format=f"Anki package ({member})")
        tmp = Path(tempfile.mkdtemp(prefix="cehrs-apkg-"))
        folder: Path | None = tmp  # removed at the end unless the history keeps it
        try:
            db = tmp / "collection.db"
            with _collection(z, db, member, version == 3, limits, should_stop) as (
                con,
                guard,
                tables,
            ):
                try:
                    rows = _read_collection(con, tables, pkg, member, with_history, limits)
                except (PackageError, ImportCancelled, sqlite3.Error):
                    raise
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    raise PackageError(
                        f"the collection in the package has malformed rows ({exc})"
                    ) from exc
            if rows:  # the log is read card by card during the import (apkg_history.py)
                pkg.history, folder = HistoryFile(tmp, db, rows, limits), None
            _read_media(z, version, pkg, media_dir, guard)
        except BaseException:
            pkg.close()
            raise
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
    return pkg


def _package_version(z: SafeZip) -> int:
    """1, 2 or 3 as Anki numbers package versions; 'meta' says, else the files present do."""
    if z.has("meta"):
        try:
            version = pb.first_int(pb.parse(z.read("meta")), 1)
        except pb.ProtobufError as exc:
            raise PackageError(f"the package's version record is damaged ({exc})") from exc
        if version not in COLLECTIONS:
            raise PackageError(
                f"this package was made by a newer Anki (package version {version}); "
                "we can read versions 1 to 3"
            )
        return version
    return 2 if z.has(COLLECTIONS[2]) else 1


@contextmanager
def _collection(
    z: SafeZip, db: Path, member: str, zstd: bool, limits: Limits, should_stop: ShouldStop | None
) -> Iterator[tuple[sqlite3.Connection, Guard, set[str]]]:
    """The package's SQLite collection, unpacked to `db` (in a temporary folder), opened
    guarded (package_db), its main tables checked to be plain tables, and then checked by
    SQLite's quick_check on a second thread while it is read. Yields the Anki tables present
    too."""
    z.extract(member, db, zstd=zstd, check=Guard(0, should_stop).check)
    with open_collection(db, limits, should_stop) as (con, guard):
        tables = check_tables(con, ("col", "notes", "cards"))
        check = QuickCheck(db, limits)
        try:
            yield con, guard, tables
        except ImportCancelled:
            check.stop()
            raise
        except BaseException:
            check.raise_if_failed(member)  # a file that fails the check says more
            raise
        check.raise_if_failed(member)


def _read_collection(
    con: sqlite3.Connection,
    present: set[str],
    pkg: Package,
    member: str,
    with_history: bool,
    limits: Limits,
) -> int:
    """Fill `pkg` from the collection; the number of review-log rows to import (0: none,
    or not wanted), which the importer reads card by card afterwards."""
    ver = schema_version(con)
    if ver != SCHEMA_LEGACY and ver not in SCHEMA_TABLES:
        raise PackageError(f"the package uses collection schema {ver}, which we do not know")
    if ver in SCHEMA_TABLES:
        check_tables(con, ("notetypes", "fields", "templates", "decks"))
    check_rows(con, "notes", limits.max_notes, "notes", "")
    check_rows(con, "cards", limits.max_cards, "cards", "")
    rows = 0
    if with_history and "revlog" in present:
        advice = "; import it without its review history"
        rows = check_rows(con, "revlog", limits.max_revlog, "review-log entries", advice)
    by_id = read_notetypes(con, ver)
    pkg.notetypes = {nt.name: nt for nt in by_id.values()}
    decks = read_decks(con, ver)
    crt = int(con.execute("SELECT crt FROM col").fetchone()[0] or 0)
    cards = _read_cards(con, decks, crt if with_history else None)
    pkg.notes = _read_notes(con, by_id, cards, limits)
    if member == COLLECTIONS[1] and _is_dummy(pkg):
        raise PackageError(
            "this package only holds Anki's 'please update' placeholder; its real collection "
            "is missing (was the file cut short?)"
        )
    pkg.has_scheduling = _has_history(con, present)
    return rows


def _has_history(con: sqlite3.Connection, present: set[str]) -> bool:
    """Whether the package has scheduling or a review log to bring in, without reading it."""
    if "revlog" in present and con.execute("SELECT 1 FROM revlog LIMIT 1").fetchone():
        return True
    return con.execute("SELECT 1 FROM cards WHERE type != 0 LIMIT 1").fetchone() is not None


def _is_dummy(pkg: Package) -> bool:
    return len(pkg.notes) == 1 and any(
        DUMMY_TEXT in v.lower() for v in list(pkg.notes[0].fields.values())[:1]
    )


def _read_notes(
    con: sqlite3.Connection,
    notetypes: dict[int, NoteTypeDef],
    cards: dict[int, list[CardIn]],
    limits: Limits,
) -> list[NoteIn]:
    notes = []
    for nid, guid, mid, mod, tags, flds in con.execute(
        "SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id"
    ):
        text = str(flds)
        values = text.split(FIELD_SEP)
        if len(text) > limits.max_field_chars:
            _check_size(values, str(guid), limits)
        nt = notetypes.get(int(mid))
        if nt is None:
            notes.append(NoteIn(str(guid), f"missing note type {mid}", "Default", {}, []))
            continue
        own = cards.get(int(nid))
        valid = _valid_cards(nt, own) if own else []
        names = nt.fields
        if len(values) < len(names):
            values += [""] * (len(names) - len(values))
        fields = dict(zip(names, values, strict=False))  # extra values (no field) are dropped
        deck = valid[0].deck if valid else "Default"
        note = NoteIn(str(guid), nt.name, deck, fields, str(tags).split(), cards=valid)
        note.anki_id, note.modified = anki_id(nid), _ts_of(mod)
        notes.append(note)
    return notes


MAX_ANKI_ID = 10**15
"""Anki's ids are creation times in ms (about 1.7e12 today); larger ones are not kept."""


def anki_id(value: object) -> int:
    """An Anki note or card id worth keeping as ours, else 0 (the importer numbers it)."""
    got = int(value) if isinstance(value, int) else 0
    return got if 0 < got < MAX_ANKI_ID else 0


def _ts_of(seconds: object) -> datetime | None:
    """A plausible Anki modification time (seconds), else None."""
    if not isinstance(seconds, int) or not 0 < seconds < MAX_ANKI_ID // 1000:
        return None
    return _ts(seconds)


def _valid_cards(nt: NoteTypeDef, own: list[CardIn]) -> list[CardIn]:
    """The note's cards (in ordinal order) that its type can show: any cloze number, a
    template that exists."""
    if nt.kind == "cloze" or own[-1].ord < len(nt.templates):
        return own
    return [c for c in own if c.ord < len(nt.templates)]


def _check_size(values: list[str], guid: str, limits: Limits) -> None:
    longest = max((len(v) for v in values), default=0)
    if longest > limits.max_field_chars:
        raise PackageError(
            f"note {guid!r} has a field of {longest:,} characters; the limit is "
            f"{limits.max_field_chars:,}"
        )


def _read_cards(
    con: sqlite3.Connection, decks: dict[int, str], crt: int | None
) -> dict[int, list[CardIn]]:
    """Note id -> its cards by ordinal; scheduling (and Anki's FSRS memory state, kept in a
    card's data) only if `crt` is given."""
    out: dict[int, list[CardIn]] = {}
    if crt is None:  # no scheduling wanted: ordinal and deck are all we need
        return _read_card_places(con, decks)
    rows = con.execute(  # table order; the few notes whose cards are not stored by ordinal
        "SELECT id, nid, did, odid, ord, type, queue, due, odue, ivl, factor, reps, lapses, "
        "flags, data, mod FROM cards"  # are sorted after
    )
    dues: dict[tuple[int, int, int], datetime | None] = {}  # many cards share a due day
    unsorted: list[list[CardIn]] = []
    for row in rows:
        cid, nid, did, odid, ord_, ctype, queue, due, odue, ivl, factor, reps, lapses = row[:13]
        kind, queue, due = int(ctype), int(queue), int(odue) if odid else int(due)
        when = dues.get((kind, queue, due), _NO_DUE)
        if when is _NO_DUE:
            when = dues[(kind, queue, due)] = _due(kind, queue, due, crt)
        card = CardIn(
            int(ord_),
            decks.get(int(odid) or int(did), "Default"),
            kind,
            queue,
            when,
            max(0, int(ivl)),
            int(factor),
            int(reps),
            int(lapses),
            int(row[13]) & 7,
            anki_id=anki_id(cid),
            modified=_ts_of(row[15]),
        )
        if kind != 0 and row[14]:
            _memory_from_data(card, row[14])
        same = out.get(int(nid))
        if same is None:
            out[int(nid)] = [card]
        else:
            if same[-1].ord > card.ord:
                unsorted.append(same)
            same.append(card)
    for cards in unsorted:
        cards.sort(key=lambda c: c.ord)
    return out


def _memory_from_data(card: CardIn, data: object) -> None:
    """Anki's FSRS memory state, when the card has one: its data holds {"s": stability,
    "d": difficulty (1-10), "lrt": last review time in seconds}. Anything else is ignored."""
    try:
        got = json.loads(str(data))
    except ValueError:
        return
    if not isinstance(got, dict):
        return
    s, d, lrt = _number(got.get("s")), _number(got.get("d")), _number(got.get("lrt"))
    if s is not None and d is not None and 0 < s < 1e6 and 1 <= d <= 10:
        card.stability, card.difficulty = s, d
    if lrt is not None and 0 < lrt < 1e11:
        card.last_review = _ts(lrt)


def _number(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _read_card_places(con: sqlite3.Connection, decks: dict[int, str]) -> dict[int, list[CardIn]]:
    """Note id -> its cards (ordinal and deck only), in ordinal order.

    Cards without scheduling are all alike but for those two, so one CardIn stands for every
    card of the same ordinal and deck (read-only: no history is ever attached on this path).
    Rows come in table order (no sort: most notes' cards are stored in ordinal order; the
    few that are not are sorted after).
    """
    out: dict[int, list[CardIn]] = {}
    made: dict[tuple[int, int], CardIn] = {}
    unsorted: list[list[CardIn]] = []
    for nid, did, odid, ord_ in con.execute("SELECT nid, did, odid, ord FROM cards"):
        key = (ord_, odid or did)
        card = made.get(key)
        if card is None:
            deck_id = int(odid) or int(did)
            card = made[key] = CardIn(int(ord_), decks.get(deck_id, "Default"))
        same = out.get(nid)
        if same is None:
            out[nid] = [card]
        else:
            if same[-1].ord > card.ord:
                unsorted.append(same)
            same.append(card)
    for cards in unsorted:
        cards.sort(key=lambda c: c.ord)
    return out


def _due(ctype: int, queue: int, due: int, crt: int) -> datetime | None:
    """Anki's due as a datetime: seconds for intraday learning, else days since creation."""
    if ctype == 0:
        return None
    if queue == 1 or (ctype in (1, 3) and due > 1_000_000_000):
        return _ts(due)
    return _ts(crt + due * 86400)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NO_DUE = datetime(1, 1, 1, tzinfo=UTC)  # a cache miss, not a due date


def _ts(seconds: float) -> datetime | None:
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _read_media(
    z: SafeZip, version: int, pkg: Package, media_dir: Path | None, guard: Guard
) -> None:
    if not z.has("media"):
        return
    entries = _media_entries(z, version)
    pkg.media_names = sorted({name for name, _ in entries})
    if media_dir is None:
        return
    for name, member in entries:
        if name in pkg.media_files or not z.has(member):
            continue
        target = media_dir / f"{len(pkg.media_files)}.part"
        z.extract(member, target, zstd=version == 3, check=guard.check)
        pkg.media_files[name] = target


def _media_entries(z: SafeZip, version: int) -> list[tuple[str, str]]:
    """(safe media name, zip member) pairs; any unsafe name rejects the whole package."""
    if version == 3:
        try:
            listing = pb.parse(z.read("media", zstd=True))
            raw = [pb.parse(e) for e in pb.all_bytes(listing, 1)]
            pairs = [(pb.first_str(e, 1), str(pb.first_int(e, 255, i))) for i, e in enumerate(raw)]
        except pb.ProtobufError as exc:
            raise PackageError(f"the package's media list is damaged ({exc})") from exc
    else:
        try:
            mapping = json.loads(z.read("media") or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise PackageError(f"the package's media list is damaged ({exc})") from exc
        if not isinstance(mapping, dict):
            raise PackageError("the package's media list is damaged")
        pairs = [(str(name), str(member)) for member, name in mapping.items()]
    return [(safe_media_name(name), member) for name, member in pairs]
