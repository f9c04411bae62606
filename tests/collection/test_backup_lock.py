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
    older = [b for b in backups[bk.KEEP_NEWEST :] if b.path in keep]
    newest_days = {b.taken.date() for b in older}
    assert all(b.path in keep for b in backups[: bk.KEEP_NEWEST])  # whatever their day
    assert len(keep) <= bk.KEEP_NEWEST + bk.KEEP_DAILY + bk.KEEP_WEEKLY + bk.KEEP_MONTHLY
    assert len(newest_days) == len(older)  # past the newest few, never two kept on one day
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


def _cards_in(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT COUNT(*) FROM card").fetchone()[0])
    finally:
        con.close()


def test_backups_are_packed_with_zstd_and_restore_from_the_packed_file(tmp_path):
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    data = tmp_path / "d"
    col = Collection(data, clock=clock)
    from cehrs_cards.interchange.native import read_native
    from cehrs_cards.services.importing import import_package

    import_package(col, read_native(Path(__file__).parents[1] / "fixtures" / "decks"))
    plain = col.backup("manual")
    size = plain.path.stat().st_size
    assert bk.compress_backups(data) == 1
    assert not plain.path.exists()
    [packed] = bk.list_backups(data)
    assert packed.path.name == plain.path.name + ".zst" and packed.reason == "manual"
    assert packed.taken == plain.taken and packed.path.stat().st_size < size / 2
    with bk.unpacked(packed.path) as unpacked:
        assert is_healthy(unpacked, full=True) and _cards_in(unpacked) == 7
    assert bk.compress_backups(data) == 0  # nothing left to pack
    col.close()
    _corrupt(col.db_path)
    assert bk.newest_good_backup(data) == packed
    bk.restore(col.db_path, packed.path, clock.now())
    assert is_healthy(col.db_path, full=True) and _cards_in(col.db_path) == 7
    assert not col.db_path.with_name("collection.sqlite.restoring").exists()


def test_a_stop_half_way_through_packing_leaves_one_whole_backup(mini_col):
    data = mini_col.data_dir
    b = mini_col.backup("manual")
    folder = bk.backup_dir(data)
    (folder / (b.path.name + ".zst.partial")).write_bytes(b"half a pack")  # stopped while packing
    assert [x.path for x in bk.list_backups(data)] == [b.path]
    bk.compress_backups(data)
    assert not list(folder.glob("*.partial"))
    b2 = mini_col.backup("again")  # now: packed and then stopped before the plain file went
    packed = b2.path.with_name(b2.path.name + ".zst")
    bk._pack(b2.path, packed)
    listed = bk.list_backups(data)
    assert [x.path for x in listed].count(packed) == 1 and b2.path not in [x.path for x in listed]
    bk.compress_backups(data)
    assert not b2.path.exists() and packed.exists()


def test_a_damaged_packed_backup_is_passed_over_for_an_older_good_one(tmp_path):
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    data = tmp_path / "d"
    col = Collection(data, clock=clock)
    older = col.backup("older")
    bk.compress_backups(data)
    clock.advance(timedelta(days=1))  # another day: rotation keeps one backup a day
    newer = col.backup("newer")
    bk.compress_backups(data)
    col.close()
    newer_packed = newer.path.with_name(newer.path.name + ".zst")
    newer_packed.write_bytes(newer_packed.read_bytes()[:200])  # cut short
    good = bk.newest_good_backup(data)
    assert good is not None and good.path == older.path.with_name(older.path.name + ".zst")
    with pytest.raises(Exception):  # noqa: B017 - zstd's own error: nothing may be replaced
        bk.restore(col.db_path, newer_packed, clock.now())
    assert (
        is_healthy(col.db_path)
        and not col.db_path.with_name("collection.sqlite.restoring").exists()
    )


def test_restore_of_a_backup_packed_meanwhile_uses_the_packed_file(tmp_path):
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    data = tmp_path / "d"
    col = Collection(data, clock=clock)
    from cehrs_cards.interchange.native import read_native
    from cehrs_cards.services.importing import import_package

    import_package(col, read_native(Path(__file__).parents[1] / "fixtures" / "decks"))
    chosen = col.backup("manual")  # the dialog lists the plain file...
    col.close()
    bk.compress_backups(data)  # ...and the background job packs it before the user clicks
    bk.restore(col.db_path, chosen.path, clock.now())
    assert _cards_in(col.db_path) == 7


def test_restoring_twice_in_one_second_keeps_both_replaced_files(tmp_path):
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    data = tmp_path / "d"
    col = Collection(data, clock=clock)
    b = col.backup("manual")
    col.close()
    first = bk.restore(col.db_path, b.path, clock.now())
    second = bk.restore(col.db_path, b.path, clock.now())
    assert first != second and first.exists() and second.exists()


def test_the_backup_before_an_import_outlives_later_backups_that_day(mini_col, clock):
    """Rotation keeps one backup a day, but not at the cost of the state before an import."""
    from cehrs_cards.services.transfer import import_file

    fixtures = Path(__file__).parents[1] / "fixtures" / "decks"
    before = mini_col.backup("timer")
    clock.advance(timedelta(minutes=5))
    import_file(mini_col, fixtures)  # takes its "before-import" backup
    for _ in range(bk.KEEP_NEWEST + 2):
        clock.advance(timedelta(minutes=31))
        mini_col.backup("timer")
    reasons = [b.reason for b in bk.list_backups(mini_col.data_dir)]
    assert reasons == ["timer"] * bk.KEEP_NEWEST + ["before-import"]  # newest few + safety net
    assert not before.path.exists()


def test_a_bad_days_closing_backups_cannot_push_out_the_good_one(mini_col, clock):
    """The issue's loss: a lost collection restarted empty, and that day's closing backups
    rotated out the day's only good backup. The newest few are kept whatever their day."""
    good = mini_col.backup("close")
    for _ in range(bk.KEEP_NEWEST - 1):
        clock.advance(timedelta(minutes=10))
        mini_col.backup("close")
    assert good.path.exists()
