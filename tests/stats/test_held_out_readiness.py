"""The held-out pool in a real collection: mocks draw their scored items from it, blocks and
pretest slots never use it, groups appear once per form, and readiness is fitted to it."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services import bundled
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import BlockSpec, ExamService
from cehrs_cards.services.held_out import bank
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.item_bank import bundled_flags
from cehrs_cards.services.stats import StatsService

STUDIED_MCQ = 45  # per domain: pretest items and the fallback once the pool is used up


def _mcq(nid: str, dom: int, *, held: bool, group: str | None = None) -> str:
    lines = [
        "[[notes]]",
        f'id = "{nid}"',
        'type = "mcq"',
        f"domain = {dom}",
        f'stem = "Question {nid}?"',
        f'options = ["Right {nid}", "Wrong one {nid}", "Wrong two {nid}", "Wrong three {nid}"]',
        'answer = "A"',
        'explanation = "Because."',
    ]
    if held:
        lines.append("heldout = true")
    if group:
        lines.append(f'group = "{group}"')
    return "\n".join(lines) + "\n"


def _write_deck(folder: Path) -> None:
    """A deck whose pool holds two mocks' scored items per domain; in domain 1 the pool's
    notes come in same-fact pairs."""
    folder.mkdir()
    parts = ['format = 1\ndeck = "CEHRS::Bank"\n']
    for d in DOMAINS:
        for i in range(2 * d.scored_items + (2 if d.id == 1 else 0)):
            group = f"fact-{i // 2}" if d.id == 1 else None
            parts.append(_mcq(f"h{d.id}-{i}", d.id, held=True, group=group))
        parts += [_mcq(f"s{d.id}-{i}", d.id, held=False) for i in range(STUDIED_MCQ)]
    (folder / "bank.toml").write_text("\n".join(parts), encoding="utf-8")


@pytest.fixture
def bank_col(col: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Collection:
    folder = tmp_path / "bank"
    _write_deck(folder)
    monkeypatch.setenv(bundled.ENV_DECKS_DIR, str(folder))
    import_package(col, read_native(folder))
    return col


def _take_mock(exams: ExamService, right: float, answered: float = 1.0, seed: int = 1):
    """Start a mock, answer a share of its items (a share of those right), submit it."""
    att = exams.start_mock(seed=seed).value
    rng = random.Random(seed)
    for i, slot in enumerate(att.slots):
        if rng.random() >= answered:
            continue
        exams.goto(att, i)
        key = slot.item.answer
        exams.select(att, key if rng.random() < right else (key + 1) % 4)
    exams.submit(att)
    return att


def test_the_bundled_deck_flags_300_held_out_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(bundled.ENV_DECKS_DIR, raising=False)
    flags = bundled_flags()
    assert flags is not None
    assert sum(held for _, held, _ in flags) == 300
    assert any(group for _, _, group in flags)


def test_mocks_draw_scored_items_from_the_pool_then_fall_back(bank_col: Collection) -> None:
    exams = ExamService(bank_col)
    with bank_col.read() as s:
        b = bank(s)
    assert b.by_domain() == {d.id: 2 * d.scored_items + (2 if d.id == 1 else 0) for d in DOMAINS}
    seen: set[int] = set()
    for seed in (1, 2):
        form = exams.assemble(seed=seed)
        scored = [f.candidate.card_id for f in form.slots if not f.pretest]
        pretest = [f.candidate.card_id for f in form.slots if f.pretest]
        assert form.diagnostic and len(scored) == 100
        assert set(scored) <= b.ids and not set(pretest) & b.ids
        assert not set(scored) & seen  # no item twice across mocks
        groups = [b.groups[c] for c in scored if c in b.groups]
        assert len(groups) == len(set(groups))  # one item per same-fact group
        _take_mock(exams, right=0.7, seed=seed)
        seen |= set(scored)
    third = exams.assemble(seed=3)
    assert not third.diagnostic  # the pool is used up: studied items fill the scored slots
    att = _take_mock(exams, right=0.7, seed=3)
    assert exams.load(att.id).extra["diagnostic"] is False
    history = {e.attempt_id: e.diagnostic for e in exams.history()}
    assert list(history.values()).count(False) == 1 and history[att.id] is False


def test_practice_blocks_never_use_held_out_items(bank_col: Collection) -> None:
    exams = ExamService(bank_col)
    spec = BlockSpec(size=60, domains=tuple(d.id for d in DOMAINS))
    with bank_col.read() as s:
        held = bank(s).ids
    assert exams.block_available(spec) == 5 * STUDIED_MCQ
    att = exams.start_block(spec, seed=4).value
    assert len(att.slots) == 60
    assert not {slot.item.card_id for slot in att.slots} & held


def test_readiness_waits_for_held_out_answers_then_stays_within_1_and_99(
    bank_col: Collection,
) -> None:
    stats, exams = StatsService(bank_col), ExamService(bank_col)
    before = stats.report(sections=("readiness",)).held_out
    assert before is not None and before.forecast is None and before.pool_size == 202
    assert "Take a full mock" in before.reasons[0]
    _take_mock(exams, right=0.2, answered=0.3, seed=5)  # incomplete: most items unanswered
    assert stats.report(sections=("readiness",)).held_out.answers == 0
    _take_mock(exams, right=0.95, seed=6)
    after = stats.report(sections=("readiness",)).held_out
    assert after is not None and after.answers == 100 and after.mocks == 1
    f = after.forecast
    assert f is not None and 0.01 <= f.shown_pass <= 0.99
    assert f.raw_low <= f.raw <= f.raw_high
    assert any("estimate" in a.lower() for a in after.assumptions)


def test_items_studied_before_a_mock_do_not_count(bank_col: Collection, clock) -> None:
    from cehrs_cards.core.records import Rating
    from cehrs_cards.services.review import ReviewService

    stats, exams = StatsService(bank_col), ExamService(bank_col)
    form = exams.assemble(seed=7)
    studied = next(f.candidate.card_id for f in form.slots if not f.pretest)
    review = ReviewService(bank_col)
    review.answer(review.study_card(studied), Rating.GOOD)
    clock.advance(timedelta(hours=1))
    _take_mock(exams, right=0.8, seed=7)
    assert stats.report(sections=("readiness",)).held_out.answers == 99


def test_the_statistics_view_shows_the_held_out_estimate(qtbot, bank_col: Collection) -> None:
    from cehrs_cards.cli.stats_json import report_json
    from cehrs_cards.ui.ops import OpRunner
    from cehrs_cards.ui.stats_view import StatsWindow
    from tests.ops_helpers import settle

    stats = StatsService(bank_col)
    runner = OpRunner()
    window = StatsWindow(stats, runner)
    runner.setParent(window)
    qtbot.addWidget(window)
    window.refresh()
    settle(qtbot)
    panel = window.readiness.held_out
    assert "not enough held-out answers" in panel.headline.text()
    assert "Take a full mock" in panel.headline.text()
    _take_mock(ExamService(bank_col), right=0.9, seed=8)
    window.refresh()
    settle(qtbot)
    text = panel.headline.text()
    assert "Pass chance ≈" in text and "(estimate)" in text and "100 answers" in text
    assert "estimate" in panel.assumptions.text().lower() and not panel.how.is_open  # folded
    shown = report_json(window.report)["held_out_readiness"]
    assert f"{shown['pass_probability']:.0%}" in text
    assert 0.01 <= shown["pass_probability"] <= 0.99


def test_held_out_cards_are_never_flashcards_and_no_count_includes_them(
    bank_col: Collection,
) -> None:
    from dataclasses import replace

    from cehrs_cards.core.records import Rating
    from cehrs_cards.services.info import collection_info, deck_rows
    from cehrs_cards.services.review import ReviewService

    bank_col.save_settings(replace(bank_col.settings(), new_per_day=9999))
    review = ReviewService(bank_col)
    with bank_col.read() as s:
        held = bank(s).ids
    studyable = 5 * STUDIED_MCQ
    info = collection_info(review)
    assert info["cards"] == studyable and info["new"] == studyable
    assert sum(r.total for r in deck_rows(review) if r.depth == 0) == studyable
    assert sum(review.plan().active.values()) == studyable
    shown: set[int] = set()
    while (card := review.next_card()) is not None and len(shown) < 400:
        shown.add(card.card_id)
        review.answer(card, Rating.EASY)
    assert len(shown) == studyable and not shown & held
