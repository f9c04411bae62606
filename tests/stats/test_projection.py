"""Exam-day projection by simulation: the candidate's own cards and habits run through the
app's queue and scheduler to the exam date; the held-out model forecasts each future."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cehrs_cards.core import projection as pj
from cehrs_cards.core import readiness_model as rm
from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.core.records import CardState, MemoryState, Rating
from cehrs_cards.core.scheduling import DEFAULT_PARAMETERS
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services import bundled
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.stats import StatsService
from tests.stats.test_held_out_readiness import STUDIED_MCQ, _take_mock, _write_deck

NOW = datetime(2026, 3, 10, 18, tzinfo=UTC)


def _inputs(minutes: float, days: int = 14, cards: int = 240) -> pj.ProjectionInputs:
    """A candidate a third of the way through a deck: studied cards of every domain."""
    rng = random.Random(3)
    out = []
    for i in range(cards):
        dom = DOMAINS[i % 5].id
        if i < cards // 3:
            last = NOW - timedelta(days=rng.randint(1, 10))
            st = rng.uniform(2.0, 20.0)
            due = last + timedelta(days=st)
            out.append((dom, MemoryState(CardState.REVIEW, None, st, 5.0, due, last, 3, 0)))
        else:
            out.append((dom, MemoryState(CardState.NEW, None, None, None, NOW, None, 0, 0)))
    exam = (NOW + timedelta(days=days)).date()
    return pj.ProjectionInputs(NOW, exam, tuple(out), DEFAULT_PARAMETERS, minutes, 20, 9999, 0.9)


POSTERIORS = rm.fit_all(
    [rm.Answers(d.id, 0.3, d.scored_items, d.scored_items // 2) for d in DOMAINS]
)


def test_more_daily_minutes_project_a_higher_score_and_runs_are_repeatable() -> None:
    short = pj.project(_inputs(3.0), POSTERIORS, runs=3)
    long = pj.project(_inputs(30.0), POSTERIORS, runs=3)
    assert long.forecast.raw > short.forecast.raw + 3
    assert sum(long.recall.values()) > sum(short.recall.values())
    again = pj.project(_inputs(3.0), POSTERIORS, runs=3)
    assert again.raw_by_run == short.raw_by_run
    low, high = short.raw_range
    assert min(short.raw_by_run) <= low <= high <= max(short.raw_by_run)
    assert 0.01 <= short.forecast.shown_pass <= 0.99


def test_a_budget_that_reviews_eat_slows_new_cards() -> None:
    """Under a fixed small budget, due reviews come first: fewer new cards are learnt than
    the new-card limit alone would allow (the pace falls as reviews pile up)."""
    inputs = _inputs(4.0, days=20)
    [recall] = pj.exam_recalls(inputs, runs=1)
    unlimited = pj.exam_recalls(replace(inputs, daily_minutes=600.0), runs=1)[0]
    assert sum(recall.values()) < sum(unlimited.values())


@pytest.fixture
def studied_col(col: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock):
    folder = tmp_path / "bank"
    _write_deck(folder)
    monkeypatch.setenv(bundled.ENV_DECKS_DIR, str(folder))
    import_package(col, read_native(folder))
    review = ReviewService(col)
    for _ in range(30):
        card = review.next_card()
        assert card is not None
        review.answer(card, Rating.GOOD, 9000)
    clock.advance(timedelta(hours=1))
    _take_mock(ExamService(col), right=0.8, seed=21)
    return col


def test_the_service_projects_from_the_collection_to_the_exam_date(studied_col) -> None:
    stats = StatsService(studied_col)
    assert "exam date" in stats.projection(runs=2).reasons[0]
    exam = studied_col.study_days().day_of(studied_col.now()) + timedelta(days=10)
    studied_col.save_settings(replace(studied_col.settings(), exam_date=exam.isoformat()))
    r = stats.projection(runs=2)
    assert r.projection is not None and r.inputs is not None
    assert len(r.inputs.cards) == 5 * STUDIED_MCQ  # the held-out pool is not studied
    assert r.inputs.exam == exam and r.projection.runs == 2
    assert 0.01 <= r.projection.forecast.shown_pass <= 0.99


def test_the_view_projects_on_request(qtbot, studied_col) -> None:
    from cehrs_cards.ui.ops import OpRunner
    from cehrs_cards.ui.stats_view import StatsWindow
    from tests.ops_helpers import settle

    exam = studied_col.study_days().day_of(studied_col.now()) + timedelta(days=7)
    studied_col.save_settings(replace(studied_col.settings(), exam_date=exam.isoformat()))
    runner = OpRunner()
    window = StatsWindow(StatsService(studied_col), runner)
    runner.setParent(window)
    qtbot.addWidget(window)
    window.refresh()
    settle(qtbot)
    panel = window.readiness.held_out
    assert not panel.project.isHidden()
    panel.project.click()
    settle(qtbot)
    text = panel.projection.text()
    assert "On exam day" in text and "simulated futures" in text and "(estimate)" in text
