"""The policy in the app: queue order, exam cap, pace, rescheduling, optimising (real SQLite)."""

import shutil
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.core.records import CardState, Rating
from cehrs_cards.core.scheduling import Policy, Schedulers
from cehrs_cards.db.models import Card, RevLog
from cehrs_cards.db.timefmt import from_ms
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.scheduling import (
    Cancelled,
    Fit,
    is_better,
    needs_reschedule,
    optimise_parameters,
    plan_json,
    reschedule_all,
)
from tests.conftest import T0
from tests.scheduling.conftest import SKEWED, deck_collection, set_settings, study_days


def _exam_in(days: int) -> str:
    return (T0 + timedelta(days=days)).date().isoformat()


def test_new_cards_come_by_exam_value_interleaved_within_the_daily_limit(skewed):
    # 30 new cards fit before the exam (3 days x 10): domains 2, 1 (12 cards each, 60% of the
    # exam) and then 5 are worth the most per card; 3 and 4 (80 cards, 30%) must wait.
    set_settings(skewed, new_per_day=10, exam_date=_exam_in(3))
    plan = skewed.plan()
    assert plan.quotas == {2: 12, 1: 12, 5: 6, 3: 0, 4: 0}
    domains = []
    while (card := skewed.next_card()) is not None and card.before.state == CardState.NEW:
        domains.append(card.domain)
        skewed.answer(card, Rating.EASY)
    assert len(domains) == 10  # the daily limit
    assert set(domains) <= {1, 2, 5}
    assert set(domains[:4]) == {1, 2}  # interleaved, not one domain at a time
    assert skewed.limits_left()[0] == 0


def _introduce(review, n):
    domains = []
    for _ in range(n):
        card = review.next_card()
        assert card is not None and card.before.state == CardState.NEW
        domains.append(card.domain)
        review.answer(card, Rating.EASY)
    return domains


def test_without_an_exam_date_value_still_leads_and_domains_interleave(skewed, col, tmp_path):
    set_settings(skewed, new_per_day=40)
    domains = _introduce(skewed, 30)
    assert domains[0] == 2 and set(domains[:4]) == {1, 2}
    top = domains[:24].count(1) + domains[:24].count(2)
    assert top >= 21  # the 24 most valuable cards lead; the others only trickle in
    assert set(domains) > {1, 2}


def test_on_a_blueprint_deck_every_domain_interleaves(col, tmp_path):
    review = deck_collection(col, tmp_path, {1: 28, 2: 32, 3: 15, 4: 15, 5: 10})
    domains = _introduce(review, 10)
    assert set(domains) == {1, 2, 3, 4, 5} and domains[0] == 2


def test_a_final_review_is_placed_before_the_exam_and_lifts_after_it(skewed, clock):
    # Easy on a new card: stability ~8 days, exam-day recall ~0.94 < 0.95 with no more review
    # (on track: 40 a day fit the 114 new cards before the exam)
    set_settings(skewed, exam_date=_exam_in(5), new_per_day=40)
    card = skewed.next_card()
    skewed.answer(card, Rating.EASY)
    with skewed.col.read() as s:
        due = s.get(Card, card.card_id).due
    assert due.date() < (T0 + timedelta(days=5)).date()  # before exam day, not on it
    set_settings(skewed, exam_date=None)
    card = skewed.next_card()
    skewed.answer(card, Rating.EASY)
    with skewed.col.read() as s:
        assert s.get(Card, card.card_id).due.date() > (T0 + timedelta(days=5)).date()


def test_pace_for_the_exam_date(skewed):
    set_settings(skewed, new_per_day=20, exam_date=_exam_in(30))
    pace = skewed.plan().pace
    assert (pace.remaining, pace.needed_per_day, pace.feasible) == (114, 8, True)
    set_settings(skewed, new_per_day=5)
    pace = skewed.plan().pace
    assert not pace.feasible and "⚠" in pace.message()
    out = plan_json(skewed.plan())
    assert out["pace"]["needed_per_day"] == 8 and out["domains"]["2"]["value_ratio"] > 2.5


# ----- rescheduling and optimising need a review history: made once, copied per test ---------
@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A collection a synthetic learner studied for 20 days (about 850 answers)."""
    root = tmp_path_factory.mktemp("history")
    clock = FakeClock(T0)
    col = Collection(root / "data", clock=clock, tz=UTC)
    col.save_settings(replace(col.settings(), fuzz=False, bundled_loaded=True))
    review = deck_collection(col, root, SKEWED)
    study_days(review, clock, 20)
    (root / "now.txt").write_text(clock.now().isoformat())
    col.close()
    return root


def _open(history: Path, tmp_path: Path) -> tuple[Collection, ReviewService]:
    from datetime import datetime

    shutil.copytree(history / "data", tmp_path / "data")
    clock = FakeClock(datetime.fromisoformat((history / "now.txt").read_text()))
    col = Collection(tmp_path / "data", clock=clock, tz=UTC)
    return col, ReviewService(col)


def _cards(col: Collection) -> dict[int, Card]:
    with col.read() as s:
        return {c.id: c for c in s.exec(select(Card).where(Card.state == 2))}


def test_changing_retention_reschedules_from_the_review_log(history, tmp_path):
    col, review = _open(history, tmp_path)
    before = _cards(col)
    assert len(before) > 50
    new = replace(review.settings, base_retention=0.95)
    assert needs_reschedule(review.settings, new)
    col.save_settings(new)
    review.reload_settings()
    report = reschedule_all(col, review.plan(), None)
    after = _cards(col)
    assert report.cards >= len(before)
    sched = Schedulers(Policy(base_retention=0.95, fuzz=False), col.study_days())
    with col.read() as s:
        for card_id in list(after)[:20]:  # exactly the answers replayed on the same clock
            logs = s.exec(select(RevLog).where(RevLog.card_id == card_id)).all()
            answers = [(from_ms(r.id), Rating(r.rating)) for r in logs]
            expect = sched.replay(card_id, after[card_id].domain, answers)
            assert after[card_id].due == expect.due
            assert after[card_id].reps == before[card_id].reps  # counters kept
    # higher desired retention: same memory, earlier due dates
    shorter = [c for c in after if after[c].due < before[c].due]
    assert len(shorter) > 0.8 * len(after)
    assert all(after[c].stability == pytest.approx(before[c].stability) for c in after)
    col.close()


def test_reschedule_after_exam_day_leaves_future_due_dates_in_the_future(history, tmp_path):
    # issue 18 item 1: with the exam date past, every future due date became "due now"
    col, review = _open(history, tmp_path)
    now = col.now()
    yesterday = (now - timedelta(days=1)).date().isoformat()
    col.save_settings(replace(review.settings, exam_date=yesterday, base_retention=0.91))
    review.reload_settings()
    reschedule_all(col, review.plan(), None)
    after = _cards(col)
    later = [c for c in after.values() if c.due.replace(tzinfo=UTC) > now]
    assert len(later) > 0.8 * len(after)
    col.close()


def test_reschedule_can_be_cancelled_without_writing(history, tmp_path):
    col, review = _open(history, tmp_path)
    before = _cards(col)
    col.save_settings(replace(review.settings, base_retention=0.97))
    review.reload_settings()
    with pytest.raises(Cancelled):
        reschedule_all(col, review.plan(), None, progress=lambda done, total: False)
    assert {c: r.due for c, r in _cards(col).items()} == {c: r.due for c, r in before.items()}
    col.close()


def test_optimiser_keeps_old_parameters_with_too_few_reviews(review, mini_col):
    review.answer(review.next_card(), Rating.GOOD)
    report = optimise_parameters(mini_col)
    assert report.kept == "old" and "at least" in report.reason
    assert mini_col.settings().parameters is None


def test_is_better_needs_a_real_held_out_gain_on_both_measures():
    old = Fit(0.50, 0.10)
    assert is_better(old, Fit(0.45, 0.08))
    assert not is_better(old, Fit(0.45, 0.12))  # better log loss, worse RMSE: keep old
    assert not is_better(old, Fit(0.497, 0.10))  # 0.6%: noise, not a gain
    assert not is_better(old, Fit(0.55, 0.05))


def test_cli_optimize_and_plan_json(history, tmp_path, capsys):
    import json

    from cehrs_cards.cli import main

    shutil.copytree(history / "data", tmp_path / "data")
    assert main(["optimize", "--data-dir", str(tmp_path / "data"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kept"] in ("new", "old") and out["scored_on"].startswith("held-out")
    assert {"log_loss", "rmse_bins", "parameters"} <= set(out["old"]) & set(out["new"])
    assert len(out["old"]["parameters"]) == 21
    assert main(["--data-dir", str(tmp_path / "data"), "plan", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert set(plan["domains"]) == {"1", "2", "3", "4", "5"} and plan["pace"] is None
