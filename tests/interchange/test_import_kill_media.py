"""An import killed with SIGKILL while its media files are in the media folder: the next open
keeps them only if the import committed (issue 14: a killed import left orphan media files).

A real child process imports a real genanki package with images and kills itself (-9) at the
exact moment under test: after placing the files but before the commit, or after the commit
but before the journal went."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from cehrs_cards.db.models import Note
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.media_journal import JOURNAL

CHILD = """
import os, signal, sys
from pathlib import Path
from cehrs_cards.services import media_journal
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.transfer import import_file

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

setattr(media_journal, sys.argv[3], die)
col = Collection(Path(sys.argv[1]))
import_file(col, Path(sys.argv[2]))
"""


def _killed_import(data: Path, apkg: Path, at: str, tmp: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp)}  # what the child leaves in the temp folder
    cmd = [sys.executable, "-c", CHILD, str(data), str(apkg), at]
    done = subprocess.run(cmd, timeout=120, env=env)
    assert done.returncode == -9


def _media(data: Path) -> set[str]:
    return {p.name for p in (data / "media").iterdir()}


def _notes(col: Collection) -> int:
    with col.read() as session:
        return len(session.exec(select(Note)).all())


@pytest.mark.parametrize(
    ("at", "kept"), [("mark_committed", False), ("finish", True)], ids=["before", "after"]
)
def test_media_of_a_killed_import_stay_only_if_it_committed(tmp_path, made, at, kept):
    data = tmp_path / "data"
    Collection(data).close()
    before = _media(data)
    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    _killed_import(data, made["genanki"], at, system_tmp)
    assert (data / JOURNAL).exists()
    assert not list(system_tmp.iterdir())  # the package was unpacked beside the collection
    placed = _media(data) - before
    assert placed, "the child was killed after placing the package's images"

    col = Collection(data)
    try:
        assert col.is_intact()
        assert (_notes(col) > 0) is kept
    finally:
        col.close()
    assert not (data / JOURNAL).exists()
    assert not list(data.glob("import-*"))  # the unpacked package went at the next open
    assert (_media(data) - before == placed) is kept
    assert (_media(data) == before) is not kept
