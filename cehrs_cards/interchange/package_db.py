"""The SQLite collection inside a package, opened so that reading it cannot cost more than a
real collection would, and so that the user's Cancel stops it.

A package's collection is a database file a stranger wrote. SQLite runs whatever its schema
says when a table is read: `notes` may be a VIEW over an endless recursive query (a few KB
that hang forever or fill the memory), a column may be computed by the package's own
expression. So the file is opened read-only with `trusted_schema` off, each table we read
must be a plain table (no view, virtual table or generated column), its rows are counted
against caps before reading, no single value may exceed max_value_bytes, and a progress
handler stops any statement once the whole read has run more SQLite steps than a real
collection of the largest accepted size needs, or as soon as the user cancels.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

from cehrs_cards.interchange.anki_schema import unicase
from cehrs_cards.interchange.package import ImportCancelled
from cehrs_cards.interchange.zipsafe import Limits, PackageError

ShouldStop = Callable[[], bool]
"""should_stop() -> True once the user has cancelled (asked about every 0.1 s at most)."""

STEP = 1000  # SQLite virtual-machine steps between two calls of the progress handler
# Every table a collection of any schema may have: none may be anything but a plain table.
ANKI_TABLES = ("col", "notes", "cards", "revlog", "graves", "notetypes", "fields", "templates",
               "decks", "deck_config", "config", "tags")  # fmt: skip


class Guard:
    """SQLite's progress handler for one package: a budget of steps, and the user's Cancel."""

    def __init__(self, budget_steps: int, should_stop: ShouldStop | None) -> None:
        self.calls_left = budget_steps // STEP
        self.budget_steps = budget_steps
        self.should_stop = should_stop
        self.asked_at = 0.0
        self.reason: str | None = None  # "budget" or "cancel" once it has stopped a statement

    def __call__(self) -> int:
        self.calls_left -= 1
        if self.calls_left < 0:
            self.reason = "budget"
            return 1
        return 1 if self.cancelled() else 0

    def cancelled(self) -> bool:
        """Whether the user cancelled (asked at most every 0.1 s); Python loops call this too."""
        if self.should_stop is None:
            return False
        now = time.monotonic()
        if now - self.asked_at < 0.1:
            return False
        self.asked_at = now
        if self.should_stop():
            self.reason = "cancel"
            return True
        return False

    def check(self) -> None:
        """ImportCancelled if the user has cancelled (for the loops between SQLite steps)."""
        if self.cancelled():
            raise ImportCancelled()

    def error(self, exc: sqlite3.Error) -> Exception:
        """What a statement this guard stopped (or any other SQLite error) means for the user."""
        if self.reason == "cancel":
            return ImportCancelled()
        if self.reason == "budget":
            return PackageError(
                "reading the collection in the package takes far more work than a real "
                f"collection of the largest size we accept (over {self.budget_steps:,} SQLite "
                "steps); it was stopped"
            )
        if "too big" in str(exc):
            return PackageError("the collection in the package holds a value larger than we accept")
        return PackageError(f"the collection in the package is damaged ({exc})")


@contextmanager
def open_collection(
    path: Path, limits: Limits, should_stop: ShouldStop | None
) -> Iterator[tuple[sqlite3.Connection, Guard]]:
    """The collection at `path`, read-only and guarded; SQLite errors become PackageError
    (or ImportCancelled when the user cancelled)."""
    guard = Guard(limits.sql_budget, should_stop)
    uri = path.as_uri() + "?mode=ro&immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True, check_same_thread=False)) as con:
            con.execute("PRAGMA trusted_schema = OFF")
            con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_value_bytes)
            con.create_collation("unicase", unicase)
            con.set_progress_handler(guard, STEP)
            yield con, guard
    except sqlite3.Error as exc:
        raise guard.error(exc) from exc
    except UnicodeDecodeError as exc:
        raise PackageError(f"the collection in the package is damaged ({exc})") from exc
    except RecursionError as exc:
        raise PackageError("the collection in the package nests its data too deeply") from exc


def check_tables(con: sqlite3.Connection, needed: tuple[str, ...]) -> set[str]:
    """The Anki tables present; PackageError if one of them is not a plain table (a view,
    a virtual table, computed columns) or a `needed` one is missing."""
    found: dict[str, list[tuple[str, str]]] = {}
    for kind, name, sql in con.execute("SELECT type, name, sql FROM sqlite_master"):
        key = str(name).lower()
        if key in ANKI_TABLES:
            found.setdefault(key, []).append((str(kind), str(sql or "")))
    for key, objects in found.items():
        kind, sql = objects[0]
        if len(objects) > 1 or kind != "table" or not _plain_create(sql):
            raise PackageError(
                f"the collection's {key!r} is a {kind if kind != 'table' else 'special table'}, "
                "not a plain table: packages made by Anki never have that, so it is refused"
            )
        if any(int(row[6]) != 0 for row in con.execute(f'PRAGMA table_xinfo("{key}")')):
            raise PackageError(
                f"the collection's {key!r} table computes some of its columns: packages made "
                "by Anki never have that, so it is refused"
            )
    missing = [t for t in needed if t not in found]
    if missing:
        raise PackageError(f"the collection in the package has no {missing[0]!r} table")
    return set(found)


def _plain_create(sql: str) -> bool:
    words = sql.split(None, 3)[:3]
    return [w.upper() for w in words[:2]] == ["CREATE", "TABLE"]


def check_rows(con: sqlite3.Connection, table: str, cap: int, what: str, advice: str) -> int:
    """The table's row count; PackageError naming the cap if it holds more."""
    count = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    if count > cap:
        raise PackageError(
            f"the package holds {count:,} {what}; we accept at most {cap:,} (far more than "
            f"even a very large Anki collection has){advice}"
        )
    return count


class QuickCheck:
    """PRAGMA quick_check of the database file at `path`, on its own thread and connection.

    SQLite's C code runs without Python's GIL, so the check costs the reader no time; a
    collection that fails it is refused once the reading is done, whatever was read. The
    check evaluates the package's own NOT NULL and CHECK expressions, so it runs under the
    same rules as the read: trusted_schema off, a value cap, a budget of steps, and stop().
    """

    STEP = 10_000

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.ok = False
        self.error: str | None = None
        self.calls_left = limits.check_budget // self.STEP
        self.stopping = threading.Event()
        self.con: sqlite3.Connection | None = None
        self.thread = threading.Thread(target=self._run, name="apkg-quick-check", daemon=True)
        self.thread.start()

    def _handler(self) -> int:
        self.calls_left -= 1
        return 1 if self.calls_left < 0 or self.stopping.is_set() else 0

    def _run(self) -> None:
        try:
            uri = self.path.as_uri() + "?mode=ro&immutable=1"
            with closing(sqlite3.connect(uri, uri=True, check_same_thread=False)) as con:
                self.con = con
                if self.stopping.is_set():
                    return
                con.execute("PRAGMA trusted_schema = OFF")
                con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, self.limits.max_value_bytes)
                con.create_collation("unicase", unicase)  # a few small tables' indexes use it
                con.set_progress_handler(self._handler, self.STEP)
                result = con.execute("PRAGMA quick_check").fetchone()
            self.ok = bool(result) and result[0] == "ok"
        except sqlite3.Error as exc:
            self.error = f"the collection in the package is damaged ({exc})"
            if "too big" in str(exc):
                self.error = "the collection in the package holds a value larger than we accept"
            if self.calls_left < 0:
                self.error = (
                    "checking the collection in the package takes far more work than a real "
                    "collection needs; it was stopped"
                )

    def stop(self) -> None:
        """Stop the check (the read was cancelled) and wait for its thread: SQLite's
        interrupt ends even the b-tree walk, which runs no progress handler."""
        self.stopping.set()
        while self.thread.is_alive():  # again until it ends: a check just starting misses one
            con = self.con
            if con is not None:
                with suppress(sqlite3.ProgrammingError):  # it has closed meanwhile
                    con.interrupt()
            self.thread.join(0.05)

    def raise_if_failed(self, member: str) -> None:
        """Wait for the check; PackageError if the file failed it or could not be checked."""
        self.thread.join()
        if self.error is not None:
            raise PackageError(self.error)
        if not self.ok:
            raise PackageError(f"the collection in the package ({member}) fails SQLite's checks")
