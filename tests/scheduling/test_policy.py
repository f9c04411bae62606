"""The exam-weighted policy, pure: exam value, new-card order, retention tilt, exam cap, pace."""

from datetime import UTC, date, datetime, timedelta

import pytest

from cehrs_cards.core.records import Rating
from cehrs_cards.core.scheduling import (
    LEAD_DAYS,
    MAX_INTERVAL,
    Policy,
    Schedulers,
    daily_plan,
    domain_retention,
    exam_cap,
    exam_pace,
    exam_values,
    interleave_by_domain,
    new_card_shares,
    new_state,
    plan_quotas,
    planning_rate,
    value_ratios,
    value_retention,
)

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
BLUEPRINT_DECK = {1: 280, 2: 320, 3: 150, 4: 150, 5: 100}
SKEWED_DECK = {1: 10, 2: 10, 3: 40, 4: 40, 5: 10}


def test_exam_value_is_weight_over_active_cards():
    values = exam_values(SKEWED_DECK)
    assert values[2] == pytest.approx(0.32 / 10)
    assert values[4] == pytest.approx(0.15 / 40)
    assert max(values, key=values.get) == 2


def test_value_ratio_is_one_on_a_blueprint_deck_and_weight_over_share_otherwise():
    assert all(r == pytest.approx(1.0) for r in value_ratios(BLUEPRINT_DECK).values())
    ratios = value_ratios(SKEWED_DECK)
    assert ratios[1] == pytest.approx(0.28 / (10 / 110))
    assert ratios[4] == pytest.approx(0.15 / (40 / 110))
    assert value_ratios({1: 5, 0: 3})[0] == 1.0  # unassigned cards count as average


def test_retention_tilt_by_value_generalises_the_weight_formula():
    assert value_retention(2.0, 0.90, 1.0) == pytest.approx(0.95)
    assert value_retention(0.5, 0.90, 1.0) == pytest.approx(0.80)
    assert value_retention(10.0, 0.90, 1.0) == 0.97  # clamped
    assert value_retention(2.0, 0.90, 0.0) == 0.90  # tilt 0 is plain FSRS
    # equal-size domains: ratio = w_d / mean weight, the (1-R_d) = (1-R0)*(mean w/w_d)
    equal = {d: 100 for d in range(1, 6)}
    for d in range(1, 6):
        by_value = domain_retention(d, 0.9, 1.0, value_ratios(equal))
        assert by_value == pytest.approx(domain_retention(d, 0.9, 1.0))


def test_schedulers_use_value_retention():
    ratios = value_ratios(SKEWED_DECK)
    s = Schedulers(Policy(tilt=1.0, fuzz=False, ratios=tuple(ratios.items())))
    assert s.retention(2) == 0.97 and s.retention(4) == pytest.approx(0.80)
    mature = s.preview(1, 2, new_state(T0), T0)[3].after  # Easy: review state
    later = mature.due
    heavy = s.preview(1, 2, mature, later)[2].after.due
    light = s.preview(1, 4, mature, later)[2].after.due
    assert heavy < light  # the more valuable card comes back sooner


def test_quotas_take_the_most_valuable_domains_when_capacity_is_short():
    ratios = value_ratios(SKEWED_DECK)
    assert plan_quotas(SKEWED_DECK, ratios, None) == SKEWED_DECK
    q = plan_quotas(SKEWED_DECK, ratios, 25)
    assert q == {2: 10, 1: 10, 5: 5, 3: 0, 4: 0}  # ranked by weight / share: 2, 1, 5, 3, 4
    assert plan_quotas(SKEWED_DECK, ratios, 1000) == SKEWED_DECK
    # near-equal values share what is left in proportion to their cards, not all-or-nothing
    near = plan_quotas(BLUEPRINT_DECK, value_ratios(BLUEPRINT_DECK), 500)
    assert near == {d: n // 2 for d, n in BLUEPRINT_DECK.items()}


def test_new_cards_interleave_and_the_most_valuable_come_first():
    ratios = value_ratios(SKEWED_DECK)
    shares = new_card_shares(SKEWED_DECK, ratios, capacity=25)
    assert set(shares) == {1, 2, 5} and sum(shares.values()) == pytest.approx(1.0)
    assert shares[2] > shares[1] > shares[5]
    items = [(d * 1000 + i, d) for d, n in SKEWED_DECK.items() for i in range(n)]
    picked = interleave_by_domain(items, 25, shares)
    domains = [i // 1000 for i in picked]
    assert set(domains[:4]) == {1, 2}  # interleaved, not one domain at a time
    assert sorted(domains) == [1] * 10 + [2] * 10 + [5] * 5  # the plan; 3 and 4 wait
    assert domains[:21].count(5) <= 1  # 5 only trickles in until 1 and 2 are done


def test_shares_without_exam_follow_remaining_exam_value():
    shares = new_card_shares(BLUEPRINT_DECK, value_ratios(BLUEPRINT_DECK), None)
    for d, n in BLUEPRINT_DECK.items():
        assert shares[d] == pytest.approx(n / 1000)  # = blueprint weight on a blueprint deck


def test_planning_rate_uses_last_week_when_it_is_slower():
    assert planning_rate(20, []) == 20  # no history: the limit
    assert planning_rate(20, [5, 5, 6]) == 6
    assert planning_rate(20, [8] * 7) == 8
    assert planning_rate(20, [30] * 7) == 20
    assert planning_rate(20, [0] * 7) == 1


def test_exam_cap_keeps_every_due_date_on_or_before_exam_day():
    today, exam = date(2026, 3, 10), date(2026, 3, 20)
    assert exam_cap(today, exam) == 10
    assert exam_cap(today, exam, eve=True) == 9
    assert exam_cap(date(2026, 3, 19), exam) == 1
    assert exam_cap(today, None) == MAX_INTERVAL
    assert exam_cap(date(2026, 3, 21), exam) == MAX_INTERVAL  # after the exam: no cap
    mem, when, reviews = new_state(T0), T0, 0
    while when.date() < exam:  # Easy again and again: intervals would grow to months
        reviews += 1
        cap = exam_cap(when.date(), exam)  # the app rebuilds its policy every study day
        s = Schedulers(Policy(fuzz=False, maximum_interval=cap))
        mem = s.preview(1, 1, mem, when)[Rating.EASY - 1].after
        assert mem.due.date() <= exam
        when = max(mem.due, when + timedelta(days=1))
    assert reviews >= 2 and mem.due.date() == exam  # the last interval was cut to exam day
    uncapped = Schedulers(Policy(fuzz=False)).preview(1, 1, new_state(T0), T0)[3].after
    assert uncapped.due.date() > exam - timedelta(days=5)  # the cap does bind here


def test_pace_to_finish_fourteen_days_before_the_exam():
    today = date(2026, 3, 10)
    pace = exam_pace(600, today, today + timedelta(days=44), limit=20)
    assert pace.needed_per_day == 20 and pace.feasible  # 600 / (44 - 14) days
    assert "20 new cards a day" in pace.message() and "⚠" not in pace.message()
    tight = exam_pace(600, today, today + timedelta(days=34), limit=20)
    assert tight.needed_per_day == 30 and not tight.feasible
    assert "⚠" in tight.message() and "limit is 20" in tight.message()
    close = exam_pace(600, today, today + timedelta(days=LEAD_DAYS), limit=20)
    assert not close.feasible and close.reachable == 280
    assert "320 cards will not be seen" in close.message()
    assert exam_pace(0, today, today + timedelta(days=40), 20).message().endswith("introduced.")
    assert exam_pace(10, today, None, 20) is None


def test_daily_plan_drops_the_tilt_when_behind_and_no_longer_caps_intervals():
    base = Policy(tilt=1.0, fuzz=False)
    today, exam = date(2026, 3, 10), date(2026, 4, 9)
    ahead = daily_plan(base, today, exam, 20, SKEWED_DECK, SKEWED_DECK, [])
    # no pile on exam day: final reviews are placed instead (core/exam_day.py)
    assert ahead.on_track and ahead.policy.tilt == 1.0
    assert ahead.policy.maximum_interval == MAX_INTERVAL
    behind = daily_plan(base, today, exam, 20, SKEWED_DECK, SKEWED_DECK, [2] * 7)
    assert behind.rate == 2 and behind.capacity == 60 and not behind.on_track
    assert behind.policy.tilt == 0.0
    assert behind.quotas == {1: 10, 2: 10, 5: 10, 3: 15, 4: 15}  # 3 and 4 tie: they share
    assert behind.shares[2] > behind.shares[1] > behind.shares[5] > behind.shares[3]
