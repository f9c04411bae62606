import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.db.snapshot import is_healthy
from cehrs_cards.services import backup as bk
from cehrs_cards.services.collection import Collection, CorruptCollectionError
from cehrs_cards.services.lock import CollectionInUseError


def test_second_open_of_the_same_folder_is_refused(mini_col):
    with pytest.raises(CollectionInUseError, match="open in another"):
        Collection(mini_col.data_dir)


def test_lock_is_released_on_close(tmp_path):
    first = Collection(tmp_path / "d")
    first.close()
    Collection(tmp_path / "d").close()


def test_backup_is_a_consistent_snapshot_with_the_data(mini_col):
    b = mini_col.backup("manual")
    assert b.path.exists() and is_healthy(b.path, full=True)
    con = sqlite3.connect(b.path)
    assert con.execute("SELECT COUNT(*) FROM card").fetchone()[0] == 7
    assert bk.list_backups(mini_col.data_dir)[0].reason == "manual"


def test_rotation_keeps_daily_weekly_monthly(tmp_path):
    t0 = datetime(2026, 1, 1, 12, tzinfo=UTC)
    backups = [bk.Backup(tmp_path / f"{i}", t0 + timedelta(hours=12 * i), "") for i in range(800)]
    backups.sort(key=lambda b: b.taken, reverse=True)
    keep = bk.keep_set(backups)
    newest_days = {b.taken.date() for b in backups if b.path in keep}
    assert backups[0].path in keep
    assert len(keep) <= bk.KEEP_DAILY + bk.KEEP_WEEKLY + bk.KEEP_MONTHLY
    assert len(newest_days) == len(keep)  # never two kept on one day
    months = {(b.taken.year, b.taken.month) for b in backups if b.path in keep}
    assert len(months) >= bk.KEEP_MONTHLY


def test_backup_due_every_thirty_minutes(mini_col, clock):
    assert bk.backup_due(mini_col.data_dir, clock.now())
    mini_col.backup("timer")
    clock.advance(timedelta(minutes=29))
    assert not bk.backup_due(mini_col.data_dir, clock.now())
    clock.advance(timedelta(minutes=2))
    assert bk.backup_due(mini_col.data_dir, clock.now())


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(4096, min(len(data), 4096 * 3)):
        data[i] = 0xA5
    path.write_bytes(bytes(data))


def test_damaged_collection_is_refused_untouched_and_restorable(tmp_path):
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    data = tmp_path / "d"
    col = Collection(data, clock=clock)
    from cehrs_cards.interchange.native import read_native
    from cehrs_cards.services.importing import import_package

    import_package(col, read_native(Path(__file__).parents[1] / "fixtures" / "decks"))
    good = col.backup("manual")
    col.close()
    _corrupt(col.db_path)
    damaged = col.db_path.read_bytes()
    with pytest.raises(CorruptCollectionError, match="damaged"):
        Collection(data, clock=clock)
    assert col.db_path.read_bytes() == damaged  # not overwritten
    assert bk.newest_good_backup(data).path == good.path
    aside = bk.restore(col.db_path, good.path, clock.now())
    assert aside.read_bytes() == damaged  # kept aside, never deleted
    reopened = Collection(data, clock=clock)
    with reopened.read() as s:
        from sqlmodel import func, select

        from cehrs_cards.db.models import Card

        assert s.exec(select(func.count()).select_from(Card)).one() == 7
    reopened.close()
