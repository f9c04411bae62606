"""ExamService on a real SQLite file: saving every action, resume after a real kill, history,
sending misses to review, practice blocks, and the CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from cehrs_cards.cli import main as cli_main
from cehrs_cards.core.clock import FakeClock
from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.core.exam import MOCK, TIMED, TUTOR, AttemptClosedError
from cehrs_cards.core.records import CardState
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import BlockSpec, ExamOptions, ExamService
from cehrs_cards.services.importing import import_package
from tests.conftest import T0
from tests.exam.conftest import MCQS_PER_DOMAIN, write_mcq_deck

WORKER = Path(__file__).with_name("crash_worker.py")


def _db(col: Collection) -> sqlite3.Connection:
    """A second, independent connection: sees only what was committed."""
    return sqlite3.connect(col.db_path)


def test_every_answer_and_flag_is_committed_at_once(exams, exam_col):
    att = exams.start_mock(seed=4).value
    con = _db(exam_col)
    assert con.execute("SELECT COUNT(*) FROM exam_item").fetchone()[0] == 125
    exams.select(att, 2)
    assert con.execute("SELECT choice FROM exam_item WHERE position = 0").fetchone()[0] == 2
    exams.toggle_flag(att)
    assert con.execute("SELECT flagged FROM exam_item WHERE position = 0").fetchone()[0] == 1
    exams.goto(att, 7)
    assert con.execute("SELECT current FROM exam_attempt").fetchone()[0] == 7
    deadline = con.execute("SELECT deadline FROM exam_attempt").fetchone()[0]
    assert deadline.startswith("2026-03-10 14:05:00")  # T0 + 125 minutes, stored


def test_form_follows_the_blueprint_and_hides_nothing_in_storage(exams, exam_col):
    att = exams.start_mock(seed=9).value
    scored = Counter(s.item.domain for s in att.slots if not s.pretest)
    assert scored == {d.id: d.scored_items for d in DOMAINS}
    assert sum(s.pretest for s in att.slots) == 25
    assert not any(s.item.generated for s in att.slots if not s.pretest)
    reloaded = exams.load(att.id)
    assert [(s.item, s.pretest) for s in reloaded.slots] == [(s.item, s.pretest) for s in att.slots]


def test_resume_after_a_real_kill_with_the_clock_as_it_stands(exam_col, tmp_path):
    data = exam_col.data_dir
    exam_col.close()
    proc = subprocess.run(
        [sys.executable, str(WORKER), str(data), "40"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -9 and "answered 40" in proc.stdout, proc.stderr
    clock = FakeClock(T0 + timedelta(minutes=50))
    col = Collection(data, clock=clock, tz=UTC)
    try:
        exams = ExamService(col)
        attempt_id = exams.unfinished()
        assert attempt_id is not None
        att = exams.resume(attempt_id).value
        assert att.finished is None and att.current == 40
        assert att.remaining(clock.now()) == timedelta(minutes=75)
        assert [s.choice for s in att.slots[:40]] == [i % 4 for i in range(40)]
        assert sum(s.flagged for s in att.slots) == 8
        clock.advance(timedelta(minutes=80))  # the deadline passes while closed again
        done = exams.resume(attempt_id).value
        assert done.finished == done.deadline and done.finish_reason == "time"
        assert exams.unfinished() is None
        assert exams.history()[0].correct == exams.report(done).correct
    finally:
        col.close()


def test_actions_after_the_deadline_submit_the_attempt(exams, clock):
    att = exams.start_mock(seed=1).value
    clock.advance(timedelta(minutes=125))
    with pytest.raises(AttemptClosedError, match="Time is up"):
        exams.select(att, 0)
    assert att.finished == att.deadline and exams.unfinished() is None


def test_later_mocks_prefer_items_not_seen_before(exams):
    first = exams.start_mock(seed=1).value
    exams.submit(first)
    seen = {s.item.card_id for s in first.slots}
    second = exams.start_mock(seed=2).value
    for d in DOMAINS:
        unseen_left = MCQS_PER_DOMAIN[d.id] - sum(
            1 for s in first.slots if s.item.domain == d.id and not s.item.generated
        )
        fresh = [
            s
            for s in second.slots
            if s.item.domain == d.id and not s.pretest and s.item.card_id not in seen
        ]
        assert len(fresh) == min(d.scored_items, unseen_left), d.name


def test_history_and_scaled_estimate(exams, clock):
    for target in (50, 80):
        att = exams.start_mock().value
        right = 0
        for i, slot in enumerate(att.slots):
            exams.goto(att, i)
            if not slot.pretest and right < target:
                exams.select(att, slot.item.answer)
                right += 1
        clock.advance(timedelta(minutes=30))
        rep = exams.submit(att).value
        assert rep.correct == target
    hist = exams.history()
    assert [h.correct for h in hist] == [50, 80]
    assert [round(h.scaled) for h in hist] == [336, 427]
    j = hist[1].to_json()
    assert j["passed"] and j["band"] == [412, 437] and j["seconds_used"] == 1800


def test_send_missed_to_review_takes_wrong_answers_and_blanks_only_when_asked(
    exams, exam_col, clock
):
    att = exams.start_mock(seed=3).value
    exams.select(att, att.slots[0].item.answer)  # right
    exams.goto(att, 1)
    exams.select(att, (att.slots[1].item.answer + 1) % 4)  # wrong; the other 123 blank
    exams.submit(att)
    clock.advance(timedelta(hours=2))
    result = exams.send_missed_to_review(att)
    assert result.changes.cards and result.undo is not None
    assert (result.value.cards, result.value.were_new) == (1, 1)
    wrong_card = att.slots[1].item.card_id
    con = _db(exam_col)
    assert con.execute("SELECT state FROM card WHERE state != 0").fetchall() == [(1,)]
    assert con.execute("SELECT id FROM card WHERE state != 0").fetchone()[0] == wrong_card
    assert result.undo.restore().cards  # undo, as the runner would run it
    assert con.execute("SELECT COUNT(*) FROM card WHERE state != 0").fetchone()[0] == 0
    result = exams.send_missed_to_review(att, include_blank=True)
    assert (result.value.cards, result.value.were_new) == (124, 124)
    rows = con.execute(
        "SELECT c.state, c.due FROM card c JOIN exam_item i ON i.card_id = c.id "
        "WHERE i.position > 0"
    ).fetchall()
    assert {r[0] for r in rows} == {CardState.LEARNING} and {r[1][:16] for r in rows} == {
        "2026-03-10 14:00"
    }
    first = con.execute("SELECT state FROM card WHERE id = ?", (att.slots[0].item.card_id,))
    assert first.fetchone()[0] == CardState.NEW  # answered right: untouched


def _mock_answering(exams, n: int, seed: int = 5):
    """A mock with its first `n` items answered (right), then submitted."""
    att = exams.start_mock(seed=seed).value
    for i in range(n):
        exams.goto(att, i)
        exams.select(att, att.slots[i].item.answer)
    exams.submit(att)
    return att


def test_an_abandoned_mock_is_incomplete_and_counts_only_if_the_candidate_says_so(exams):
    from cehrs_cards.services.stats import StatsService

    abandoned = _mock_answering(exams, 20, seed=5)  # 105 of 125 blank, as in issue 17
    full = _mock_answering(exams, 125, seed=6)
    assert exams.report(abandoned).incomplete and not exams.report(full).incomplete
    hist = exams.history()
    assert [(h.incomplete, h.counts) for h in hist] == [(True, False), (False, True)]
    assert hist[0].to_json()["incomplete"] is True

    def used() -> tuple[list[int], list[int]]:
        report = StatsService(exams.col).report()
        assert report.calibration is not None and report.readiness is not None
        return (
            [m.attempt_id for m in report.calibration.mocks],
            [m.attempt_id for m in report.readiness.mocks],
        )

    assert used() == ([full.id], [full.id])
    exams.set_counted(exams.load(abandoned.id), True)  # "count it anyway"
    assert exams.load(abandoned.id).extra["counted"] is True
    assert used() == ([abandoned.id, full.id], [abandoned.id, full.id])
    assert exams.history()[0].counts


def test_attempts_submitted_before_the_flag_are_judged_from_their_answers(exams, exam_col):
    abandoned = _mock_answering(exams, 30, seed=8)
    con = _db(exam_col)
    con.execute("UPDATE exam_attempt SET options = json_remove(options, '$.incomplete')")
    con.commit()
    assert "incomplete" not in exams.load(abandoned.id).extra
    assert exams.history()[0].incomplete
    from cehrs_cards.services.stats import StatsService

    calibration = StatsService(exam_col).report().calibration
    assert calibration is not None and calibration.mocks == ()


def test_same_fact_groups_from_the_deck_keep_two_items_of_a_fact_apart(col, tmp_path):
    """The groups a deck file gives its notes are stored on them at import and kept apart."""
    from cehrs_cards.interchange.native import write_native
    from tests.exam.conftest import mcq_note

    folder = write_mcq_deck(tmp_path / "deck", {d: n for d, n in MCQS_PER_DOMAIN.items()}, {})
    notes = [mcq_note(2, i) for i in range(MCQS_PER_DOMAIN[2])]
    for i, n in enumerate(notes[:20]):
        n.group = f"fact-{i // 2}"  # ten pairs of items on one fact each
    write_native(folder / "d2.toml", "Test::D2", [(n, "mcq") for n in notes])
    import_package(col, read_native(folder))
    group_of = {n.guid: n.group for n in notes if n.group}
    assert len(group_of) == 20
    exams = ExamService(col)
    for seed in range(12):
        form = exams.start_mock(seed=seed).value
        guids = [s.item.guid for s in form.slots]
        facts = [group_of[g] for g in guids if g in group_of]
        assert len(facts) == len(set(facts)), seed
        exams.submit(form)
    spec = BlockSpec(domains=(2,), size=45)
    assert exams.block_available(spec) == 35  # 25 lone items and 10 facts
    block = exams.start_block(spec, seed=1).value
    assert len(block.slots) == 35


def test_practice_block_filters_and_modes(exams, clock):
    spec = BlockSpec(domains=(4,), size=10, mode=TUTOR)
    block = exams.start_block(spec, seed=1).value
    assert block.deadline is None and {s.item.domain for s in block.slots} == {4}
    for i, slot in enumerate(block.slots):
        exams.goto(block, i)
        exams.select(block, slot.item.answer if i < 6 else (slot.item.answer + 1) % 4)
        if i == 0:
            exams.toggle_flag(block)
    exams.submit(block)
    wrong = {s.item.card_id for s in block.slots[6:]}
    assert exams.block_available(replace(spec, filters=("incorrect",))) == 4
    again = exams.start_block(replace(spec, filters=("incorrect",), mode=TIMED), seed=2).value
    assert {s.item.card_id for s in again.slots} == wrong
    assert again.deadline == clock.now() + timedelta(minutes=4)  # a minute per item
    exams.submit(again)
    only_flagged = replace(spec, filters=("flagged",))
    assert exams.block_available(only_flagged) == 1
    flagged = exams.start_block(only_flagged, seed=3).value
    assert [s.item.card_id for s in flagged.slots] == [block.slots[0].item.card_id]
    exams.submit(flagged)
    unused = exams.block_available(replace(spec, filters=("unused",)))
    assert unused == MCQS_PER_DOMAIN[4] - 10


def test_generated_items_from_cards_without_options(exams):
    spec = BlockSpec(domains=(3,), size=40, include_generated=True)
    block = exams.start_block(spec, seed=5).value
    gen = [s.item for s in block.slots if s.item.generated]
    assert len(gen) == 8
    for it in gen:
        assert it.options[it.answer].startswith("Answer 3-") and len(set(it.options)) == 4
        assert "Generated item" in it.explanation
    assert exams.block_available(replace(spec, include_generated=False)) == MCQS_PER_DOMAIN[3]


def test_options_are_saved_and_off_by_default(exams):
    assert exams.options() == ExamOptions(70, False, False, False)
    exams.save_options(ExamOptions(cut=66, allow_pause=True))
    att = exams.start_mock(seed=1).value
    assert att.cut == 66 and att.allow_pause and not att.allow_strike
    assert exams.load(att.id).allow_pause
    with pytest.raises(ValueError):
        exams.save_options(ExamOptions(cut=100))


def test_cli_prints_a_form_without_starting_a_clock_and_the_history(tmp_path, capsys):
    data = tmp_path / "data"
    col = Collection(data, clock=FakeClock(T0), tz=UTC)
    col.save_settings(replace(col.settings(), bundled_loaded=True))
    import_package(col, read_native(write_mcq_deck(tmp_path / "deck", MCQS_PER_DOMAIN, {})))
    col.close()
    assert cli_main(["--data-dir", str(data), "exam", "new", "--json", "--seed", "8"]) == 0
    form = json.loads(capsys.readouterr().out)
    assert cli_main(["--data-dir", str(data), "exam", "new", "--json", "--seed", "8"]) == 0
    assert json.loads(capsys.readouterr().out) == form  # same seed, same form
    assert form["seed"] == 8 and len(form["items"]) == 125
    assert form["scored_per_domain"] == {"1": 28, "2": 32, "3": 15, "4": 15, "5": 10}
    assert len(form["pretest_positions"]) == 25 and form["items"][0]["guid"].startswith("t-d")
    assert sqlite3.connect(data / "collection.sqlite").execute(
        "SELECT COUNT(*) FROM exam_attempt"
    ).fetchone() == (0,)
    col = Collection(data, clock=FakeClock(T0), tz=UTC)
    exams = ExamService(col)
    exams.submit(exams.start_mock(seed=8).value)
    col.close()
    assert cli_main(["--data-dir", str(data), "exam", "history", "--json"]) == 0
    hist = json.loads(capsys.readouterr().out)
    assert len(hist) == 1 and hist[0]["kind"] == MOCK and hist[0]["scaled"] == 200
