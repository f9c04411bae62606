"""A/B the deck-list counts and the mock assembly against another checkout, interleaved.

    .venv/bin/python benchmarks/ab_counts.py OLD_ROOT OLD_DATA NEW_DATA [--rounds 6]

Each round runs one subprocess per side (old first, then ours), each measuring exactly as
benchmarks/run.py does: the median of 20 calls of deck_rows + domain_counts on one
ReviewService, and the median of ExamService.assemble over seeds 0-9. Medians of the rounds
are printed. OLD_ROOT is a checkout with its own .venv (e.g. an older commit); the machine's
noise cancels out because both sides run alternately in the same minutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = """
import json, statistics, sys, time
from pathlib import Path
from cehrs_cards.services import info
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.review import ReviewService

def median_ms(fn, runs):
    times = []
    for _ in runs:
        started = time.perf_counter()
        fn(_)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)

col = Collection(Path(sys.argv[1]), full_check=False)
review = ReviewService(col)
counts = median_ms(lambda _: (info.deck_rows(review), info.domain_counts(review)), range(20))
exams = ExamService(col)
mock = median_ms(lambda seed: exams.assemble(seed=seed), range(10))
col.close()
print(json.dumps({"counts": counts, "mock": mock}))
"""


def run(root: Path, data: Path) -> dict[str, float]:
    out = subprocess.run(
        [str(root / ".venv" / "bin" / "python"), "-c", MEASURE, str(data)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old_root", type=Path)
    parser.add_argument("old_data", type=Path)
    parser.add_argument("new_data", type=Path)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    got: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for i in range(args.rounds):
        got["old"].append(run(args.old_root, args.old_data))
        got["new"].append(run(ROOT, args.new_data))
        print(f"round {i + 1}: old {got['old'][-1]}  new {got['new'][-1]}", flush=True)
    for what in ("counts", "mock"):
        old = statistics.median(r[what] for r in got["old"])
        new = statistics.median(r[what] for r in got["new"])
        print(f"{what}: old {old:.1f} ms, new {new:.1f} ms (new/old {new / old:.2f})")


if __name__ == "__main__":
    main()
