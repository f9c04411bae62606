"""The mock draw around the held-out pool reads only what it keeps: the pool wrappers pass the
ids they would drop anyway over unread (services/held_out_draw.py), and the forms are exactly
those of a source that reads every id it orders, with and without generated items, before and
after the pool is used up."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterator

import pytest

from cehrs_cards.core.exam_draw import Candidate
from cehrs_cards.interchange.package import Package
from cehrs_cards.services import exams as exams_module
from cehrs_cards.services.collection import Collection as Col
from cehrs_cards.services.exam_source import DbSource
from cehrs_cards.services.exams import ExamOptions, ExamService
from cehrs_cards.services.held_out import bank, held_out_ids
from cehrs_cards.services.importing import import_package
from tests.exam.conftest import basic_note
from tests.stats.test_held_out_readiness import _take_mock, bank_col  # noqa: F401

SOURCES: list[DbSource] = []


class Counted(DbSource):
    """The source as the app uses it, kept so a test can read how many notes it parsed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        SOURCES.append(self)


class ReadsAll(Counted):
    """The source as it was: every id of the order is read, wanted or not."""

    def ordered(
        self,
        domains: Collection[int] | None,
        rng: random.Random,
        *,
        generated: bool,
        wanted: Callable[[int], bool] | None = None,
    ) -> Iterator[Candidate]:
        return super().ordered(domains, rng, generated=generated)


def _assemble(
    exams: ExamService, monkeypatch: pytest.MonkeyPatch, source: type, seed: int, gen: bool
):
    with monkeypatch.context() as m:
        m.setattr(exams_module, "DbSource", source)
        form = exams.assemble(seed=seed, opts=ExamOptions(generated=gen))
    return form, SOURCES[-1].parsed


def test_passing_unwanted_ids_over_changes_no_form(bank_col: Col, monkeypatch):  # noqa: F811
    basics = [basic_note(d, i) for d in (1, 2, 3, 4, 5) for i in range(30)]
    import_package(bank_col, Package(notes=basics))  # option-less cards: generated items
    exams = ExamService(bank_col)
    saved = []
    for mocks_taken in range(4):  # the pool lasts two mocks: then studied items, then reuse
        for seed in (1, 2, 3):
            for gen in (False, True):
                form, parsed = _assemble(exams, monkeypatch, Counted, seed, gen)
                everything, parsed_all = _assemble(exams, monkeypatch, ReadsAll, seed, gen)
                assert form == everything
                assert parsed <= parsed_all
                if not gen:
                    saved.append(parsed_all - parsed)
                    assert form.diagnostic == (mocks_taken < 2)
        _take_mock(exams, right=0.7, seed=10 + mocks_taken)
    assert max(saved) > 0  # the held-out pass read fewer notes


def test_held_out_ids_are_the_bank_s(bank_col: Col):  # noqa: F811
    with bank_col.read() as s:
        ids = held_out_ids(s)
        assert ids and ids == bank(s).ids
