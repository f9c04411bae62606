"""Read an Anki .apkg (legacy collection.anki2 / .anki21, or current zstd collection.anki21b).

Parses into a Package: note types, notes with their Anki cards (deck per card), optionally
the scheduling and review history, and the media names (extracted on request). The notes are
checked by one walk here, then read again from the unpacked file on each later walk
(apkg_notes.py), never all held; the file stays until Package.close(). Nothing here
touches our database; every problem is a PackageError with a sentence for the user.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cehrs_cards.interchange import protobuf_lite as pb
from cehrs_cards.interchange.anki_schema import (
    SCHEMA_LEGACY,
    SCHEMA_TABLES,
    read_decks,
    read_notetypes,
    schema_version,
)
from cehrs_cards.interchange.apkg_history import HistoryFile
from cehrs_cards.interchange.apkg_notes import AnkiNotes
from cehrs_cards.interchange.apkg_notes import anki_id as anki_id  # re-exported
from cehrs_cards.interchange.package import ImportCancelled, NoteIn, Package
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


def read_apkg(
    path: Path,
    *,
    media_dir: Path | None = None,
    with_history: bool = True,
    limits: Limits | None = None,
    should_stop: ShouldStop | None = None,
    work_dir: Path | None = None,
    check_notes: bool = True,
) -> Package:
    """Parse the package at `path`; media files are extracted into `media_dir` if given.
    The collection is unpacked into a new folder inside `work_dir` (the system's temporary
    folder if None): the app passes a folder its next start cleans, so a killed import leaves
    nothing behind.

    Without `with_history` the review log is never read (the preview: has_scheduling then
    only says whether there is one). `should_stop()` returning True makes the read stop
    within a fraction of a second, even inside one long SQLite statement: ImportCancelled.

    `check_notes` False leaves out the walk that refuses bad notes here: for an import,
    whose own all-or-nothing walk refuses them with the same errors (apkg_notes.check).
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
        tmp = Path(tempfile.mkdtemp(prefix="import-apkg-", dir=work_dir))
        folder: Path | None = tmp  # removed at the end unless the history keeps it
        try:
            db = tmp / "collection.db"
            with _collection(z, db, member, version == 3, limits, should_stop) as (
                con,
                guard,
                tables,
            ):
                try:
                    rows = _read_collection(
                        con, tables, pkg, member, limits, with_history, check_notes
                    )
                except (PackageError, ImportCancelled, sqlite3.Error):
                    raise
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    raise PackageError(
                        f"the collection in the package has malformed rows ({exc})"
                    ) from exc
            # the notes are read as they are walked and the log card by card during the
            # import (apkg_notes.py, apkg_history.py): the unpacked file stays till close()
            _keep_file(pkg, HistoryFile(tmp, db, rows, limits), rows)
            folder = None
            _read_media(z, version, pkg, media_dir, guard)
        except BaseException:
            pkg.close()
            raise
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
    return pkg


def _keep_file(pkg: Package, file: HistoryFile, rows: int) -> None:
    """Point the package's notes (and review log, if it is to be read) at the kept file."""
    assert isinstance(pkg.notes, AnkiNotes)
    pkg.notes.con, pkg.notes.close = file.con, file.close
    if rows:
        pkg.history = file


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
    limits: Limits,
    with_history: bool,
    check_notes: bool,
) -> int:
    """Fill `pkg` from the collection; the number of review-log rows to import (0: none,
    or not wanted), which the importer reads card by card afterwards. `check_notes`: every
    note is walked now (read_apkg)."""
    ver = schema_version(con)
    if ver != SCHEMA_LEGACY and ver not in SCHEMA_TABLES:
        raise PackageError(f"the package uses collection schema {ver}, which we do not know")
    if ver in SCHEMA_TABLES:
        check_tables(con, ("notetypes", "fields", "templates", "decks"))
    count = check_rows(con, "notes", limits.max_notes, "notes", "")
    check_rows(con, "cards", limits.max_cards, "cards", "")
    rows = 0
    if with_history and "revlog" in present:
        advice = "; import it without its review history"
        rows = check_rows(con, "revlog", limits.max_revlog, "review-log entries", advice)
    by_id = read_notetypes(con, ver)
    pkg.notetypes = {nt.name: nt for nt in by_id.values()}
    decks = read_decks(con, ver)
    crt = int(con.execute("SELECT crt FROM col").fetchone()[0] or 0)
    notes = AnkiNotes(con, by_id, decks, crt if with_history else None, limits, count)
    first = notes.check(walk=check_notes)
    if member == COLLECTIONS[1] and _is_dummy(first, count):
        raise PackageError(
            "this package only holds Anki's 'please update' placeholder; its real collection "
            "is missing (was the file cut short?)"
        )
    pkg.has_scheduling = _has_history(con, present)
    pkg.notes = notes
    return rows


def _has_history(con: sqlite3.Connection, present: set[str]) -> bool:
    """Whether the package has scheduling or a review log to bring in, without reading it."""
    if "revlog" in present and con.execute("SELECT 1 FROM revlog LIMIT 1").fetchone():
        return True
    return con.execute("SELECT 1 FROM cards WHERE type != 0 LIMIT 1").fetchone() is not None


def _is_dummy(first: NoteIn | None, count: int) -> bool:
    return (
        count == 1
        and first is not None
        and any(DUMMY_TEXT in v.lower() for v in list(first.fields.values())[:1])
    )


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
