"""A short run of benchmarks/killtest.py: kill -9 during reviews and an import, check the file.

The full 50-run version is `.venv/bin/python benchmarks/killtest.py --runs 50`.
"""

from __future__ import annotations

import sys

import pytest

from benchmarks import killtest

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")]


def test_kill_during_reviews_and_import_loses_nothing_acknowledged():
    outcomes = killtest.run(6, seed=3)
    assert {o.mode for o in outcomes} == {"review", "import"}
    assert any(o.acknowledged > 0 for o in outcomes if o.mode == "review")
    bad = [o for o in outcomes if not o.ok]
    assert bad == [], killtest.report(outcomes)
