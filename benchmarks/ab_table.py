"""The benchmark table of this checkout against another checkout's, interleaved on one machine.

    .venv/bin/python benchmarks/ab_table.py OTHER_CHECKOUT [--rounds 3] [--out FILE]

Runs each checkout's own benchmarks/run.py (with that checkout's .venv) in turn, other then
this, `rounds` times, and prints every row's median over the rounds for both, with the
ratio. Timings on a shared machine drift by a third within an hour: a row of today's table
set against a table measured on another day compares the machines as much as the code;
rounds interleaved in one sitting compare the code.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def run_table(checkout: Path, out: Path) -> dict[str, list[float]]:
    """One run of `checkout`'s run.py; each row's numbers (from its result column)."""
    python = checkout / ".venv" / "bin" / "python"
    script = checkout / "benchmarks" / "run.py"
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    command = [str(python), str(script), "--out", str(out)]
    subprocess.run(command, cwd=checkout, check=True, capture_output=True, env=env)
    rows: dict[str, list[float]] = {}
    for line in out.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("measure", "---"):
            rows[cells[0]] = [float(n) for n in NUMBER.findall(cells[1].split("(")[0])]
    return rows


def medians(runs: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for name in runs[0]:
        values = [r[name] for r in runs if name in r and len(r[name]) == len(runs[0][name])]
        out[name] = [statistics.median(v[i] for v in values) for i in range(len(values[0]))]
    return out


def show(n: list[float]) -> str:
    return " / ".join(f"{x:g}" for x in n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("other", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    tmp = ROOT / "benchmarks" / "out"
    tmp.mkdir(parents=True, exist_ok=True)
    other_runs, ours_runs = [], []
    for i in range(args.rounds):
        other_runs.append(run_table(args.other.resolve(), tmp / f"ab-other-{i}.md"))
        ours_runs.append(run_table(ROOT, tmp / f"ab-ours-{i}.md"))
        print(f"round {i + 1} of {args.rounds} done", file=sys.stderr)
    other, ours = medians(other_runs), medians(ours_runs)
    lines = [
        f"Medians of {args.rounds} interleaved runs of each checkout's benchmarks/run.py.",
        "",
        "| measure | other checkout | this checkout | this / other |",
        "|---|---:|---:|---:|",
    ]
    for name, mine in ours.items():
        theirs = other.get(name)
        ratio = ""
        if theirs and len(theirs) == len(mine):
            ratio = " / ".join(f"{m / t:.2f}" for m, t in zip(mine, theirs, strict=True) if t)
        lines.append(f"| {name} | {show(theirs) if theirs else '-'} | {show(mine)} | {ratio} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
