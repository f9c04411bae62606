import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import cehrs_cards.db.models  # noqa: F401  (registers the tables)
from cehrs_cards.db.engine import open_engine
from cehrs_cards.db.migrations import LATEST, SchemaTooNewError

SAVED = Path(__file__).parents[1] / "fixtures" / "db"


def _columns(path: Path) -> dict[str, set[str]]:
    con = sqlite3.connect(path)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    out = {t: {r[1] for r in con.execute(f"PRAGMA table_info({t})")} for t in tables}
    con.close()
    return out


def test_fresh_database_reaches_latest_and_matches_the_models(tmp_path):
    db = tmp_path / "c.sqlite"
    open_engine(db).dispose()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    cols = _columns(db)
    for table in SQLModel.metadata.sorted_tables:
        assert {c.name for c in table.columns} == cols[table.name], table.name


@pytest.mark.parametrize("saved", sorted(SAVED.glob("v*.sqlite")), ids=lambda p: p.stem)
def test_saved_database_of_every_version_upgrades_and_keeps_data(tmp_path, saved):
    db = tmp_path / "c.sqlite"
    shutil.copy(saved, db)
    before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM card").fetchone()[0]
    open_engine(db).dispose()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert con.execute("SELECT COUNT(*) FROM card").fetchone()[0] == before > 0
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_every_schema_version_has_a_saved_fixture():
    versions = {int(p.stem[1:]) for p in SAVED.glob("v*.sqlite")}
    assert versions == set(range(1, LATEST + 1))


def test_database_from_a_newer_app_is_refused_untouched(tmp_path):
    db = tmp_path / "c.sqlite"
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.execute("CREATE TABLE future (x)")
    con.close()
    with pytest.raises(SchemaTooNewError, match="newer"):
        open_engine(db)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["future"]


def test_v6_moves_the_review_logs_before_state_from_json_to_columns(tmp_path):
    """Step 6 took the before-state out of a JSON text (step 7 then made it derivable):
    every answer survives both steps with its time, button, kind and memory."""
    import json

    db = tmp_path / "c.sqlite"
    shutil.copy(SAVED / "v5.sqlite", db)
    con = sqlite3.connect(db)
    card_id = con.execute("SELECT id FROM card LIMIT 1").fetchone()[0]
    first = con.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM revlog").fetchone()[0]
    for i, state in enumerate((0, 1, 2, 3)):
        before = json.dumps({"state": state, "due": "2026-03-01T00:00:00+05:30", "reps": i})
        con.execute(
            "INSERT INTO revlog VALUES (?, ?, ?, 3, 1000, ?, 2, 3.0, 5.0,"
            " '2026-03-05 00:00:00.000000', 1.0)",
            (first + i, card_id, f"2026-03-02 00:00:0{i}.250000", before),
        )
    con.commit()
    con.close()
    open_engine(db).dispose()
    con = sqlite3.connect(db)
    got = con.execute(
        "SELECT id, kind, rating, interval, stability_x1000, difficulty_x100, duration_ms"
        " FROM revlog WHERE card_id = ? AND id >= ? ORDER BY id",
        (card_id, 1772409600000),
    ).fetchall()
    ms = 1772409600000 + 250  # 2026-03-02 00:00:00.250 UTC
    assert got == [
        (ms + 1000 * i, kind, 3, 3, 3000, 500, 1000) for i, kind in enumerate((0, 0, 1, 2))
    ]
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_v7_rebuilds_the_review_log_at_ankis_cost_keeping_every_answer(tmp_path):
    """Times become the key (ms; an answer in the same millisecond as another takes the next
    free one, order kept), the state before becomes Anki's entry type, the due date Anki's
    interval (days for a review card, -seconds for a learning step), the memory integers;
    the time index goes, the card index stays; notes gain the item-bank columns."""
    db = tmp_path / "c.sqlite"
    shutil.copy(SAVED / "v6.sqlite", db)
    con = sqlite3.connect(db)
    card_id = con.execute("SELECT id FROM card LIMIT 1").fetchone()[0]
    first = con.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM revlog").fetchone()[0]
    t = "2026-04-01 08:00:00.123456"
    rows = [  # before_state, state after, due after, stability, difficulty
        (0, 1, "2026-04-01 08:10:00.123456", 0.212, 6.41),  # new -> learning, 10 min
        (1, 2, "2026-04-04 08:00:00.123456", 2.3, 5.5),  # learning -> review, 3 days
        (2, 3, "2026-04-01 08:05:00.000000", 0.0004, 9.99),  # lapse: 5 min (and a tiny S)
        (3, 2, "2026-04-02 07:59:00.000000", None, None),  # relearning -> 1 day
    ]
    for i, (b, state, due, stab, diff) in enumerate(rows):
        con.execute(
            "INSERT INTO revlog VALUES (?, ?, ?, 2, 4000, ?, NULL, NULL, NULL, ?, NULL, 0, 0,"
            " ?, ?, ?, ?, NULL)",
            (first + i, card_id, t, b, t, state, stab, diff, due),
        )
    old = con.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
    con.commit()
    con.close()
    open_engine(db).dispose()
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == old
    got = con.execute(
        "SELECT id, kind, rating, interval, stability_x1000, difficulty_x100, duration_ms"
        " FROM revlog WHERE card_id = ? AND id >= 1775030400123 ORDER BY id",
        (card_id,),
    ).fetchall()
    ms = 1775030400123  # 2026-04-01 08:00:00.123 UTC; the same for all four: each one later
    assert got == [
        (ms, 0, 2, -600, 212, 641, 4000),
        (ms + 1, 0, 2, 3, 2300, 550, 4000),
        (ms + 2, 1, 2, -300, 1, 999, 4000),
        (ms + 3, 2, 2, 1, None, None, 4000),
    ]
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "ix_revlog_card" in indexes and "ix_revlog_time" not in indexes
    assert "ix_note_heldout" in indexes
    assert {"grp", "heldout"} <= {r[1] for r in con.execute("PRAGMA table_info(note)")}
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
