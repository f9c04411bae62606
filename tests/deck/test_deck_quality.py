"""The item-bank rules of `deck check`, case by case, and the format keys they read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cehrs_cards.interchange.deck_quality import GAPS, assess, mcq_patterns
from cehrs_cards.interchange.native import read_native_file
from cehrs_cards.interchange.package import DeckFormatError, NoteIn

TODAY = date(2026, 12, 6)
GOOD = {
    "Stem": "A claim comes back denied because the member's plan had ended. Which step was missed?",
    "A": "Running an eligibility check before the visit",
    "B": "Posting the copay at check-out",
    "C": "Adding modifier 25 to the office visit",
    "D": "Sending the claim on a paper form",
    "Answer": "A",
    "Explanation": "Eligibility is verified before the visit.",
}


def _mcq(level: str | None = "apply", waive: list[str] | None = None, **over: str) -> NoteIn:
    return NoteIn(
        "d1-elig-100",
        "Multiple choice",
        "D",
        GOOD | over,
        [],
        1,
        "1.eligibility",
        "easy",
        "X12 005010X279A1",
        level=level,
        waive=waive or [],
    )


def test_a_sound_item_raises_no_flag():
    assert mcq_patterns(GOOD) == []


def test_absolute_words_in_two_distractors_but_not_the_key_are_flagged():
    fields = GOOD | {"B": "Always posting the copay", "C": "Never adding a modifier"}
    assert [f for f, _ in mcq_patterns(fields)] == ["absolute"]
    # The same words in the key too: no longer a give-away.
    assert mcq_patterns(fields | {"A": "Always running an eligibility check"}) == []


def test_a_stem_word_only_the_key_repeats_is_flagged():
    fields = GOOD | {"A": "Checking the plan's dates before the visit"}
    flags = dict(mcq_patterns(fields))
    assert "plan" in flags["echo"]
    # A distractor that repeats the word too hides it.
    assert mcq_patterns(fields | {"B": "Posting the plan's copay at check-out"}) == []


def test_a_waiver_with_a_reason_moves_a_flag_aside():
    fields = {"A": "Checking the plan's dates before the visit"}
    q = assess([_mcq(waive=["echo: the plan is the subject of every option"], **fields)], TODAY)
    assert q.flags == [] and q.waived[0][1:] == ("echo", "the plan is the subject of every option")


def test_levels_application_share_and_unleveled_items():
    notes = [_mcq("apply"), _mcq("recall"), _mcq(None)]
    q = assess(notes, TODAY)
    assert (q.mcq, q.apply, len(q.unleveled)) == (3, 1, 1)
    problems = " ".join(q.problems())
    assert "application MCQs are 33%" in problems and "needs level" in problems


def test_sources_must_name_a_primary_authority_not_the_team_sheet():
    ok = _mcq()
    in_house = _mcq()
    in_house.guid, in_house.source = "d1-elig-101", "X12 270/271; CEHRS fact sheet"
    vague = _mcq()
    vague.guid, vague.source = "d1-elig-102", "common practice"
    assert assess([ok, in_house, vague], TODAY).no_primary == ["d1-elig-101", "d1-elig-102"]


def test_dated_facts_older_than_a_year_are_listed():
    fresh, old = _mcq(), _mcq()
    fresh.checked, old.guid, old.checked = date(2026, 6, 1), "d1-elig-103", date(2025, 11, 1)
    q = assess([fresh, old], TODAY)
    assert len(q.dated) == 2 and q.stale == [("d1-elig-103", date(2025, 11, 1))]


def test_gap_topics_count_application_items_by_tag():
    a, r = _mcq("apply"), _mcq("recall")
    a.tags = r.tags = ["telehealth"]
    q = assess([a, r], TODAY)
    assert q.gaps["telehealth"] == 1 and set(q.gaps) == set(GAPS)


def test_heldout_pool_size_and_blueprint():
    notes = []
    for i in range(150):
        n = _mcq()
        n.guid, n.heldout = f"d1-x-{i}", True
        notes.append(n)
    problems = " ".join(assess(notes, TODAY).problems())
    assert "held-out domain 2 is 0.0%" in problems
    assert "held-out pool has 1 MCQ" in " ".join(assess(notes[:1], TODAY).problems())


def _toml(tmp_path: Path, extra: str) -> Path:
    f = tmp_path / "d.toml"
    f.write_text(
        'format = 1\ndeck = "X"\n[[notes]]\nid = "d1-x-001"\ntype = "mcq"\ndomain = 1\n'
        'task = "1.roi"\ndifficulty = "easy"\nsource = "45 CFR 164.524"\n'
        'stem = "s"\noptions = ["a", "b", "c", "d"]\nanswer = "A"\nexplanation = "e"\n' + extra
    )
    return f


def test_format_reads_the_item_bank_keys(tmp_path: Path):
    extra = (
        'group = "roi-access-deadline"\nheldout = true\nlevel = "apply"\n'
        'checked = 2026-11-30\nwaive = ["echo: names the form"]\n'
    )
    (n,) = read_native_file(_toml(tmp_path, extra))
    assert (n.group, n.heldout, n.level, n.checked) == (
        "roi-access-deadline",
        True,
        "apply",
        date(2026, 11, 30),
    )
    assert n.waive == ["echo: names the form"]


@pytest.mark.parametrize(
    "extra",
    [
        'group = "Has Spaces"\n',
        'heldout = "yes"\n',
        'level = "analysis"\n',
        'checked = "last week"\n',
        "waive = [1]\n",
    ],
)
def test_format_refuses_mistyped_item_bank_keys(tmp_path: Path, extra: str):
    with pytest.raises(DeckFormatError):
        read_native_file(_toml(tmp_path, extra))


def test_a_united_states_code_citation_is_a_primary_source():
    n = _mcq()
    n.source = "42 U.S.C. 1320d-6 (wrongful disclosure)"
    assert assess([n], TODAY).no_primary == []


def test_a_group_of_one_is_a_problem():
    a, b = _mcq(), _mcq()
    a.group, b.guid, b.group = "roi-deadline", "d1-elig-101", "roi-deadline"
    assert not [p for p in assess([a, b], TODAY).problems() if "group" in p]
    assert any("group roi-deadline has one item" in p for p in assess([a], TODAY).problems())
