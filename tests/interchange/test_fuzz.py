"""Importer fuzzing, short: mutated real packages may only import or be refused cleanly.

The long run is `.venv/bin/python benchmarks/fuzz_import.py --seconds 120 --save`; every case
it ever found is kept in tests/fixtures/fuzz/ and replayed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import fuzz_import

FOUND = sorted((Path(__file__).parents[1] / "fixtures" / "fuzz").glob("*.apkg"))


def test_fixed_seed_mutations_import_or_are_refused_cleanly(made):
    packages = [p.read_bytes() for p in made.values() if p.suffix == ".apkg"]
    counts = fuzz_import.fuzz(600, seed=11, save=False, max_cases=60, packages=packages)
    assert counts["FINDING"] == 0
    assert counts["ok"] > 0 and counts["refused"] > 0  # both paths were exercised


@pytest.mark.parametrize("case", FOUND, ids=lambda p: p.stem)
def test_every_saved_finding_is_now_handled(case, tmp_path):
    assert fuzz_import.run_case(case.read_bytes(), tmp_path / "w").kind != "FINDING"
