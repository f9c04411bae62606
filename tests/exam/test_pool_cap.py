"""A mock on a big collection reads only a capped sample of option-less cards per domain."""

from __future__ import annotations

from cehrs_cards.interchange.native import read_native
from cehrs_cards.interchange.package import Package
from cehrs_cards.services.exam_pool import build_pool
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.importing import import_package
from tests.exam.conftest import MCQS_PER_DOMAIN, basic_note, write_mcq_deck


def test_generated_candidates_are_capped_and_the_form_is_still_whole(col, tmp_path):
    import_package(col, read_native(write_mcq_deck(tmp_path / "deck", MCQS_PER_DOMAIN, {})))
    import_package(col, Package(notes=[basic_note(d, i) for d in range(1, 6) for i in range(300)]))
    with col.read() as s:
        full = build_pool(s, generated=True, seen_kind="mock")
        capped = build_pool(s, generated=True, seen_kind="mock", generated_cap=40)
    count = lambda pool: sum(c.generated for c in pool.candidates)  # noqa: E731
    assert count(full) == 1500
    assert 0 < count(capped) <= 5 * 40
    assert [c for c in full.candidates if not c.generated] == [
        c for c in capped.candidates if not c.generated
    ]  # every MCQ is still there
    form = ExamService(col).assemble(seed=5)
    assert len(form.items) == 125 and sum(f.pretest for f in form.slots) == 25
    assert form == ExamService(col).assemble(seed=5)  # same seed, same state: same form
