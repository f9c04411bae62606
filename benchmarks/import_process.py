"""Import of a 20,000-note .apkg as whole processes: `cehrs-cards import` against a script
calling Anki's importer, started the same way, on the same file, in one run.

    .venv/bin/python benchmarks/import_process.py [--notes 20000] [--repeat 3] [--scheduling]

benchmarks/import_apkg.py times the import call alone; a user starts a process, so this
script times everything a process pays: the interpreter, the imports of each side's modules,
opening the collection, the import and the commit. Both collections exist before the clock
starts (ours after its first run, which loads the bundled deck; Anki's empty), so neither
side pays for creating one. Our modules are compiled first, as an installed copy's are
(`--source-only` leaves them as source); `--installed VENV` runs our side from a venv where
the wheel is installed, as a user runs it. It also prints where our start-up goes: the ten
slowest modules of `python -X importtime` for the same command, cumulative. The target
(issue 15): ours at most 2x Anki's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.import_apkg import build_package  # noqa: E402

ANKI_SCRIPT = """
import sys
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
col = Collection(sys.argv[1])
options = ImportAnkiPackageOptions(with_scheduling=sys.argv[3] == "1")
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[2], options=options))
print(col.card_count())
col.close()
"""


OURS_PYTHON = [sys.executable]
"""The interpreter our side runs with: this one, or --installed's (a venv with the wheel)."""


def ours_command(data: Path, apkg: Path, scheduling: bool) -> list[str]:
    cmd = [*OURS_PYTHON, "-m", "cehrs_cards", "--data-dir", str(data), "import", str(apkg)]
    return cmd + (["--scheduling"] if scheduling else [])


def anki_command(col: Path, apkg: Path, scheduling: bool) -> list[str]:
    return [sys.executable, "-c", ANKI_SCRIPT, str(col), str(apkg), "1" if scheduling else "0"]


def timed(cmd: list[str]) -> float:
    """Wall time of one process, from start to exit (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=tempfile.gettempdir())
    return time.perf_counter() - start


def fresh_pair(tmp: Path, run: int) -> tuple[Path, Path]:
    """Our data folder after its first run, and an empty Anki collection, made untimed."""
    data = tmp / f"ours-{run}"
    subprocess.run(
        [*OURS_PYTHON, "-m", "cehrs_cards", "--data-dir", str(data), "info"],
        check=True,
        capture_output=True,
        cwd=tempfile.gettempdir(),  # as the timed runs: never this checkout's modules
    )
    anki = tmp / f"anki-{run}" / "collection.anki2"
    anki.parent.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from anki.collection import Collection as C; C(sys.argv[1]).close()",
            str(anki),
        ],
        check=True,
        capture_output=True,
    )
    return data, anki


def slowest_imports(cmd: list[str], top: int = 10) -> list[tuple[float, str]]:
    """The `top` modules with the largest cumulative import time (ms) in one run of `cmd`."""
    done = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        if len(name) - len(name.lstrip()) == 1:  # imported by the program, not by a module
            rows.append((int(cumulative) / 1000, name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notes", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--scheduling", action="store_true", help="import the review history too")
    p.add_argument(
        "--source-only",
        action="store_true",
        help="leave our modules uncompiled (with PYTHONDONTWRITEBYTECODE set, every start "
        "then compiles them from source, which no installed copy does)",
    )
    p.add_argument(
        "--installed",
        type=Path,
        metavar="VENV",
        help="run our side with VENV's Python, where the wheel is installed (as a user has it; "
        "Anki's side keeps this Python, which has the anki package)",
    )
    args = p.parse_args()
    if args.installed is not None:
        OURS_PYTHON[:] = [str(args.installed / "bin" / "python")]
    elif not args.source_only:  # as installed: pip (and the bundle) ship compiled modules
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "cehrs_cards")])
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        apkg = tmp / "bench.apkg"
        build_package(apkg, args.notes)
        ours, anki = [], []
        for run in range(args.repeat):
            data, col = fresh_pair(tmp, run)
            ours.append(timed(ours_command(data, apkg, args.scheduling)))
            anki.append(timed(anki_command(col, apkg, args.scheduling)))
        data, _col = fresh_pair(tmp, args.repeat)
        startup = slowest_imports(ours_command(data, apkg, args.scheduling))
    o, a = statistics.median(ours), statistics.median(anki)
    print(f"notes: {args.notes:,}  scheduling: {args.scheduling}  (whole processes)")
    print(
        f"ours (median of {args.repeat}): {o:.2f} s   runs: {', '.join(f'{x:.2f}' for x in ours)}"
    )
    print(
        f"anki (median of {args.repeat}): {a:.2f} s   runs: {', '.join(f'{x:.2f}' for x in anki)}"
    )
    print(f"ratio ours/anki: {o / a:.2f}x  (target: <= 2x)")
    print("our slowest top-level imports (cumulative ms):")
    for ms, module in startup:
        print(f"  {ms:7.1f}  {module}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average (1, 5, 15 min) {load}")


if __name__ == "__main__":
    main()
