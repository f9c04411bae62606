from datetime import UTC, datetime, timedelta

import fsrs
from sqlmodel import select

from cehrs_cards.core.scheduling import to_fsrs
from cehrs_cards.db.models import Card
from cehrs_cards.db.timefmt import from_db, to_db
from cehrs_cards.services.memory import memory_of


def test_loaded_card_is_aware_utc_and_feeds_fsrs(mini_col, clock):
    with mini_col.read() as s:
        card = s.exec(select(Card)).first()
    assert card.due.tzinfo is not None and card.due.utcoffset() == timedelta(0)
    fcard = to_fsrs(card.id, memory_of(card))
    sched = fsrs.Scheduler(enable_fuzzing=False)
    reviewed, log = sched.review_card(fcard, fsrs.Rating.Good, clock.now())
    assert reviewed.last_review == clock.now() and log.card_id == card.id


def test_db_text_form_matches_what_sqlalchemy_writes(mini_col):
    import sqlite3

    raw = sqlite3.connect(mini_col.db_path).execute("SELECT due FROM card LIMIT 1").fetchone()[0]
    parsed = from_db(raw)
    assert parsed is not None and to_db(parsed) == raw
    assert to_db(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "2026-01-02 03:04:05.000006"
