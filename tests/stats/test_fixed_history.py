"""Figures from a small fixed history made through the real review and exam services, checked
against values computed by hand from the same states."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from cehrs_cards.cli.stats_json import report_json
from cehrs_cards.core import stats as cs
from cehrs_cards.core.readiness import GUESS, MODEL_SD, MockScore, model_error
from cehrs_cards.core.records import Rating
from cehrs_cards.core.scheduling import DEFAULT_PARAMETERS
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.stats import StatsFilter, StatsService
from tests.exam.conftest import MCQS_PER_DOMAIN, write_mcq_deck

CURVE = cs.curve(DEFAULT_PARAMETERS)


def _graduate(review, clock, card_id: int) -> None:
    """Good on a new card, then Good again ten minutes later: the card reaches review."""
    for _ in range(2):
        review.answer(review.study_card(card_id), Rating.GOOD, 5000)
        clock.advance(timedelta(minutes=10))


@pytest.fixture
def two_cards(review, mini_col, clock):
    """Card ids of two cards in different domains, each graduated to review on day 0."""
    card_a = review.next_card()
    card_b = next(
        review.study_card(i)
        for (i,) in _card_ids(mini_col)
        if review.study_card(i).domain != card_a.domain
    )
    _graduate(review, clock, card_a.card_id)
    _graduate(review, clock, card_b.card_id)
    return card_a.card_id, card_b.card_id


def _card_ids(col):
    import sqlite3

    return sqlite3.connect(col.db_path).execute("SELECT id FROM card ORDER BY id").fetchall()


def test_recall_tests_by_hand(review, mini_col, clock, two_cards):
    a, b = two_cards
    clock.advance(timedelta(days=3))
    before_a, before_b = review.study_card(a), review.study_card(b)
    review.answer(before_a, Rating.GOOD, 4000)
    review.answer(before_b, Rating.AGAIN, 6000)
    report = report_json(StatsService(mini_col).report())

    ret = report["charts"]["true_retention"]
    for window in ("today", "week", "month"):
        assert ret["all"][window] == {"passed": 1, "total": 2, "rate": 0.5}
    dom_a, dom_b = str(before_a.domain), str(before_b.domain)
    assert ret[dom_a]["week"]["rate"] == 1.0 and ret[dom_b]["week"]["rate"] == 0.0

    # predicted R: 3 study days at the stability before each answer
    pa = cs.retrievability(3, before_a.before.stability, *CURVE)
    pb = cs.retrievability(3, before_b.before.stability, *CURVE)
    cal = report["calibration"]["recall"]
    assert cal["all"]["reviews"] == 2
    assert cal["all"]["predicted"] == pytest.approx((pa + pb) / 2, abs=1e-4)
    assert cal["all"]["actual"] == 0.5
    assert cal["all"]["log_loss"] == pytest.approx(-(math.log(pa) + math.log(1 - pb)) / 2, abs=1e-4)
    # same interval, review count and lapses: one fsrs-rs bin, so RMSE = |mean p - mean y|
    assert cal["all"]["rmse_bins"] == pytest.approx(abs((pa + pb) / 2 - 0.5), abs=1e-4)
    assert cal[dom_a]["log_loss"] == pytest.approx(-math.log(pa), abs=1e-4)

    today = report["charts"]["reviews_per_day"][-1]
    assert (today["count"], today["review"], today["minutes"]) == (
        2,
        2,
        pytest.approx(10 / 60, abs=0.05),
    )
    assert report["charts"]["overview"]["streak"] == {
        "current": 1,
        "longest": 1,
        "days_studied": 2,
        "studied_today": True,
    }


def test_retrievability_in_sql_equals_fsrs(review, mini_col, clock, two_cards):
    clock.advance(timedelta(days=5, hours=3))
    expected = [
        review.schedulers.retrievability(c.domain, c.before, clock.now())
        for c in (review.study_card(i) for i in two_cards)
    ]
    charts = StatsService(mini_col).report(StatsFilter(), ("charts",)).charts
    assert charts is not None
    ov = charts.overview
    assert ov.studied_cards == 2
    assert ov.average_retrievability == pytest.approx(sum(expected) / 2, abs=1e-4)


def test_forecast_and_states_follow_the_cards(review, mini_col, clock, two_cards):
    c = StatsService(mini_col).report(StatsFilter(days=30), ("charts",)).charts
    assert c is not None
    states = c.card_states
    assert (states.new, states.young, states.total) == (5, 2, 7)
    due = [review.study_card(i).before.due for i in two_cards]
    days = sorted((d - clock.now()).days for d in due)
    assert sum(c.forecast) == 2
    assert [i for i, n in enumerate(c.forecast) for _ in range(n)] == pytest.approx(days, abs=1)


def test_a_mock_is_predicted_and_adjusts_readiness(col, tmp_path, clock):
    import_package(col, read_native(write_mcq_deck(tmp_path / "deck", MCQS_PER_DOMAIN, {})))
    exams = ExamService(col)
    att = exams.start_mock(seed=7).value
    right = 0
    for i, slot in enumerate(att.slots):  # every scored Clinical Operations item right
        exams.goto(att, i)  # and every other item wrong: a complete attempt
        if not slot.pretest and slot.item.domain == 2:
            exams.select(att, slot.item.answer)
            right += 1
        else:
            exams.select(att, (slot.item.answer + 1) % 4)
    exams.submit(att)
    report = report_json(StatsService(col).report())
    mock = report["calibration"]["mocks"][0]
    # nothing studied before the mock: every item is a 1-in-4 guess
    assert (mock["predicted_raw"], mock["actual_raw"]) == (25.0, float(right))
    assert report["readiness"]["mocks_used"][0]["difference"] == right - 25
    assert report["readiness"]["estimate"] is None  # still too little card history
    # the model's error after this mock, by hand: normal prior N(0, 5^2), residual variance
    # sum p(1-p) = 100 * 0.25 * 0.75
    var = 100 * GUESS * (1 - GUESS)
    shift = (right - 25) / var / (1 / MODEL_SD**2 + 1 / var)
    sd = max(3.0, (1 / MODEL_SD**2 + 1 / var) ** -0.5)
    score = MockScore(1, clock.now(), float(right), 25.0, var)
    assert model_error([score]) == (pytest.approx(shift), pytest.approx(sd))
    assert model_error([]) == (0.0, MODEL_SD)
