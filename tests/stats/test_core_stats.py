"""Statistics and readiness figures against hand-computed values on small fixed inputs."""

from __future__ import annotations

from datetime import date

import pytest

from cehrs_cards.core import stats as cs
from cehrs_cards.core.readiness import GUESS, GroupMemory, assess, estimate, item_probability


def test_streak_counts_consecutive_days_ending_today_or_yesterday():
    today = date(2026, 3, 10)
    days = [date(2026, 3, d) for d in (1, 2, 3, 7, 8, 9)]
    s = cs.streak(days, today)
    assert (s.current, s.longest, s.days_studied, s.studied_today) == (3, 3, 6, False)
    s = cs.streak([*days, today], today)
    assert (s.current, s.longest, s.studied_today) == (4, 4, True)
    assert cs.streak([date(2026, 3, 5)], today).current == 0


def test_true_retention_rate_and_sum():
    a, b = cs.Retention(9, 10), cs.Retention(1, 10)
    assert a.rate == 0.9 and (a + b).rate == 0.5
    assert cs.Retention().rate is None
    assert (a + b).to_json() == {"passed": 10, "total": 20, "rate": 0.5}


def test_histogram_fills_missing_bins_with_zero():
    assert cs.histogram({0: 2, 3: 5}, 5) == [2, 0, 0, 5, 0]
    assert cs.bin_of(0.5, cs.STABILITY_EDGES) == 0
    assert cs.bin_of(5, cs.STABILITY_EDGES) == 2  # edges 1, 3, 7: 5 falls in [3, 7)


def test_retrievability_is_90_percent_after_stability_days():
    decay, factor = cs.curve(tuple(__import__("fsrs").scheduler.DEFAULT_PARAMETERS))
    assert cs.retrievability(0, 10.0, decay, factor) == pytest.approx(1.0)
    assert cs.retrievability(10, 10.0, decay, factor) == pytest.approx(0.9)


def test_item_probability_and_group_share_by_hand():
    assert item_probability(1.0) == 1.0 and item_probability(0.0) == GUESS
    # 4 cards: 2 studied with R 0.8 and 0.6, 2 unseen -> (0.25*4 + 0.75*1.4) / 4
    g = GroupMemory(cards=4, seen=2, sum_r=1.4)
    assert g.share == pytest.approx((0.25 * 4 + 0.75 * 1.4) / 4)
    assert GroupMemory().share == GUESS


def test_expected_raw_is_the_blueprint_weighted_share():
    shares = {1: 0.5, 2: 1.0, 3: 0.0, 4: 1.0, 5: 0.5}
    est = estimate(shares, [], 70)
    assert est.memory_raw == pytest.approx(28 * 0.5 + 32 + 0 + 15 + 5)
    assert est.raw_low <= est.raw <= est.raw_high


def _memory(r: float, cards: int = 200) -> dict[int, GroupMemory]:
    return {d: GroupMemory(cards=cards, seen=cards, sum_r=r * cards) for d in range(1, 6)}


def test_readiness_never_falls_when_retrievability_rises():
    retention = dict.fromkeys(range(0, 6), 0.9)
    last = (-1.0, -1.0)
    for r in (0.2, 0.4, 0.6, 0.8, 0.95):
        ready = assess(_memory(r), 500, [], 70, retention)
        assert ready.estimate is not None
        now = (ready.estimate.raw, ready.estimate.pass_probability)
        assert now[0] >= last[0] and now[1] >= last[1]
        last = now


def test_too_little_data_gives_reasons_not_a_number():
    retention = dict.fromkeys(range(0, 6), 0.9)
    ready = assess(_memory(0.9, cards=10), 3, [], 70, retention)
    assert ready.estimate is None
    assert len(ready.reasons) == 2 and "at least" in ready.reasons[0]
