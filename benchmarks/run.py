"""Measure speed and memory on a heavy collection and write docs/benchmarks.md.

    .venv/bin/python benchmarks/run.py [--cards 100000] [--reviews 1000000] [--repeat 5]

Generates the collection once (benchmarks/out/, reused), then measures medians of repeated runs.
Each figure is compared with its target from the performance issue.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import extra  # noqa: E402
from benchmarks.generate import generate  # noqa: E402
from cehrs_cards.interchange.native import read_native  # noqa: E402
from cehrs_cards.services import info  # noqa: E402
from cehrs_cards.services.collection import Collection  # noqa: E402
from cehrs_cards.services.importing import import_package  # noqa: E402
from cehrs_cards.services.review import ReviewService  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


@dataclass
class Row:
    what: str
    value: str
    target: str
    met: bool | None  # None: not measured


def add_bundled_deck(template: Path) -> None:
    """The heavy collection also holds the bundled deck, so mocks draw real MCQs."""
    col = Collection(template)
    import_package(col, read_native(ROOT / "decks" / "cehrs"))
    col.close()


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def fresh_copy(template: Path, name: str) -> Path:
    target = OUT / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("*.lock", "backups"))
    return target


def probe(data: Path, answers: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "probe_gui.py"), str(data), str(answers)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def measure(template: Path, repeat: int) -> list[Row]:
    rows = []
    colds = [float(probe(fresh_copy(template, "cold"), 0)["cold_start_s"]) for _ in range(repeat)]
    cold = statistics.median(colds)
    rows.append(
        Row("Cold start to an interactive main window", f"{cold:.2f} s", "< 1.5 s", cold < 1.5)
    )
    run = probe(fresh_copy(template, "answers"), 300)
    lat = sorted(run["answer_ms"])  # type: ignore[arg-type]
    p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
    rows.append(Row("Answer a card and show the next, p50", f"{p50:.1f} ms", "", None))
    rows.append(Row("Answer a card and show the next, p95", f"{p95:.1f} ms", "< 10 ms", p95 < 10))
    rapid = sorted(run["rapid_ms"])  # type: ignore[arg-type]
    r50, r95 = rapid[len(rapid) // 2], rapid[int(len(rapid) * 0.95)]
    rows.append(
        Row(
            "The same, answering the instant a card appears, p50 / p95",
            f"{r50:.1f} / {r95:.1f} ms",
            "",
            None,
        )
    )
    col = Collection(fresh_copy(template, "services"), full_check=False)
    review = ReviewService(col)
    deck_ms = median_ms(lambda: (info.deck_rows(review), info.domain_counts(review)), repeat * 4)
    rows.append(
        Row("Deck list counts (decks and domains)", f"{deck_ms:.1f} ms", "< 50 ms", deck_ms < 50)
    )
    rows.extend(extra.feature_rows(col, repeat))
    col.close()
    rss = float(run["peak_rss_mb"])  # type: ignore[arg-type]
    rows.append(Row("Peak RSS (GUI, 300 answers)", f"{rss:.0f} MB", "< 300 MB", rss < 300))
    size = (template / "collection.sqlite").stat().st_size / 2**20
    rows.append(Row("Database size on disk", f"{size:.0f} MB", "", None))
    rows.extend(extra.import_rows())
    return rows


def table(rows: list[Row], cards: int, reviews: int) -> str:
    lines = [
        f"Collection: {cards:,} cards, {reviews:,} review-log rows (benchmarks/generate.py).",
        "",
        "| measure | result | target | met |",
        "|---|---:|---|---|",
    ]
    marks = {True: "yes", False: "**no**", None: ""}
    lines += [f"| {r.what} | {r.value} | {r.target} | {marks[r.met]} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    template = OUT / f"heavy-{args.cards}-{args.reviews}"
    if not (template / "collection.sqlite").exists():
        shutil.rmtree(template, ignore_errors=True)
        generate(template, args.cards, args.reviews)
        add_bundled_deck(template)
    Collection(template).close()  # bring a reused collection up to the current schema first
    text = table(measure(template, args.repeat), args.cards, args.reviews)
    print(text)
    header = "# Benchmarks\n\nMeasured by `.venv/bin/python benchmarks/run.py`"
    header += " (medians of repeated runs).\n\n"
    args.out.write_text(header + text + "\n")


if __name__ == "__main__":
    main()
