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


def test_v6_moves_the_review_logs_before_state_from_json_to_columns_exactly(tmp_path):
    """Every before-state survives the move to columns: microseconds or none, another UTC
    offset, no last review, learning steps; undo and statistics read the columns after."""
    import json
    from datetime import UTC, datetime, timedelta, timezone

    from cehrs_cards.db.timefmt import to_db

    db = tmp_path / "c.sqlite"
    shutil.copy(SAVED / "v5.sqlite", db)
    con = sqlite3.connect(db)
    card_id = con.execute("SELECT id FROM card LIMIT 1").fetchone()[0]
    plus5 = timezone(timedelta(hours=5, minutes=30))
    cases = [
        (0, None, None, None, datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=UTC), None, 0, 0),
        (1, 0, 0.4, 6.1, datetime(2026, 1, 5, 10, 10, tzinfo=UTC),
         datetime(2026, 1, 5, 10, 0, 0, 1, tzinfo=UTC), 1, 0),
        (2, None, 12.25, 4.5, datetime(2026, 2, 1, 3, 4, 5, 600000, tzinfo=plus5),
         datetime(2026, 1, 20, 23, 59, 59, tzinfo=plus5), 7, 2),
        (3, 1, 1.5, 8.0, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC), 9, 3),
    ]  # fmt: skip
    first = con.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM revlog").fetchone()[0]
    for i, (state, step, stab, diff, due, last, reps, lapses) in enumerate(cases):
        before = json.dumps({"state": state, "step": step, "stability": stab, "difficulty": diff,
                             "due": due.isoformat(), "last_review": last.isoformat() if last
                             else None, "reps": reps, "lapses": lapses})  # fmt: skip
        con.execute(
            "INSERT INTO revlog VALUES (?, ?, '2026-03-02 00:00:00.000000', 3, 1000, ?, 2, 3.0,"
            " 5.0, '2026-03-05 00:00:00.000000', 1.0)",
            (first + i, card_id, before),
        )
    old = {r[0]: json.loads(r[1]) for r in con.execute("SELECT id, before FROM revlog")}
    con.commit()
    con.close()
    open_engine(db).dispose()
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT id, before_state, before_step, before_stability, before_difficulty, before_due,"
        " before_last_review, before_reps, before_lapses FROM revlog"
    ).fetchall()
    assert len(rows) == len(old) >= len(cases) + 1  # the fixture's own answers too
    for rid, state, step, stab, diff, due, last, reps, lapses in rows:
        b = old[rid]
        want_last = to_db(datetime.fromisoformat(b["last_review"])) if b["last_review"] else None
        assert (state, step, stab, diff, reps, lapses) == (
            b["state"], b["step"], b["stability"], b["difficulty"], b["reps"], b["lapses"]
        )  # fmt: skip
        assert due == to_db(datetime.fromisoformat(b["due"])) and last == want_last
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
