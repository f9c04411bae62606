"""The review log's bulk path (db/revlog.py): staged rows move in time order, and a time the
log already holds moves to the next free millisecond, as single inserts do (real SQLite)."""

from cehrs_cards.db import revlog


def _row(rid: int, card_id: int) -> tuple:
    return revlog.values(card_id, rid, 1, 3, 5, (4.5, 6.25), 1200)


class _Answer:
    def __init__(self, at_ms: int, duration_ms: int = 1200) -> None:
        self.at_ms, self.kind, self.rating, self.interval = at_ms, 1, 3, 5
        self.duration_ms = duration_ms


class _Memory:
    def __init__(self, stability: float, difficulty: float) -> None:
        self.stability, self.difficulty = stability, difficulty


def _staged(rid: int, card_id: int) -> tuple:
    return revlog.answer_rows(card_id, [_Answer(rid)], [_Memory(4.5, 6.25)])[0]


def test_staged_rows_go_in_and_a_taken_time_moves_on(mini_col):
    with mini_col.transaction() as s:
        conn = s.connection()
        card = int(conn.exec_driver_sql("SELECT MIN(id) FROM card").scalar())
        assert revlog.insert(conn, [_row(1000, card)]) == [1000]
        revlog.create_staging(conn)
        revlog.stage(
            conn, [_staged(3000, 7), _staged(1000, card), _staged(2000, 7), _staged(2000, 7)]
        )
        revlog.insert_staged(conn, [7, card])
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


def test_staged_rows_are_stored_as_single_answers_are(mini_col):
    """insert_staged scales and bounds the memory state and time taken in SQL exactly as
    values() does in Python (the live answer's path), at the edges too; a difficulty is
    kept within FSRS's 1-10 as the replay always kept it."""
    cases = [(0.0004, 0.2, -5), (4.5, 6.25, 1200), (123.4567, 10.7, 7_200_000), (0.0015, 9.995, 0)]
    with mini_col.transaction() as s:
        conn = s.connection()
        card = int(conn.exec_driver_sql("SELECT MIN(id) FROM card").scalar())
        revlog.create_staging(conn)
        answers = [_Answer(10_000 + i, ms) for i, (_, _, ms) in enumerate(cases)]
        memory = [_Memory(st, d) for st, d, _ in cases]
        revlog.stage(conn, revlog.answer_rows(card, answers, memory))
        revlog.insert_staged(conn, [card])
        cols = ", ".join(revlog.COLUMNS)
        got = [tuple(r) for r in conn.exec_driver_sql(f"SELECT {cols} FROM revlog ORDER BY id")]
    want = [
        revlog.values(card, a.at_ms, 1, 3, 5, (m.stability, _within(m.difficulty)), a.duration_ms)
        for a, m in zip(answers, memory, strict=True)
    ]
    assert got == want


def _within(difficulty: float) -> float:
    return min(10.0, max(1.0, difficulty))
