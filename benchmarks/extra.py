"""Measurements of features that live in their own modules (mock exam, search, stats, import).

Each returns table rows; a feature not present yet is reported as not measured, never faked.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _present(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def feature_rows(col: Any, repeat: int) -> list[Any]:
    from benchmarks.run import Row

    rows = []
    for what, target, module in (
        ("Assemble a 125-item mock exam", "< 100 ms", "cehrs_cards.services.exams"),
        ("Browser text search", "< 100 ms", "cehrs_cards.services.browse"),
        ("Statistics view build", "", "cehrs_cards.services.stats"),
    ):
        rows.append(Row(what, "not measured (feature not built yet)", target, None))
        _ = module
    return rows


def import_rows() -> list[Any]:
    from benchmarks.run import Row

    script = ROOT / "benchmarks" / "import_apkg.py"
    if not script.exists():
        return [Row("Import a 20,000-note .apkg vs Anki", "not measured yet", "<= 2x Anki", None)]
    out = subprocess.run([sys.executable, str(script), "--json"], capture_output=True, text=True)
    try:
        data = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return [Row("Import a 20,000-note .apkg vs Anki", "failed to run", "<= 2x Anki", False)]
    ratio = float(data["ratio"])
    value = f"{data['ours_s']:.2f} s vs Anki {data['anki_s']:.2f} s = {ratio:.2f}x"
    return [Row("Import a 20,000-note .apkg vs Anki", value, "<= 2x Anki", ratio <= 2)]
