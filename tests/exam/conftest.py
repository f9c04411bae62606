"""Exam fixtures: MCQ decks written in the native deck format by the real writer, then imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from cehrs_cards.core.exam import LETTERS
from cehrs_cards.interchange.native import read_native, write_native
from cehrs_cards.interchange.package import NoteIn
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.importing import import_package

MCQS_PER_DOMAIN = {1: 40, 2: 45, 3: 25, 4: 25, 5: 18}


def mcq_note(domain: int, i: int) -> NoteIn:
    key = LETTERS[i % 4]
    options = [f"D{domain} Q{i} option {x}" for x in LETTERS]
    return NoteIn(
        guid=f"t-d{domain}-mcq-{i:03d}",
        notetype="Multiple choice",
        deck=f"Test::D{domain}",
        fields={
            "Stem": f"Domain {domain} question {i}: which option is keyed {key}?",
            **dict(zip(LETTERS, options, strict=True)),
            "Answer": key,
            "Explanation": f"{key} is correct for question {i}.",
        },
        domain=domain,
    )


def basic_note(domain: int, i: int) -> NoteIn:
    return NoteIn(
        guid=f"t-d{domain}-basic-{i:03d}",
        notetype="Basic",
        deck=f"Test::D{domain}",
        fields={"Front": f"Basic question {i} of domain {domain}?", "Back": f"Answer {domain}-{i}"},
        domain=domain,
    )


def write_mcq_deck(folder: Path, per_domain: dict[int, int], basics: dict[int, int]) -> Path:
    """Write one TOML file per domain with the native writer; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for dom, n in per_domain.items():
        notes = [(mcq_note(dom, i), "mcq") for i in range(n)]
        notes += [(basic_note(dom, i), "basic") for i in range(basics.get(dom, 0))]
        write_native(folder / f"d{dom}.toml", f"Test::D{dom}", notes)
    return folder


@pytest.fixture
def exam_col(col: Collection, tmp_path: Path) -> Collection:
    """153 MCQs over the five domains plus 8 basic cards in domain 3, imported for real."""
    deck = write_mcq_deck(tmp_path / "deck", MCQS_PER_DOMAIN, {3: 8})
    import_package(col, read_native(deck))
    return col


@pytest.fixture
def exams(exam_col: Collection) -> ExamService:
    return ExamService(exam_col)
