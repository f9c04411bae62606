"""Instructions one import takes, counted by Valgrind: a figure the machine's load does not move.

    .venv/bin/python benchmarks/import_instructions.py [OTHER_CHECKOUT ...] [--notes 5000]
                                                        [--scheduling] [--html]

Wall times on a shared 2-core machine drift by a third within an hour, so two versions of
the import are hard to tell apart by timing them. Valgrind's cachegrind counts the
instructions a process runs, the same from one run to the next. This script builds one
package with Anki (as benchmarks/import_apkg.py does), then for this checkout and each
OTHER_CHECKOUT runs a process that opens an empty collection and imports the package, and
one that only opens the collection; the difference is the import's own instruction count.
Each checkout runs with its own code and this checkout's .venv (PYTHONHASHSEED fixed).

Needs valgrind (apt-get install valgrind); about 20 s per checkout at 5,000 notes.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.import_apkg import build_package  # noqa: E402

CHILD = """
import sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from cehrs_cards.services import transfer
from cehrs_cards.services.collection import Collection
with tempfile.TemporaryDirectory() as tmp:
    col = Collection(Path(tmp) / "data")
    if sys.argv[4] == "1":
        options = transfer.ImportOptions(with_scheduling=sys.argv[3] == "1")
        transfer.import_file(col, Path(sys.argv[2]), options)
    col.close()
"""
REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(checkout: Path, apkg: Path, scheduling: bool, run_import: bool) -> int:
    command = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
        sys.executable, "-c", CHILD, str(checkout), str(apkg), str(int(scheduling)),
        str(int(run_import)),
    ]  # fmt: skip
    env = os.environ | {"PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    found = REFS.search(done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("others", nargs="*", type=Path, help="other checkouts to count too")
    p.add_argument("--notes", type=int, default=5_000)
    p.add_argument("--scheduling", action="store_true", help="import the review history too")
    p.add_argument("--html", action="store_true", help="fields with editor markup")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        apkg = Path(tmp) / "bench.apkg"
        build_package(apkg, args.notes, html=args.html)
        for checkout in [ROOT, *args.others]:
            whole = instructions(checkout, apkg, args.scheduling, True)
            bare = instructions(checkout, apkg, args.scheduling, False)
            print(f"{(whole - bare) / 1e6:10,.0f} M instructions  {checkout}")


if __name__ == "__main__":
    main()
