"""Minutes a day into daily limits, and the pace in words."""

from __future__ import annotations

from datetime import date

import pytest

from benchmarks.minutes_to_limits import keeps
from cehrs_cards.core.study_plan import NEW_PER_MINUTES, Pace, limits_for, minutes_for
from cehrs_cards.core.words import count, duration, plural


def test_the_table_is_what_the_simulator_measures_at_twenty_minutes():
    minutes, new = next(row for row in NEW_PER_MINUTES if row[0] == 20)
    assert keeps(minutes, new) and not keeps(minutes, new + 1)


@pytest.mark.parametrize(
    ("minutes", "new", "reviews"),
    [(5, 2, 50), (20, 10, 100), (30, 16, 150), (60, 31, 300), (999, 60, 4995)],
)
def test_limits_for_minutes(minutes, new, reviews):
    got = limits_for(minutes)
    assert (got.new_per_day, got.reviews_per_day) == (new, reviews)
    assert minutes_for(got.new_per_day) <= minutes


def test_pace_against_the_exam():
    today = date(2026, 1, 1)
    far = Pace(limits_for(60), 1362, date(2026, 6, 1), today).text()
    assert "31 new cards a day" in far and "seen in 44 days" in far and "93 days to spare" in far
    near = Pace(limits_for(20), 1362, date(2026, 3, 1), today).text()
    assert "you see 450 of them 14 days before it" in near and "About 59 minutes" in near
    none = Pace(limits_for(20), 1362, None, today).text()
    assert "Set your exam date when it is booked" in none
    done = Pace(limits_for(20), 0, None, today).text()
    assert "seen every card" in done


def test_plurals_and_durations_read_right():
    assert count(1, "card") == "1 card" and count(2, "card") == "2 cards"
    assert count(1, "day streak") == "1 day streak" and count(5, "day streak") == "5 day streak"
    assert count(1200, "review") == "1,200 reviews" and plural(3, "is") == "are"
    assert duration(131) == "2 min 11 s" and duration(7500) == "2 h 5 min"
    assert duration(45) == "45 s" and duration(3600) == "1 h" and duration(90000) == "1 day 1 h"
