"""The bundled deck's quality gate, and the validator's own rules case by case."""

from __future__ import annotations

from pathlib import Path

import pytest

from cehrs_cards.core.domains import DOMAINS, TASK_AREAS
from cehrs_cards.interchange.deck_check import check_deck, coverage_table, note_problems
from cehrs_cards.interchange.native import read_native
from cehrs_cards.interchange.package import NoteIn
from cehrs_cards.services.bundled import bundled_deck_dir


@pytest.fixture(scope="module")
def report():
    return check_deck(bundled_deck_dir())


def test_bundled_deck_passes_the_validator(report):
    assert report.problems == []


def test_bundled_deck_size_and_coverage(report):
    mcq = [n for n in report.notes if n.notetype == "Multiple choice"]
    assert len(report.notes) >= 900 and len(mcq) >= 600
    for d in DOMAINS:
        share = sum(n.domain == d.id for n in report.notes) / len(report.notes)
        assert abs(share - d.weight) <= 0.01
        assert sum(n.domain == d.id for n in mcq) >= 3 * d.scored_items
    assert {n.task for n in report.notes} == {t.id for t in TASK_AREAS}
    assert "| **all** |" in coverage_table(report)


def test_every_bundled_note_has_its_metadata(report):
    for n in report.notes:
        assert n.guid.startswith(f"d{n.domain}-")
        assert n.difficulty in {"easy", "medium", "hard"} and n.source


def test_bundled_deck_reads_as_a_package():
    pkg = read_native(bundled_deck_dir())
    assert len({n.guid for n in pkg.notes}) == len(pkg.notes)


def _mcq(**over: str) -> NoteIn:
    fields = {
        "Stem": "Which form does a physician office use to bill professional services?",
        "A": "CMS-1500",
        "B": "UB-04",
        "C": "CMS-1450",
        "D": "ADA claim form",
        "Answer": "A",
        "Explanation": "Professional claims use the CMS-1500.",
    } | over
    return NoteIn("d3-x-001", "Multiple choice", "D", fields, [], 3, "3.claims", "easy", "CMS")


def test_validator_accepts_a_good_item():
    assert note_problems(_mcq()) == []


@pytest.mark.parametrize(
    ("over", "problem"),
    [
        ({"B": "cms-1500"}, "distinct"),
        ({"Stem": "The CMS-1500 professional claim form is used by whom?"}, "gives the answer"),
        ({"Explanation": ""}, "explanation is empty"),
        ({"D": "None of the above"}, "not allowed"),
        ({"Stem": "Which? <script>x()</script>"}, "sanitiser"),
        ({"Why A": "right", "Why B": ""}, "rationales"),
    ],
)
def test_validator_rejects_bad_items(over, problem):
    assert any(problem in p for p in note_problems(_mcq(**over)))


def test_validator_checks_domain_task_and_metadata():
    bad = NoteIn(
        "BAD ID", "Basic", "D", {"Front": "f", "Back": "b"}, [], 2, "3.claims", "trivial", ""
    )
    problems = " ".join(note_problems(bad))
    for expected in ("id must be", "task '3.claims'", "difficulty", "source is missing"):
        assert expected in problems


def test_validator_finds_duplicates_and_blueprint_drift(tmp_path: Path):
    text = 'format = 1\ndeck = "X"\n'
    for i in range(3):
        text += (
            f'[[notes]]\nid = "d1-dup-00{i % 2}"\ntype = "basic"\ndomain = 1\n'
            'task = "1.scheduling"\ndifficulty = "easy"\nsource = "s"\n'
            f'front = "What scheduling method books patients in waves at the top of hour {i}?"\n'
            'back = "Wave scheduling"\n'
        )
    (tmp_path / "d.toml").write_text(text)
    report = check_deck(tmp_path)
    joined = " ".join(report.problems)
    assert "id used more than once" in joined
    assert "near-duplicate prompts" in joined
    assert "domain 2 is 0.0% of notes" in joined
    assert "needs at least 900" in joined
