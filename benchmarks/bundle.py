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
import resource
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


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_to_ready(data: Path, cold: bool) -> tuple[float, bool, float]:
    """Seconds from launch to "ready", whether the cache was really dropped, and the CPU
    seconds the app used from launch to exit (a figure other processes' load hardly moves)."""
    dropped = drop_caches() if cold else False
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEHRS_CARDS_")}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    cpu = cpu_seconds()
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
    return elapsed, dropped, cpu_seconds() - cpu


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
        first, _, _ = time_to_ready(data, cold=True)
        print(f"first start (imports the bundled deck): {first:.2f} s")
        runs = [time_to_ready(data, cold=True) for _ in range(args.runs)]
        warm = [time_to_ready(data, cold=False) for _ in range(args.runs)]
    kind = "cold (page cache dropped)" if all(r[1] for r in runs) else "cache not dropped"
    where = "X11 window" if os.environ.get("DISPLAY") else "offscreen"
    load = os.getloadavg()[0]
    print(f"start to interactive window ({where}, {args.runs} runs each, load {load:.1f}):")
    for label, rs in ((kind, runs), ("warm", warm)):
        times, cpu = [r[0] for r in rs], [r[2] for r in rs]
        print(
            f"  {label}: median {statistics.median(times):.2f} s, max {max(times):.2f} s; "
            f"CPU launch to exit median {statistics.median(cpu):.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
