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
