"""Regenerate every screenshot in docs/screens/: `.venv/bin/python docs/screenshots.py`.

Each window and dialog of the app (tests/ui/screens.py: the bundled deck studied for three
weeks, two mocks, an exam date) on a 1366x768 laptop screen, in light and dark, and at 150 %
scaling (QT_SCALE_FACTOR=1.5: the same screen is then 911x512 in Qt's units). Qt's offscreen
platform draws them, in a subprocess per screen setting, with the same check the tests make:
a window or control outside the screen is reported. `--only NAME...` limits the screens.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ui import screens  # noqa: E402
from tests.ui.fit_check import screen_config  # noqa: E402

OUT = ROOT / "docs" / "screens"
VARIANTS = (("light", 1.0, False), ("dark", 1.0, True), ("150", 1.5, False))
WIDTH, HEIGHT = 1366, 768


def shoot(data: Path, now: str, work: Path, only: list[str]) -> int:
    """Every variant in its own process; the number of windows that did not fit."""
    config = work / "screen.json"
    config.write_text(json.dumps(screen_config(WIDTH, HEIGHT)))
    bad = 0
    for suffix, scale, dark in VARIANTS:
        report = work / f"report-{suffix}.json"
        args = [sys.executable, "-m", "tests.ui.fit_check", str(data), now, str(work / suffix)]
        args += [str(report), "--shots", str(OUT), f"--suffix=-{suffix}"]
        args += ["--dark"] * dark + (["--only", *only] if only else [])
        (work / suffix).mkdir()
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
            "QT_SCALE_FACTOR": str(scale),
        }
        subprocess.run(args, cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)
        for name, result in json.loads(report.read_text())["screens"].items():
            for problem in result["problems"]:
                print(f"{name}-{suffix}: {problem}")
                bad += 1
    return bad


def shrink(paths: list[Path]) -> None:
    """256 colours without dithering: a third of the size, text as sharp (Pillow, a dev
    dependency)."""
    from PIL import Image

    for path in paths:
        image = Image.open(path).convert("RGB")
        flat = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        flat.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="screen names (tests/ui/screens)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        now = screens.build_collection(work / "collection").isoformat()
        bad = shoot(work / "collection", now, work, args.only)
    names = args.only or list(screens.SCREENS)
    shrink([OUT / f"{n}-{suffix}.png" for n in names for suffix, _s, _d in VARIANTS])
    print(f"saved {len(list(OUT.glob('*.png')))} screenshots in {OUT}; {bad} problems")


if __name__ == "__main__":
    main()
