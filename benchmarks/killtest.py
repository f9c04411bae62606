"""Kill -9 the service layer at random moments during reviews and imports, then check the file.

    .venv/bin/python benchmarks/killtest.py [--runs 50] [--out docs/killtest.md]

Every run must leave a database that passes PRAGMA integrity_check, keeps every acknowledged
answer, and holds either all or none of an interrupted import.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import make_package  # noqa: E402
from cehrs_cards.services.collection import Collection  # noqa: E402
from cehrs_cards.services.importing import import_package  # noqa: E402

WORKER = ROOT / "benchmarks" / "kill_worker.py"
IMPORT_NOTES = 4000


@dataclass
class Outcome:
    mode: str
    acknowledged: int
    found: int
    integrity: str
    ok: bool


def prepare(template: Path, n_notes: int) -> float:
    """A collection with generous daily limits; returns how long importing IMPORT_NOTES takes."""
    col = Collection(template)
    import_package(col, make_package(n_notes, seed=7))
    col.save_settings(replace(col.settings(), new_per_day=100_000, reviews_per_day=100_000))
    col.close()
    probe = template.parent / "probe"
    col = Collection(probe)
    started = time.perf_counter()
    import_package(col, make_package(IMPORT_NOTES, prefix="probe"))
    col.close()
    shutil.rmtree(probe)
    return time.perf_counter() - started


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "ready":
        raise RuntimeError(f"worker did not start: {line!r}")


def run_review(template: Path, work: Path, rng: random.Random) -> Outcome:
    shutil.copytree(template, work)
    proc = _start(["review", str(work)])
    _wait_ready(proc)
    time.sleep(rng.uniform(0.05, 1.5))
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    acked = max([int(x) for x in out.split() if x.isdigit()], default=0)
    con = sqlite3.connect(work / "collection.sqlite")
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    found = con.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
    con.close()
    ok = integrity == "ok" and acked <= found <= acked + 1
    return Outcome("review", acked, found, integrity, ok)


def run_import(template: Path, work: Path, rng: random.Random, span: float) -> Outcome:
    shutil.copytree(template, work)
    con = sqlite3.connect(work / "collection.sqlite")
    before = con.execute("SELECT COUNT(*) FROM note").fetchone()[0]
    con.close()
    proc = _start(["import", str(work), str(IMPORT_NOTES)])
    _wait_ready(proc)
    time.sleep(rng.uniform(0.0, span * 1.5))  # some kills land after the commit
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    con = sqlite3.connect(work / "collection.sqlite")
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    added = con.execute("SELECT COUNT(*) FROM note").fetchone()[0] - before
    con.close()
    acked = IMPORT_NOTES if "imported" in out else 0
    ok = integrity == "ok" and added in (0, IMPORT_NOTES) and added >= acked
    return Outcome("import", acked, added, integrity, ok)


def run(runs: int, seed: int = 1) -> list[Outcome]:
    rng = random.Random(seed)
    base = Path(tempfile.mkdtemp(prefix="killtest-"))
    template = base / "template"
    span = prepare(template, 600)
    outcomes = []
    for i in range(runs):
        work = base / f"run{i}"
        if i % 3 == 2:
            outcomes.append(run_import(template, work, rng, span))
        else:
            outcomes.append(run_review(template, work, rng))
    shutil.rmtree(base, ignore_errors=True)
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    lines = [
        "| run | mode | acknowledged | found in database | integrity_check | result |",
        "|---:|---|---:|---:|---|---|",
    ]
    for i, o in enumerate(outcomes, 1):
        result = "ok" if o.ok else "**FAIL**"
        lines.append(
            f"| {i} | {o.mode} | {o.acknowledged} | {o.found} | {o.integrity} | {result} |"
        )
    passed = sum(o.ok for o in outcomes)
    lines.append(f"\n{passed} of {len(outcomes)} runs passed.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    outcomes = run(args.runs)
    text = report(outcomes)
    print(text)
    if args.out:
        header = (
            "# Kill test\n\nGenerated by `.venv/bin/python benchmarks/killtest.py --runs 50`.\n"
        )
        header += "For import runs, 'found' is the number of notes the interrupted import left.\n\n"
        args.out.write_text(header + text + "\n")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
