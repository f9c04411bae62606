"""The year's recall tests (readiness) and their calibration sums come from one pass over the
review log (db/stats_queries.py recall_tests): both checked against a plain reading of the log
in Python, on a history made through the real services with resets, lapses and answers on
both sides of the rollover."""

from __future__ import annotations

import math
import random
import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from cehrs_cards.core.records import Rating
from cehrs_cards.db import stats_queries as q
from cehrs_cards.db.timefmt import to_ms
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.stats import StatsService

DAY_MS = 86_400_000
START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def build_history(review, clock, col, seed: int = 3, days: int = 70) -> None:
    """Most cards answered on most days (Again often enough for lapses), some twice a day,
    some a few minutes either side of the 04:00 rollover, and a card reset now and then."""
    rng = random.Random(seed)
    cards = [i for (i,) in sqlite3.connect(col.db_path).execute("SELECT id FROM card")]
    ratings = [Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.GOOD, Rating.EASY]
    for day in range(days):
        base = START.replace(hour=0) + timedelta(days=day)
        answers = [
            (base + timedelta(hours=h, minutes=rng.randint(0, 59)), card_id)
            for card_id in cards
            if rng.random() < 0.65
            for h in rng.sample([9, 15, 21], rng.randint(1, 2))
        ]
        # a minute or two before or after the rollover (04:00 UTC) of the next day
        answers += [(base + timedelta(hours=27, minutes=rng.choice([-2, 2])), rng.choice(cards))]
        for at, card_id in sorted(answers):
            clock.set(at)
            review.answer(review.study_card(card_id), rng.choice(ratings), 3000)
        if day % 9 == 4:
            clock.advance(timedelta(minutes=1))
            CardService(col).reset_to_new([rng.choice(cards)])


def _reference(col, shiftd: float, since_ms: int, curve: tuple[float, float]):
    """Recall tests and their sums per fsrs-rs bin, read entry by entry in Python."""
    rows = sqlite3.connect(col.db_path).execute(
        """SELECT r.card_id, c.domain, r.id, r.kind, r.rating, r.stability_x1000
           FROM revlog r JOIN card c ON c.id = r.card_id
           WHERE r.rating > 0 OR (r.kind = 4 AND r.rating = 0 AND r.interval = 0)
           ORDER BY r.card_id, r.id"""
    )
    day = lambda ms: int(ms / 86400000.0 + (2440587.5 + shiftd))  # noqa: E731
    count, sums = 0, defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    last_card, prev, reps, lapses = None, None, 0, 0
    for card_id, domain, at, kind, rating, stab in rows:
        if card_id != last_card:
            last_card, prev, reps, lapses = card_id, None, 0, 0
        if at >= since_ms and rating > 0 and prev is not None and prev[1] > 0:
            dt = day(at) - day(prev[0])
            if dt >= 1:
                count += 1
                if prev[2] is not None and prev[2] > 0:
                    p = min(max((1 + curve[1] * dt / (prev[2] / 1000)) ** curve[0], 1e-4), 0.9999)
                    y = int(rating > 1)
                    key = (
                        domain,
                        math.floor(math.log(dt) / math.log(3.62)),
                        math.floor(math.log(reps + 2) / math.log(1.89)),
                        math.floor(math.log(lapses) / math.log(1.73)) if lapses else None,
                        min(max(int(math.exp(p * math.log(21))) - 1, 0), 19),
                    )
                    g = sums[key]
                    g[0] += 1
                    g[1] += p
                    g[2] += y
                    g[3] -= math.log(p) if y else math.log(1 - p)
        prev = (at, rating, stab)
        reps += 1
        lapses += rating == 1 and kind == 1
    return count, sums


@pytest.fixture
def studied(review, mini_col, clock):
    clock.set(START)
    build_history(review, clock, mini_col)
    return mini_col


@pytest.mark.parametrize("since_day", [0, 30])
def test_one_pass_gives_the_count_and_the_sums_of_a_plain_reading(studied, since_day):
    stats = StatsService(studied)
    m = stats.moment()
    since = START + timedelta(days=since_day, hours=-8)  # from day 30: earlier entries count
    count, groups = _reference(studied, m.shiftd, to_ms(since), m.curve)
    with studied.read() as s:
        got_count, got_groups = q.recall_tests(s, m.shiftd, since, m.curve)
    assert count > 100 and any(k[3] is not None for k in groups)  # lapses in the history
    assert got_count == count
    got = {(g.domain, g.dt_key, g.len_key, g.lapse_key, g.p_bin): g for g in got_groups}
    assert got.keys() == groups.keys()
    for key, (n, sum_p, sum_y, sum_loss) in groups.items():
        g = got[key]
        assert g.count == n
        assert (g.sum_p, g.sum_y, g.sum_log_loss) == pytest.approx((sum_p, sum_y, sum_loss))


def test_the_report_counts_the_tests_calibration_sums(studied):
    """The report's readiness counts what calibration sums (with the tests it cannot
    predict), and only the readiness section asked gives the same count."""
    stats = StatsService(studied)
    m = stats.moment()
    count, groups = _reference(studied, m.shiftd, to_ms(m.days_ago(364)), m.curve)
    full = stats.report()
    assert full.readiness is not None and full.calibration is not None
    assert full.readiness.tests == count
    overall = dict(full.calibration.recall)["all"]
    assert overall.reviews == sum(g[0] for g in groups.values())
    alone = stats.report(sections=("readiness",)).readiness
    assert alone is not None and alone.tests == count
