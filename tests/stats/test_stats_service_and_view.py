"""The statistics service on real collections, `stats --json` against the view, and the view
rendering empty, small and large collections."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from benchmarks.generate import generate
from cehrs_cards.cli.stats_json import report_json
from cehrs_cards.core.records import Rating
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.stats import StatsFilter, StatsService
from cehrs_cards.services.stats_report import StatsReport
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.stats_view import StatsWindow
from tests.ops_helpers import settle


def _strip(report: dict | StatsReport | None) -> dict:
    """The report's JSON without the time it was made at."""
    assert report is not None
    data = report_json(report) if isinstance(report, StatsReport) else report
    return {k: v for k, v in data.items() if k != "generated_at"}


def _json(window: StatsWindow) -> dict:
    assert window.report is not None
    return report_json(window.report)


def _window(stats: StatsService) -> StatsWindow:
    runner = OpRunner()
    window = StatsWindow(stats, runner)
    runner.setParent(window)
    return window


def test_empty_collection_says_too_little_data(col):
    report = StatsService(col).report()
    assert report.readiness is not None and report.charts is not None
    assert report.readiness.estimate is None
    assert report.readiness.reasons
    assert report.charts.overview.reviews_today == 0


def test_answers_today_show_in_the_figures(review, mini_col):
    for rating in (Rating.GOOD, Rating.AGAIN, Rating.EASY):
        review.answer(review.next_card(), rating, 4000)
    c = StatsService(mini_col).report().charts
    assert c is not None
    today = c.reviews_per_day[-1]
    assert (today.count, today.by_kind[0]) == (3, 3)
    assert today.seconds / 60 == pytest.approx(0.2)  # 3 x 4 s
    assert c.card_states.new == 4 and c.card_states.total == 7
    assert c.overview.streak.current == 1


@pytest.fixture(scope="module")
def heavy(tmp_path_factory) -> Path:
    """A generated collection with a year of history (small enough for the test suite)."""
    data = tmp_path_factory.mktemp("heavy") / "data"
    generate(data, 3000, 30_000)
    return data


def test_cli_json_matches_the_service(heavy):
    out = subprocess.run(
        [sys.executable, "-m", "cehrs_cards", "--data-dir", str(heavy), "stats", "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cli = json.loads(out)
    col = Collection(heavy)
    try:
        ours = StatsService(col).report(StatsFilter())
    finally:
        col.close()
    assert _strip(cli) == _strip(ours)
    assert cli["readiness"]["estimate"]["raw"] > 25  # a studied collection beats guessing


@pytest.mark.parametrize("kind", ["empty", "small", "large"])
def test_view_renders_and_agrees_with_the_service(qtbot, kind, col, review, heavy, tmp_path):
    if kind == "small":
        review.answer(review.next_card(), Rating.GOOD, 3000)
        target = review.col
    elif kind == "large":
        target = Collection(heavy)
    else:
        target = col
    try:
        window = _window(StatsService(target))
        qtbot.addWidget(window)
        window.open()
        qtbot.waitUntil(lambda: window.report is not None, timeout=20_000)
        assert _strip(window.report) == _strip(StatsService(target).report(window.current_filter()))
        for i in range(window.tabs.count()):
            window.tabs.setCurrentIndex(i)
            assert not window.grab().isNull()
        text = window.readiness.headline.text()
        assert ("Too little data" in text) == (kind != "large")
        if kind == "large":  # memory alone failed its calibration study: a score, no chance
            assert "Scaled ≈" in text and "No pass chance" in text
            assert "Chance of passing" not in text
        if kind == "small":  # counts read right: not "1 reviews", "streak 1 days"
            overview = window.findChild(QLabel, "statsOverview").text()
            assert "1 review</b>" in overview and "1 day streak" in overview
            assert "1 card studied" in overview
        window.close()
        settle(qtbot)  # the reader thread is done before the collection closes
    finally:
        if kind == "large":
            target.close()


def test_filtering_by_domain_changes_the_figures(qtbot, heavy):
    col = Collection(heavy)
    try:
        window = _window(StatsService(col))
        qtbot.addWidget(window)
        window.open()
        qtbot.waitUntil(lambda: window.report is not None, timeout=20_000)
        everything = _json(window)["charts"]["card_states"]["total"]
        window.domain.setCurrentIndex(window.domain.findData(5))  # recomputes the charts only
        qtbot.waitUntil(lambda: _json(window)["filter"]["domain"] == 5, timeout=20_000)
        only_5 = _json(window)["charts"]["card_states"]["total"]
        assert 0 < only_5 < everything
        full = StatsService(col).report(window.current_filter())
        assert _strip(window.report) == _strip(full)
        window.close()
        settle(qtbot)  # the reader thread is done before the collection closes
    finally:
        col.close()


def test_study_this_starts_a_session_on_that_domain(qtbot, review, mini_col):
    from cehrs_cards.core.stats import StudyFocus
    from tests.ops_helpers import make_main_window

    main = make_main_window(qtbot, mini_col)
    main.study_focus(StudyFocus("Reporting", domains=(5,)))
    settle(qtbot)
    assert main.stack.currentWidget() is main.reviewer
    assert main.reviewer.card is not None and main.reviewer.card.domain == 5
    main.reviewer.reveal()
    main.reviewer.rate(Rating.EASY)
    settle(qtbot)
    assert main.stack.currentWidget() is main.summary  # the only Reporting card is done
    main.show_decks()
    assert main.services.review.focus is None


def test_a_filter_change_during_a_computation_is_not_lost(qtbot, heavy):
    col = Collection(heavy)
    try:
        window = _window(StatsService(col))
        qtbot.addWidget(window)
        window.open()  # the first report is being computed (results need the event loop)
        window.domain.setCurrentIndex(window.domain.findData(5))
        qtbot.waitUntil(lambda: window.report is not None, timeout=20_000)
        assert window.report is not None and window.report.filter is not None
        assert window.report.filter.domain == 5
        assert window.report.filter == window.current_filter()
        window.close()
        settle(qtbot)  # the reader thread is done before the collection closes
    finally:
        col.close()


def test_model_figures_and_assumptions_sit_under_advanced(qtbot):
    from cehrs_cards.ui.stats_panels import CalibrationPanel

    panel = CalibrationPanel()
    qtbot.addWidget(panel)
    errors = (4, 5)  # log loss, RMSE (bins)
    assert all(panel.recall.isColumnHidden(c) for c in errors) and not panel.errors.is_open
    panel.errors.toggle.click()
    assert not any(panel.recall.isColumnHidden(c) for c in errors)
    assert "lower is better" in panel.errors.body.findChild(QLabel).text()
    from cehrs_cards.ui.stats_panels import ReadinessPanel

    readiness = ReadinessPanel()
    qtbot.addWidget(readiness)
    readiness.show()
    assert not readiness.assumptions.isVisible()  # the model's assumptions: under Advanced
    readiness.how.toggle.click()
    assert readiness.assumptions.isVisible()
