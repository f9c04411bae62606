"""The open collection: data folder, database engine, media folder, clock and local time zone.

The composition root (ui/app.py or the CLI) makes one and hands it to each service.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import tzlocal

from cehrs_cards.core.clock import Clock, StudyDays, SystemClock
from cehrs_cards.core.ops import OpError
from cehrs_cards.db.engine import OPEN_ERRORS, Engine, open_engine
from cehrs_cards.db.migrations import LATEST, SchemaTooNewError, too_new_message
from cehrs_cards.db.session import Plain, bulk_session, plain_read, plain_transaction
from cehrs_cards.db.settings import Settings, load_settings, save_settings
from cehrs_cards.db.snapshot import is_healthy, opens, user_version
from cehrs_cards.services import media_journal
from cehrs_cards.services.backup import Backup, take_backup
from cehrs_cards.services.cleanup import clean_leftovers
from cehrs_cards.services.lock import InstanceLock
from cehrs_cards.services.paths import ENV_DATA_DIR, default_data_dir

if TYPE_CHECKING:
    from cehrs_cards.db.session import Session

__all__ = ["ENV_DATA_DIR", "Collection", "default_data_dir"]

DB_NAME = "collection.sqlite"


class CorruptCollectionError(RuntimeError):
    """The collection file fails SQLite's checks; it is left untouched for a restore."""


class MissingCollectionError(CorruptCollectionError):
    """collection.sqlite is empty, or missing from a folder that has been used (backups or a
    restore's leftovers are there): never silently start a new collection over it."""


class CollectionClosedError(OpError, RuntimeError):
    """The collection was closed (e.g. replaced by a restore): nothing may use it any more.
    An OpError: its message is for the user, and a job that meets it is not a program error."""


class ReadOnlyCollectionError(RuntimeError):
    """The data folder or the collection file cannot be written."""


PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
LEFTOVER_PATTERNS = ("collection-replaced-*.sqlite", "collection.sqlite.restoring")


class Collection:
    """Opening takes the instance lock, refuses a damaged file, backs up before a migration."""

    def __init__(
        self,
        data_dir: Path,
        clock: Clock | None = None,
        tz: tzinfo | None = None,
        full_check: bool = True,
        start_new: bool = False,
    ) -> None:
        """`full_check=False` only checks the file opens; the GUI then runs quick_check in the
        background (it reads the whole file: 0.4 s at 100,000 cards) via `is_intact()`.
        `start_new` makes a new collection where one is missing, even in a folder that held
        one before: only when the user chose that (see MissingCollectionError)."""
        self.data_dir = data_dir
        self.media_dir = data_dir / "media"
        _private_dirs(data_dir, self.media_dir)
        self.closed = False
        self.clock: Clock = clock or SystemClock()
        self._fixed_tz = tz
        self._zone: tuple[float, tzinfo] | None = None
        self._lock = InstanceLock(data_dir)
        try:
            self._lock.acquire()
        except PermissionError as exc:
            raise ReadOnlyCollectionError(_read_only_text(data_dir, exc)) from exc
        try:
            self._check_file(full_check, start_new)
            clean_leftovers(data_dir)
            self.engine: Engine = open_engine(self.db_path)
            _private_files(self.db_path)
            if media_journal.pending(data_dir):  # only after a killed import
                with plain_read(self.engine) as session:
                    media_journal.recover(data_dir, self.media_dir.resolve(), session)
        except OPEN_ERRORS as exc:
            self._lock.release()
            if not _is_write_failure(exc, data_dir):
                raise
            raise ReadOnlyCollectionError(_read_only_text(data_dir, exc)) from exc
        except BaseException:
            self._lock.release()
            raise

    def _check_file(self, full: bool, start_new: bool) -> None:
        if not self.db_path.exists() or self.db_path.stat().st_size == 0:
            if not start_new:
                _refuse_empty(self.data_dir, self.db_path)
            return
        if not os.access(self.db_path, os.W_OK) or not os.access(self.data_dir, os.W_OK):
            raise ReadOnlyCollectionError(_read_only_text(self.data_dir, None))
        if not (is_healthy(self.db_path) if full else opens(self.db_path)):
            raise CorruptCollectionError(
                f"The collection file {self.db_path} is damaged (it fails SQLite's integrity "
                "check). It has not been changed. Restore a backup to continue."
            )
        version = user_version(self.db_path)
        if version > LATEST:  # refused before anything (even the journal mode) is written
            raise SchemaTooNewError(too_new_message(version))
        if 0 < version < LATEST:
            take_backup(self.db_path, self.data_dir, self.now(), "before-upgrade")

    @property
    def tz(self) -> tzinfo:
        """The user's time zone (a zoneinfo zone with its daylight-saving rules), looked up
        again every minute so a change of the computer's zone is followed; a zone given to
        the constructor (tests, --tz) is kept."""
        if self._fixed_tz is not None:
            return self._fixed_tz
        now = time.monotonic()
        if self._zone is None or now - self._zone[0] > ZONE_RECHECK_SECONDS:
            self._zone = (now, local_zone())
        return self._zone[1]

    def study_days(self) -> StudyDays:
        """Study-day arithmetic in the user's zone with the rollover hour setting."""
        return StudyDays(self.tz, self.settings().rollover_hour)

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    def now(self) -> datetime:
        return self.clock.now()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One use case, one transaction: committed on success, rolled back on any error."""
        self._check_open()
        from cehrs_cards.db.session import Session  # the ORM, loaded on first use

        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def plain_transaction(self) -> Iterator[Plain]:
        """transaction() without the ORM (db/session.Plain), for db/ functions that run SQL
        only, on the hottest path (an answer): the ORM's unit of work costs more than the SQL."""
        self._check_open()
        with plain_transaction(self.engine) as session:
            yield session

    @contextmanager
    def bulk_transaction(self, attach: tuple[str, Path] | None = None) -> Iterator[Plain]:
        """transaction() for an import: SQLite's per-row reference checks replaced by one
        check of the written tables before the commit; `attach`: a scratch file attached
        under a name for it (db/session.bulk_session). A Plain session: SQL only, no ORM."""
        self._check_open()
        with bulk_session(self.engine, attach) as session:
            yield session

    def read(self) -> Session:
        self._check_open()
        from cehrs_cards.db.session import Session  # the ORM, loaded on first use

        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def plain(self) -> Iterator[Plain]:
        """A read without the ORM (db/session.Plain): for db/ functions that run SQL only,
        on paths that must start fast (the import command)."""
        self._check_open()
        with plain_read(self.engine) as session:
            yield session

    def _check_open(self) -> None:
        if self.closed:  # a disposed engine would quietly reopen the file, without the lock
            raise CollectionClosedError(
                "This collection was closed (for example replaced by a restore); "
                "the window using it must be closed."
            )

    def settings(self) -> Settings:
        with self.plain() as s:
            return load_settings(s)

    def save_settings(self, settings: Settings) -> None:
        with self.transaction() as s:
            save_settings(s, settings)

    def is_intact(self) -> bool:
        """SQLite's quick_check over the whole file (slow on big collections: run it off the UI)."""
        return is_healthy(self.db_path)

    def backup(self, reason: str) -> Backup:
        """A consistent snapshot of the collection now (see services/backup.py)."""
        return take_backup(self.db_path, self.data_dir, self.now(), reason)

    def close(self) -> None:
        self.closed = True
        self.engine.dispose()
        self._lock.release()


def used_before(data_dir: Path) -> bool:
    """Backups or a restore's leftovers show this folder has held a collection."""
    from cehrs_cards.services.backup import list_backups

    leftovers = any(next(data_dir.glob(p), None) for p in LEFTOVER_PATTERNS)
    return leftovers or bool(list_backups(data_dir))


def needs_upgrade(data_dir: Path) -> bool:
    """The folder holds a collection of an older schema (opening it upgrades it, once)."""
    db = data_dir / "collection.sqlite"
    return db.exists() and 0 < user_version(db) < LATEST


def _refuse_empty(data_dir: Path, db_path: Path) -> None:
    """A missing collection in a fresh folder is a first run; anything else is not."""
    if db_path.exists():
        raise MissingCollectionError(
            f"The collection file {db_path} is empty (0 bytes), so your cards cannot be read. "
            "It has not been changed."
        )
    if used_before(data_dir):
        raise MissingCollectionError(
            f"The collection file is missing from {data_dir}, although backups or the "
            "leftovers of a restore are there. Nothing has been created in its place."
        )


def set_aside_empty(data_dir: Path, now: datetime) -> Path | None:
    """Move an empty collection file aside (never deleted), when the user chose to start a
    new collection over restoring a backup; returns where it went."""
    db = data_dir / DB_NAME
    if not db.exists():
        return None
    aside = data_dir / f"collection-empty-{now.strftime('%Y%m%d-%H%M%S')}.sqlite"
    db.replace(aside)
    return aside


def _private_dirs(*dirs: Path) -> None:
    """Our folders are the user's alone (0700 on POSIX)."""
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        if os.name == "posix" and stat.S_IMODE(d.stat().st_mode) != PRIVATE_DIR:
            with suppress(PermissionError):  # not ours to change (another user's folder)
                d.chmod(PRIVATE_DIR)


def _private_files(db: Path) -> None:
    """The collection and its WAL files are the user's alone (0600 on POSIX)."""
    if os.name != "posix":
        return
    for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        with suppress(PermissionError, FileNotFoundError):
            if stat.S_IMODE(f.stat().st_mode) != PRIVATE_FILE:
                f.chmod(PRIVATE_FILE)


def _is_write_failure(exc: Exception, data_dir: Path) -> bool:
    text = str(exc).lower()
    words = ("readonly", "read-only", "unable to open", "disk i/o", "permission")
    return any(w in text for w in words) or not os.access(data_dir, os.W_OK)


def _read_only_text(data_dir: Path, exc: Exception | None) -> str:
    detail = f" ({exc})" if exc else ""
    return (
        f"CEHRS Cards cannot write to its data folder {data_dir}{detail}. Check that the "
        "folder and collection.sqlite are writable by you and the disk is not full or "
        "mounted read-only, or choose another folder with --data-dir."
    )


ZONE_RECHECK_SECONDS = 60.0


def local_zone() -> tzinfo:
    """The computer's time zone as a zoneinfo zone (tzlocal reads it on Linux, macOS and
    Windows). If none can be found: today's fixed offset, the best that is left."""
    try:
        zone: tzinfo = tzlocal.reload_localzone()
    except Exception:  # no zone configured or an unknown name: never refuse to open
        zone = datetime.now(UTC).astimezone().tzinfo or UTC
    return zone
