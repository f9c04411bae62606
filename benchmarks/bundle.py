"""The frozen app's size and start time (run `make bundle` first).

  .venv/bin/python benchmarks/bundle.py [--runs 5]

Size: the unpacked folder (what a user's disk holds) and the packed download. Start: from
launching dist/cehrs-cards/cehrs-cards until the main window takes input (the app's hidden
--quit-after-start prints "ready" from the first event-loop turn after the window is shown),
on a collection that already holds the bundled deck; the first run (which imports the deck)
is timed apart. With a DISPLAY the real X11 window is used, else Qt's offscreen platform.
As root the page cache is dropped before each run (a cold start, as after a reboot);
otherwise the figures are warm-cache starts and say so.
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
APP = ROOT / "dist" / "cehrs-cards"
BINARY = APP / "cehrs-cards"


def folder_mb(path: Path) -> float:
    total = sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())
    return total / 1e6


def drop_caches() -> bool:
    """Empty the page cache (root only), so the next start reads the app from disk."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def time_to_ready(data: Path, cold: bool) -> tuple[float, bool]:
    """Seconds from launch to "ready" (and whether the cache was really dropped)."""
    dropped = drop_caches() if cold else False
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEHRS_CARDS_")}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(BINARY), "--data-dir", str(data), "--quit-after-start"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=data.parent,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "ready":
            break
    elapsed = time.perf_counter() - start
    if proc.wait(timeout=120) != 0:
        raise SystemExit(f"the app exited with {proc.returncode}")
    return elapsed, dropped


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not BINARY.exists():
        raise SystemExit("no dist/cehrs-cards/cehrs-cards: run `make bundle` first")
    packed = sorted((ROOT / "dist").glob("cehrs-cards-*.tar.gz"))
    print(f"unpacked app folder: {folder_mb(APP):.0f} MB")
    if packed:
        print(f"download ({packed[-1].name}): {packed[-1].stat().st_size / 1e6:.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        first, _ = time_to_ready(data, cold=True)
        print(f"first start (imports the bundled deck): {first:.2f} s")
        runs = [time_to_ready(data, cold=True) for _ in range(args.runs)]
    times = [t for t, _ in runs]
    kind = "cold (page cache dropped)" if all(d for _, d in runs) else "warm cache"
    where = "X11 window" if os.environ.get("DISPLAY") else "offscreen"
    print(
        f"start to interactive window, {kind}, {where}, {args.runs} runs: "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
