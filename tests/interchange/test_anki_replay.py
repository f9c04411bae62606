"""A heavy log replayed on a process of its own (services/anki_replay.py, issue 22): the
collection it gives is the one the in-process replay gives, row for row; a package the
replay refuses fails the import with its message and writes nothing; the process and its
scratch file are gone afterwards. Real packages made by the anki package, a real second
process (the app's own `--replay-worker`), real SQLite files."""

from __future__ import annotations

import signal
import sqlite3
import zipfile
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest
import zstandard

from cehrs_cards.interchange.package import DeckFormatError, ImportCancelled
from cehrs_cards.services import anki_replay
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.transfer import ImportOptions, import_file
from tests.interchange import hostile
from tests.interchange.test_anki_schedule import _package
from tests.interchange.test_hostile import snapshot

SCHEDULED = ImportOptions(with_scheduling=True)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _package(tmp_path_factory.mktemp("replay"))


def _collection(folder: Path, clock) -> Collection:
    col = Collection(folder, clock=clock, tz=UTC)
    col.save_settings(replace(col.settings(), fuzz=False, bundled_loaded=True))
    return col


def _everything(col: Collection) -> tuple[list[tuple], list[tuple]]:
    with col.read() as s:
        conn = s.connection()
        cards = [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM card ORDER BY id")]
        log = [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM revlog ORDER BY id")]
    return cards, log


def test_the_replay_process_gives_the_collection_the_import_itself_gives(
    tmp_path, clock, package, monkeypatch
):
    here, there = _collection(tmp_path / "here", clock), _collection(tmp_path / "there", clock)
    try:
        in_process = import_file(here, package, SCHEDULED).summary
        monkeypatch.setattr(anki_replay, "REPLAY_MIN_ROWS", 1)
        started: list[anki_replay.ReplayJob] = []
        real = anki_replay.ReplayJob.__init__

        def spy(job: anki_replay.ReplayJob, task: anki_replay.ReplayTask) -> None:
            real(job, task)
            started.append(job)

        monkeypatch.setattr(anki_replay.ReplayJob, "__init__", spy)
        by_process = import_file(there, package, SCHEDULED).summary
        assert len(started) == 1 and started[0].proc.returncode == 0
        below = started[0].task.below  # the process replays the cards below, the import the rest
        logged = {r[1] for r in _everything(there)[1]}
        assert [c for c in logged if c < below] and [c for c in logged if c >= below]
        assert by_process.scheduled == in_process.scheduled > 0
        cards, log = _everything(there)
        assert (cards, log) == _everything(here) and len(log) > 0
        assert not list(there.data_dir.glob("import-*"))  # the scratch file went with it
    finally:
        here.close()
        there.close()


def _with_malformed_log(current: Path, dest: Path) -> Path:
    """`current` (a zstd collection) with one review-log entry's interval made text."""
    with zipfile.ZipFile(current) as z:
        raw = zstandard.ZstdDecompressor().decompressobj().decompress(z.read("collection.anki21b"))
    db = dest.with_suffix(".db")
    db.write_bytes(raw)
    con = sqlite3.connect(db)
    con.execute("UPDATE revlog SET ivl = 'soon' WHERE id = (SELECT MAX(id) FROM revlog)")
    con.commit()
    con.close()
    packed = zstandard.ZstdCompressor().compress(db.read_bytes())
    return hostile.rezip(current, dest, {"collection.anki21b": packed})


def test_a_log_the_replay_process_refuses_fails_the_import_and_writes_nothing(
    mini_col, package, tmp_path, monkeypatch
):
    monkeypatch.setattr(anki_replay, "REPLAY_MIN_ROWS", 1)
    bad = _with_malformed_log(package, tmp_path / "bad.apkg")
    rows, _ = snapshot(mini_col)
    with pytest.raises(DeckFormatError, match="malformed rows"):
        import_file(mini_col, bad, SCHEDULED)
    after, files = snapshot(mini_col)  # (the log is read after the backup, as in-process)
    assert after == rows and not [f for f in files if f.startswith("import-")]
    with mini_col.transaction() as s:  # the scratch file is no longer attached
        names = [r[1] for r in s.connection().exec_driver_sql("PRAGMA database_list")]
    assert names == ["main", "temp"] or names == ["main"]


def test_cancelling_while_the_replay_runs_stops_the_process(mini_col, package, monkeypatch):
    monkeypatch.setattr(anki_replay, "REPLAY_MIN_ROWS", 1)
    jobs: list[anki_replay.ReplayJob] = []
    real = anki_replay.ReplayJob.wait

    def wait(job: anki_replay.ReplayJob, should_stop=None) -> None:
        jobs.append(job)
        real(job, should_stop)

    monkeypatch.setattr(anki_replay.ReplayJob, "wait", wait)
    rows, _ = snapshot(mini_col)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        """Cancel at the first busy report (total 0) after the notes began: the wait."""
        seen.append((done, total))
        return not (total == 0 and any(t for _, t in seen))

    with pytest.raises(ImportCancelled):  # the user cancels while the process replays
        import_file(mini_col, package, SCHEDULED, progress)
    assert len(jobs) == 1 and jobs[0].proc.returncode == -signal.SIGKILL  # stopped, not done
    after, files = snapshot(mini_col)
    assert after == rows and not [f for f in files if f.startswith("import-")]
