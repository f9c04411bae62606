"""The statistics report, timed A/B against another checkout, and dumped for comparison.

    python benchmarks/stats_ab.py ab --old-root /tmp/base1127 --old-data OLD --new-data NEW
        [--rounds 5]
    python benchmarks/stats_ab.py dump DATA OUT.pickle       # the report at a fixed moment
    python benchmarks/stats_ab.py same A.pickle B.pickle     # equal records (floats to 1e-9)

`ab` alternates the two codes in fresh processes (old, new, old, new ...: on a shared machine
drift hits both alike) and prints each one's median of the first report() in a process and
of a second one right after it, in seconds taken and in CPU seconds (steadier than the clock
on a machine shared with other work). Each checkout runs with its own .venv and its own copy of the
collection (the old code may need the old schema); `--old-data`/`--new-data` are opened in
place, so pass copies.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import pickle
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MOMENT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

_TIMED = """
import sys, time
from pathlib import Path
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.stats import StatsService
col = Collection(Path(sys.argv[1]), full_check=False)
took = []
for _ in range(2):
    started, cpu = time.perf_counter(), time.process_time()
    StatsService(col).report()
    took += [time.perf_counter() - started, time.process_time() - cpu]
col.close()
print(*took)
"""


def _timed(root: Path, data: Path) -> list[float]:
    """report() twice in a fresh process of checkout `root`: seconds taken and CPU seconds
    of the first, then of the second."""
    python = root / ".venv" / "bin" / "python"
    out = subprocess.run(
        [str(python), "-c", _TIMED, str(data)],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [float(x) for x in out]


LABELS = ("first", "first CPU", "second", "second CPU")


def ab(old_root: Path, old_data: Path, new_data: Path, rounds: int) -> None:
    runs: dict[str, list[list[float]]] = {"old": [], "new": []}
    for i in range(rounds):
        for name, root, data in (("old", old_root, old_data), ("new", ROOT, new_data)):
            runs[name].append(_timed(root, data))
            shown = ", ".join(f"{k} {v:.2f} s" for k, v in zip(LABELS, runs[name][-1], strict=True))
            print(f"round {i + 1} {name}: {shown}", flush=True)
    med = {n: [statistics.median(x[j] for x in r) for j in range(4)] for n, r in runs.items()}
    for n, m in med.items():
        shown = ", ".join(f"{k} {v:.2f} s" for k, v in zip(LABELS, m, strict=True))
        print(f"{n} (median of {rounds}): {shown}")
    ratios = (f"{k} {a / b:.2f}" for k, a, b in zip(LABELS, med["new"], med["old"], strict=True))
    print("new/old: " + ", ".join(ratios))


def dump(data: Path, out: Path) -> None:
    """The whole report and the raw calibration sums at MOMENT (UTC), pickled as plain data."""
    sys.path.insert(0, str(ROOT))
    from cehrs_cards.core.clock import FakeClock
    from cehrs_cards.db import stats_queries as q
    from cehrs_cards.services.collection import Collection
    from cehrs_cards.services.stats import CALIBRATION_DAYS, StatsService

    col = Collection(data, clock=FakeClock(MOMENT), tz=UTC, full_check=False)
    service = StatsService(col)
    m = service.moment()
    started = time.perf_counter()
    report = dataclasses.asdict(service.report())
    print(f"report: {time.perf_counter() - started:.2f} s")
    since = m.days_ago(CALIBRATION_DAYS - 1)
    with col.read() as s:
        tests, groups = q.recall_tests(s, m.shiftd, since, m.curve)
    raw = {
        "groups": sorted(
            (dataclasses.astuple(g) for g in groups),
            key=lambda g: [(x is None, x or 0) for x in g],
        ),
        "tests": tests,
    }
    col.close()
    out.write_bytes(pickle.dumps({"report": report, "raw": raw}))


def _diff(a: Any, b: Any, at: str, out: list[str]) -> None:
    if isinstance(a, float) and isinstance(b, float):
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
            out.append(f"{at}: {a!r} != {b!r}")
    elif isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        for k in a:
            _diff(a[k], b[k], f"{at}.{k}", out)
    elif isinstance(a, list | tuple) and type(a) is type(b) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{at}[{i}]", out)
    elif a != b or type(a) is not type(b):
        out.append(f"{at}: {a!r} != {b!r}")


def same(a: Path, b: Path) -> None:
    out: list[str] = []
    _diff(pickle.loads(a.read_bytes()), pickle.loads(b.read_bytes()), "", out)
    print("\n".join(out[:40]) or "equal")
    sys.exit(1 if out else 0)


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("ab")
    a.add_argument("--old-root", type=Path, required=True)
    a.add_argument("--old-data", type=Path, required=True)
    a.add_argument("--new-data", type=Path, required=True)
    a.add_argument("--rounds", type=int, default=5)
    d = sub.add_parser("dump")
    d.add_argument("data", type=Path)
    d.add_argument("out", type=Path)
    c = sub.add_parser("same")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args()
    if args.cmd == "ab":
        ab(args.old_root, args.old_data, args.new_data, args.rounds)
    elif args.cmd == "dump":
        dump(args.data, args.out)
    else:
        same(args.a, args.b)


if __name__ == "__main__":
    main()
