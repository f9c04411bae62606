"""Where an .apkg import's time goes, against Anki's importer: writes docs/import-vs-anki.md.

    .venv/bin/python benchmarks/import_report.py [--notes 20000] [--repeat 5]

For three packages made by Anki itself (plain fields; fields with the markup Anki's editor
leaves; plain fields with review history imported too) it times our import and Anki's on
the same file (as benchmarks/import_apkg.py does), then splits our import into its stages by
timing the functions that make them up (the sum is checked against the whole): reading the
package, turning notes into rows (sanitising, search text, cards), the inserts, the search
index, rebuilding card indexes, and the commit (which includes SQLite's WAL checkpoint).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.import_apkg import build_package, time_anki  # noqa: E402
from cehrs_cards.db import import_rows, revlog  # noqa: E402
from cehrs_cards.services import importing, transfer  # noqa: E402
from cehrs_cards.services.collection import Collection  # noqa: E402

STAGES = [
    ("read", "opening the package (unzip, SQLite's check, note types and decks)"),
    (
        "rows",
        "notes and cards read from the package, a chunk at a time, and made into rows:"
        " checks, sanitising, sort and search text (Python)",
    ),
    ("fsrs", "FSRS memory state from each card's Anki scheduling (Anki copies its fields)"),
    ("note", "inserting notes"),
    ("fts", "filling the trigram search index (Anki has no such index)"),
    ("card", "inserting cards"),
    ("revlog", "inserting review history"),
    ("reindex", "rebuilding the card and review indexes once"),
    ("commit", "commit, with SQLite's WAL checkpoint of the new pages"),
    ("other", "the rest: backup before import, domain rules, set-up"),
]


class Timer:
    """Adds up wall time per stage while the wrapped functions run."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def add(self, stage: str, seconds: float) -> None:
        self.spent[stage] = self.spent.get(stage, 0.0) + seconds

    def wrap(self, stage: str | Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                name = stage(*args) if callable(stage) else stage
                self.add(name, time.perf_counter() - start)

        return timed


@contextlib.contextmanager
def instrumented(timer: Timer) -> Iterator[None]:
    """Wrap the import's stage functions for the duration (restored after).

    The import streams the package's notes a chunk at a time (issue 22), so reading them and
    making their rows are one stage ("rows"); the inserts are timed where they run."""
    originals = {
        (transfer, "read_file"): transfer.read_file,
        (transfer, "import_package"): transfer.import_package,
        (importing, "_write_notes"): importing._write_notes,
        (importing, "schedule_from_anki"): importing.schedule_from_anki,
        (import_rows, "_insert"): import_rows._insert,
        (import_rows, "_index"): import_rows._index,
        (import_rows, "indexes_deferred"): import_rows.indexes_deferred,
        (revlog, "stage"): revlog.stage,
        (revlog, "insert_staged"): revlog.insert_staged,
    }
    importing.schedule_from_anki = timer.wrap("fsrs", importing.schedule_from_anki)  # type: ignore[assignment]
    transfer.read_file = timer.wrap("read", transfer.read_file)  # type: ignore[assignment]
    import_rows._insert = timer.wrap(lambda _c, table, *_: table, import_rows._insert)  # type: ignore[assignment]
    import_rows._index = timer.wrap("fts", import_rows._index)  # type: ignore[assignment]
    revlog.stage = timer.wrap("revlog", revlog.stage)  # type: ignore[assignment]
    revlog.insert_staged = timer.wrap("revlog", revlog.insert_staged)  # type: ignore[assignment]
    deferred = originals[(import_rows, "indexes_deferred")]

    @contextlib.contextmanager
    def timed_deferred(*args: Any) -> Iterator[None]:
        inner = deferred(*args)
        inner.__enter__()
        yield
        start = time.perf_counter()
        inner.__exit__(None, None, None)
        timer.add("reindex", time.perf_counter() - start)

    import_rows.indexes_deferred = timed_deferred  # type: ignore[assignment]
    write_notes = originals[(importing, "_write_notes")]

    def timed_write_notes(*args: Any) -> None:
        write_notes(*args)
        timer.spent["_written_at"] = time.perf_counter()

    importing._write_notes = timed_write_notes  # type: ignore[assignment]
    package = transfer.import_package

    def timed_package(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = package(*args, **kwargs)
        end = time.perf_counter()
        timer.add("package", end - start)
        timer.add("commit", end - timer.spent.pop("_written_at"))
        return result

    transfer.import_package = timed_package  # type: ignore[assignment]
    try:
        yield
    finally:
        for (owner, name), fn in originals.items():
            setattr(owner, name, fn)


def stages_of_one(apkg: Path, scheduling: bool) -> dict[str, float]:
    timer = Timer()
    with tempfile.TemporaryDirectory() as tmp, instrumented(timer):
        col = Collection(Path(tmp) / "data")
        start = time.perf_counter()
        transfer.import_file(col, apkg, transfer.ImportOptions(with_scheduling=scheduling))
        total = time.perf_counter() - start
        col.close()
    s = timer.spent
    inserts = sum(s.get(k, 0.0) for k in ("note", "fts", "card", "revlog", "reindex"))
    s["rows"] = s["package"] - inserts - s["commit"] - s.get("fsrs", 0.0)
    s["other"] = total - s["read"] - s["package"]
    s["total"] = total
    return s


def measure(apkg: Path, scheduling: bool, repeat: int) -> dict[str, float]:
    runs = [stages_of_one(apkg, scheduling) for _ in range(repeat)]
    anki = [time_anki(apkg, scheduling)[0] for _ in range(repeat)]
    out = {k: statistics.median(r.get(k, 0.0) for r in runs) for k in runs[0]}
    out["anki"] = statistics.median(anki)
    return out


def report(results: dict[str, dict[str, float]], notes: int, repeat: int) -> str:
    names = list(results)
    lines = [
        "# Import vs Anki's importer: where the time goes",
        "",
        f"Measured by `.venv/bin/python benchmarks/import_report.py` ({notes:,} notes, medians",
        f"of {repeat} runs; each package made by Anki itself; each import into a new, empty",
        "collection). Stage times are medians too, so they need not add up exactly.",
        f"Machine: {os.cpu_count()} cores.",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
        "| **ours, whole import** | "
        + " | ".join(f"**{results[n]['total']:.2f} s**" for n in names)
        + " |",
        "| Anki's importer | " + " | ".join(f"{results[n]['anki']:.2f} s" for n in names) + " |",
        "| ratio | "
        + " | ".join(f"{results[n]['total'] / results[n]['anki']:.2f}x" for n in names)
        + " |",
        "| ratio without the search index | "
        + " | ".join(
            f"{(results[n]['total'] - results[n].get('fts', 0.0)) / results[n]['anki']:.2f}x"
            for n in names
        )
        + " |",
    ]
    for key, label in STAGES:
        if all(results[n].get(key, 0.0) < 0.0005 for n in names):
            continue  # a stage none of these imports has (review history: none here)
        cells = [f"{results[n].get(key, 0.0) * 1000:.0f} ms" for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Plain fields: a dozen words each side (Basic, Basic and reversed, Cloze). Editor markup:",
        "the same wrapped in the divs, bold, breaks, images and styled spans Anki's editor leaves,",
        "all sanitised on the way in. With scheduling: 60% of the cards given due dates by Anki's",
        "own scheduler, imported with --scheduling (each becomes an FSRS memory state). The search",
        "index is what makes the browser's text search take milliseconds on 100,000 notes.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notes", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "import-vs-anki.md")
    args = p.parse_args()
    cases = {"plain fields": (False, False), "editor markup": (True, False)}
    cases["with scheduling"] = (False, True)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (html, scheduling) in cases.items():
            apkg = Path(tmp) / f"{name.replace(' ', '-')}.apkg"
            build_package(apkg, args.notes, html=html)
            results[name] = measure(apkg, scheduling, args.repeat)
    text = report(results, args.notes, args.repeat)
    print(text)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
