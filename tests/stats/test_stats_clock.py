"""Statistics count elapsed time in study days, as the scheduler does (issue 18: one clock).

A card last answered late in the evening and looked at after the next rollover is one study
day old for the scheduler (core/clock StudyDays.elapsed, Anki's FSRS convention), though
fewer than 24 hours have passed; the statistics' retrievability must say the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from cehrs_cards.core import stats as cs
from cehrs_cards.db import stats_queries as q
from cehrs_cards.db.timefmt import to_db


@pytest.mark.parametrize("hours_later", [6, 30])
def test_retrievability_in_the_statistics_uses_study_days(mini_col, hours_later):
    last = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)  # rollover 04:00 UTC: study day of the 10th
    now = last + timedelta(hours=hours_later)
    stability = 3.0
    with mini_col.transaction() as s:
        con = s.connection()
        card_id = con.exec_driver_sql("SELECT MIN(id) FROM card").scalar()
        con.exec_driver_sql(
            "UPDATE card SET state = 2, stability = ?, last_review = ? WHERE id = ?",
            (stability, to_db(last), card_id),
        )
        con.exec_driver_sql(
            "UPDATE card SET state = 0, last_review = NULL WHERE id != ?", (card_id,)
        )
    days = mini_col.study_days().elapsed(last, now)
    assert days == (1 if hours_later == 6 else 2)  # fewer than 24 h, yet a study day later
    curve = cs.curve(DEFAULT_PARAMETERS)
    shiftd = 0.5 - mini_col.settings().rollover_hour / 24 + 1e-8  # UTC, as Moment.shiftd
    with mini_col.read() as s:
        _bins, r_sum, cards = q.retrievability_bins(s, q.Scope(), now, shiftd, curve, 20)
    assert cards == 1
    assert r_sum == pytest.approx(cs.retrievability(days, stability, *curve))
