"""The open collection: data folder, database engine, media folder, clock and local time zone.

The composition root (ui/app.py or the CLI) makes one and hands it to each service.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path

import platformdirs
from sqlalchemy import Engine
from sqlmodel import Session

from cehrs_cards.core.clock import Clock, SystemClock
from cehrs_cards.db.engine import open_engine
from cehrs_cards.db.migrations import LATEST
from cehrs_cards.db.settings import Settings, load_settings, save_settings
from cehrs_cards.db.snapshot import is_healthy, opens, user_version
from cehrs_cards.services.backup import Backup, take_backup
from cehrs_cards.services.lock import InstanceLock

DB_NAME = "collection.sqlite"
ENV_DATA_DIR = "CEHRS_CARDS_DATA_DIR"


def default_data_dir() -> Path:
    """--data-dir, else $CEHRS_CARDS_DATA_DIR, else the platform's user data dir."""
    env = os.environ.get(ENV_DATA_DIR)
    return Path(env) if env else Path(platformdirs.user_data_dir("CEHRS Cards", appauthor=False))


class CorruptCollectionError(RuntimeError):
    """The collection file fails SQLite's checks; it is left untouched for a restore."""


class Collection:
    """Opening takes the instance lock, refuses a damaged file, backs up before a migration."""

    def __init__(
        self,
        data_dir: Path,
        clock: Clock | None = None,
        tz: tzinfo | None = None,
        full_check: bool = True,
    ) -> None:
        """`full_check=False` only checks the file opens; the GUI then runs quick_check in the
        background (it reads the whole file: 0.4 s at 100,000 cards) via `is_intact()`."""
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.media_dir = data_dir / "media"
        self.media_dir.mkdir(exist_ok=True)
        self.clock: Clock = clock or SystemClock()
        self.tz: tzinfo = tz or _local_tz()
        self._lock = InstanceLock(data_dir)
        self._lock.acquire()
        try:
            self._check_file(full_check)
            self.engine: Engine = open_engine(self.db_path)
        except BaseException:
            self._lock.release()
            raise

    def _check_file(self, full: bool) -> None:
        if not self.db_path.exists():
            return
        if not (is_healthy(self.db_path) if full else opens(self.db_path)):
            raise CorruptCollectionError(
                f"The collection file {self.db_path} is damaged (it fails SQLite's integrity "
                "check). It has not been changed. Restore a backup to continue."
            )
        if 0 < user_version(self.db_path) < LATEST:
            take_backup(self.db_path, self.data_dir, self.now(), "before-upgrade")

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    def now(self) -> datetime:
        return self.clock.now()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One use case, one transaction: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def read(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def settings(self) -> Settings:
        with self.read() as s:
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
        self.engine.dispose()
        self._lock.release()


def _local_tz() -> tzinfo:
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz
