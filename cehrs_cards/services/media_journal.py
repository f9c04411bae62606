"""Media files an import places, made all-or-nothing with the import's transaction.

An import writes its new media files into the media folder before its transaction commits.
A kill between the two would leave files no note refers to. So before placing anything the
import writes a journal (a random token and the names it is about to create) next to the
collection, and stores the same token in the collection inside its transaction. When the
collection is next opened, a journal whose token the collection holds belongs to an import
that committed: only the journal goes. A journal whose token it does not hold belongs to an
import that never committed: the files it names go too (they did not exist before that
import: it never overwrites), then the journal.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from cehrs_cards.db.settings import load_section, save_section

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows

JOURNAL = "media-journal.json"
TOKEN_KEY = "import_media_token"


def begin(data_dir: Path, names: list[str]) -> str:
    """Write the journal (synced to disk) for the files about to be created; returns its token
    ("" when there are none: no journal, nothing to record)."""
    if not names:
        return ""
    token = secrets.token_hex(16)
    path = data_dir / JOURNAL
    part = path.with_suffix(".part")
    with part.open("w", encoding="utf-8") as fh:
        json.dump({"token": token, "files": names}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(part, path)
    return token


def mark_committed(session: Rows, token: str) -> None:
    """Record the token inside the import's transaction (commits with it or not at all)."""
    if token:
        save_section(session, TOKEN_KEY, token)


def finish(data_dir: Path) -> None:
    """The import is over (committed, or its files removed): the journal goes."""
    (data_dir / JOURNAL).unlink(missing_ok=True)


def pending(data_dir: Path) -> bool:
    """Whether a killed import left a journal (or half of one) to settle."""
    path = data_dir / JOURNAL
    return path.exists() or path.with_suffix(".part").exists()


def recover(data_dir: Path, media_dir: Path, session: Rows) -> list[Path]:
    """Settle a journal a killed import left; returns the files removed."""
    path = data_dir / JOURNAL
    data_dir.joinpath(JOURNAL).with_suffix(".part").unlink(missing_ok=True)
    if not path.exists():
        return []
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
        token, names = str(journal["token"]), [str(n) for n in journal["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        names, token = [], ""  # unreadable: written only partly, so nothing was placed
    removed: list[Path] = []
    if token and load_section(session, TOKEN_KEY) != token:
        for name in names:
            target = media_dir / name
            if target.parent == media_dir and target.is_file():
                target.unlink()
                removed.append(target)
    finish(data_dir)
    return removed
