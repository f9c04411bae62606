"""Consistent copies of a live SQLite database (the backup API, never a file copy) and checks."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def private_file(path: Path) -> None:
    """Create `path` empty, readable by its owner only (0600 on POSIX), before it is filled."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def snapshot(source: Path, dest: Path) -> None:
    """Copy `source` to `dest` with SQLite's online backup API (safe while others use it)."""
    dest.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    tmp = dest.with_suffix(".partial")
    private_file(tmp)
    src = sqlite3.connect(source)
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    finally:
        src.close()
    tmp.replace(dest)


def is_healthy(path: Path, full: bool = False) -> bool:
    """True when the file opens as SQLite and passes quick_check (or integrity_check)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            pragma = "integrity_check" if full else "quick_check"
            return bool(con.execute(f"PRAGMA {pragma}").fetchone()[0] == "ok")
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False


def opens(path: Path) -> bool:
    """Cheap start-up check: the file is SQLite and its schema reads (quick_check reads it all)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            con.execute("PRAGMA user_version").fetchone()
            return True
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False


def user_version(path: Path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(con.execute("PRAGMA user_version").fetchone()[0])
    finally:
        con.close()
