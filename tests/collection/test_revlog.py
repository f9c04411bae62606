"""The review log's bulk path (db/revlog.py): staged rows move in time order, and a time the
log already holds moves to the next free millisecond, as single inserts do (real SQLite)."""

from cehrs_cards.db import revlog


def _row(rid: int, card_id: int) -> tuple:
    return revlog.values(card_id, rid, 1, 3, 5, (4.5, 6.25), 1200)


def test_staged_rows_go_in_and_a_taken_time_moves_on(mini_col):
    with mini_col.transaction() as s:
        conn = s.connection()
        card = int(conn.exec_driver_sql("SELECT MIN(id) FROM card").scalar())
        assert revlog.insert(conn, [_row(1000, card)]) == [1000]
        revlog.create_staging(conn)
        revlog.stage(conn, [_row(3000, 7), _row(1000, card), _row(2000, 7), _row(2000, 7)])
        revlog.insert_staged(conn)
        got = conn.exec_driver_sql(
            "SELECT id, stability_x1000, difficulty_x100 FROM revlog ORDER BY id"
        )
        assert [tuple(r) for r in got] == [
            (1000, 4500, 625),
            (1001, 4500, 625),  # the staged 1000 took the next free millisecond
            (2000, 4500, 625),  # a repeated entry of the package is kept once
            (3000, 4500, 625),
        ]
        tables = "SELECT name FROM sqlite_temp_master WHERE name = 'revlog_import'"
        assert conn.exec_driver_sql(tables).first() is None
