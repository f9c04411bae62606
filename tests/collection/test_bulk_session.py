"""An import's transaction runs with SQLite's per-row reference checks off (db/session.py
bulk_session): the references are checked in bulk before the commit instead, a dangling one
rolls everything back, and the connection gets its checks back (real SQLite)."""

import pytest
from sqlalchemy.exc import IntegrityError

from cehrs_cards.db import revlog


def _card_sql(note_id: int) -> str:
    return f"""INSERT INTO card (id, note_id, deck_id, ord, domain, state, due, reps, lapses,
        suspended, flag, created, modified)
        SELECT 990001, {note_id}, deck_id, 5, 1, 0, due, 0, 0, 0, 0, created, modified
        FROM card LIMIT 1"""


def _checks_on(col) -> bool:
    with col.transaction() as s:
        return bool(s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar())


def test_a_card_of_a_missing_note_rolls_the_import_back(mini_col):
    with pytest.raises(IntegrityError, match="missing note"), mini_col.bulk_transaction() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        conn.exec_driver_sql(_card_sql(987654))
    with mini_col.transaction() as s:
        assert (
            s.connection().exec_driver_sql("SELECT 1 FROM card WHERE id = 990001").first() is None
        )
    assert _checks_on(mini_col)


def test_review_log_rows_of_a_missing_card_are_refused(mini_col):
    class Answer:
        at_ms, kind, rating, interval, duration_ms = 5000, 1, 3, 2, 100

    class Memory:
        stability, difficulty = 2.0, 5.0

    refused = pytest.raises(IntegrityError, match="missing card 424242")
    with refused, mini_col.bulk_transaction() as s:
        conn = s.connection()
        revlog.create_staging(conn)
        revlog.stage(conn, revlog.answer_rows(424242, [Answer()], [Memory()]))
        revlog.insert_staged(conn, [424242])
    assert _checks_on(mini_col)


def test_a_sound_bulk_transaction_commits(mini_col):
    with mini_col.bulk_transaction() as s:
        conn = s.connection()
        note = conn.exec_driver_sql("SELECT MIN(id) FROM note").scalar()
        conn.exec_driver_sql(_card_sql(int(note)))
    with mini_col.transaction() as s:
        assert s.connection().exec_driver_sql("SELECT 1 FROM card WHERE id = 990001").first()
    assert _checks_on(mini_col)
