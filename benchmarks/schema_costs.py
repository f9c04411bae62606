"""What each part of the schema costs and buys, on a heavy collection (issue 22).

    .venv/bin/python benchmarks/schema_costs.py DATA_DIR [--repeat 5]

DATA_DIR holds a collection made by benchmarks/generate.py (100,000 cards, 1,000,000
review-log rows). Prints, as Markdown:

1. the size of every table and index (SQLite's dbstat);
2. for every plain index of the big tables (the review log's, the card table's three, the
   notes' by note type), the time of the queries that read through it, with the index and
   without it (on a copy of the collection; a query still running after CAP_SECONDS is
   stopped and shown as "> 30 s");
3. the held-out pool: the study queue's and the deck list's queries with and without
   CardScope.skip_held_out (db/queue.py), after marking 300 notes held out (on a copy).

Medians of `repeat` runs, in milliseconds; the machine's load moves them.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cehrs_cards.db import queue, stats_queries  # noqa: E402
from cehrs_cards.services.browse import BrowseService  # noqa: E402
from cehrs_cards.services.browse_info import card_info  # noqa: E402
from cehrs_cards.services.collection import Collection  # noqa: E402
from cehrs_cards.services.optimise import load_histories  # noqa: E402
from cehrs_cards.services.review import ReviewService  # noqa: E402
from cehrs_cards.services.scheduling import history_by_card  # noqa: E402

CAP_SECONDS = 30.0
"""A query still running after this long is stopped and reported as "> 30 s"."""


def ms(fn: Callable[[], object], repeat: int) -> float:
    """Median milliseconds of `repeat` runs, each in a forked child stopped at CAP_SECONDS
    (without its index a query may scan the log once per row: hours); inf if stopped."""
    runs = []
    for _ in range(repeat):
        took = _capped(fn)
        runs.append(took)
        if took == float("inf"):
            break
    return statistics.median(runs)


def _capped(fn: Callable[[], object]) -> float:
    ctx = multiprocessing.get_context("fork")  # the child inherits `fn` (a closure)
    out = ctx.Queue()

    def child() -> None:
        started = time.perf_counter()
        fn()
        out.put((time.perf_counter() - started) * 1000)

    proc = ctx.Process(target=child)
    proc.start()
    proc.join(CAP_SECONDS)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return float("inf")
    return float(out.get(timeout=5))


def _fmt(value: float) -> str:
    return f"> {CAP_SECONDS:.0f} s" if value == float("inf") else f"{value:.1f} ms"


def sizes(db: Path) -> list[tuple[str, float]]:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT name, SUM(pgsize) / 1048576.0 FROM dbstat GROUP BY name ORDER BY 2 DESC"
    ).fetchall()
    con.close()
    return [(str(n), float(mb)) for n, mb in rows if mb >= 0.05]


def log_queries(col: Collection, repeat: int) -> dict[str, float]:
    """Every reader of the review log, timed once each way."""
    review = ReviewService(col)
    browse = BrowseService(col)
    w = review.window()
    with col.read() as s:
        busiest = (
            s.connection()
            .exec_driver_sql(
                "SELECT card_id FROM revlog GROUP BY card_id ORDER BY COUNT(*) DESC LIMIT 1"
            )
            .scalar()
        )
        some = [r[0] for r in s.connection().exec_driver_sql("SELECT id FROM card LIMIT 2000")]
    month = review.col.now()
    shiftd = 0.5
    out: dict[str, float] = {}

    def read(fn: Callable[[Any], object]) -> Callable[[], object]:
        def run() -> object:
            with col.read() as s:
                return fn(s)

        return run

    out["card info (busiest card)"] = ms(lambda: card_info(col, int(busiest)), repeat)
    out["daily counts: done today (per answer)"] = ms(
        read(lambda s: queue.done_today(s, w)), repeat
    )
    out["daily counts: new cards at day start"] = ms(
        read(lambda s: queue.new_at_day_start(s, w)), repeat
    )
    out["daily counts: new cards per day, 7 days"] = ms(
        read(lambda s: queue.new_per_day(s, w, 7)), repeat
    )
    since = month.replace(year=month.year - 1)
    out["statistics: answers by day, a year"] = ms(
        read(lambda s: stats_queries.answers_by_day(s, shiftd, since, stats_queries.Scope())), 1
    )
    curve = (-0.1542, 0.9803)
    out["statistics: recall tests and calibration, a year"] = ms(
        read(lambda s: stats_queries.recall_tests(s, shiftd, since, curve)), 1
    )
    out["rescheduling: 2,000 cards' histories"] = ms(read(lambda s: history_by_card(s, some)), 1)
    out["optimiser: every card's history"] = ms(lambda: load_histories(col), 1)
    out["search rated:7"] = ms(lambda: browse.search("rated:7"), repeat)
    out["search introduced:30"] = ms(lambda: browse.search("introduced:30"), 1)
    return out


def card_queries(col: Collection, repeat: int) -> dict[str, float]:
    """The study queue's and the browser's readers of the card table (its three indexes)."""
    w = ReviewService(col).window()
    browse = BrowseService(col)
    out: dict[str, float] = {}
    for name, run in _queue_queries(w).items():

        def query(r: Callable[[Any, queue.CardScope], object] = run) -> object:
            with col.read() as s:
                return r(s, queue.CardScope())

        out[name] = ms(query, repeat)
    out["search is:due"] = ms(lambda: browse.search("is:due"), repeat)
    out["search domain:2 is:review"] = ms(lambda: browse.search("domain:2 is:review"), repeat)
    return out


def note_queries(col: Collection, repeat: int) -> dict[str, float]:
    """Readers of notes by note type."""
    browse = BrowseService(col)
    return {
        "search note:Basic": ms(lambda: browse.search("note:Basic"), repeat),
        'search note:"Multiple choice"': ms(
            lambda: browse.search('"note:Multiple choice"'), repeat
        ),
    }


INDEXES: dict[str, Callable[[Collection, int], dict[str, float]]] = {
    "ix_revlog_card": lambda col, n: log_queries(col, n),
    "ix_card_queue": card_queries,
    "ix_card_domain": card_queries,
    "ix_card_due": card_queries,
    "ix_note_notetype": note_queries,
}
"""Every plain index of the big tables, with the queries that read through it."""


def with_and_without(data: Path, index: str, repeat: int) -> list[tuple[str, float, float]]:
    """The index's queries on a copy of the collection with it, and on one without it."""
    queries = INDEXES[index]
    results = []
    for drop in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "d"
            shutil.copytree(data, copy, ignore=shutil.ignore_patterns("*.lock", "backups"))
            if drop:
                con = sqlite3.connect(copy / "collection.sqlite")
                con.execute(f"DROP INDEX {index}")
                con.commit()
                con.close()
            col = Collection(copy, full_check=False)
            results.append(queries(col, repeat))
            col.close()
    return [(k, results[0][k], results[1][k]) for k in results[0]]


def heldout_costs(data: Path, repeat: int) -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "d"
        shutil.copytree(data, copy, ignore=shutil.ignore_patterns("*.lock", "backups"))
        con = sqlite3.connect(copy / "collection.sqlite")
        con.execute("UPDATE note SET heldout = 1 WHERE id IN (SELECT id FROM note"
                    " ORDER BY (id * 7919) % 100003 LIMIT 300)")  # fmt: skip
        con.commit()
        con.close()
        col = Collection(copy, full_check=False)
        w = ReviewService(col).window()
        out = []
        for name, run in _queue_queries(w).items():
            with col.read() as s:
                plain = ms(lambda r=run, s=s: r(s, queue.CardScope(skip_held_out=False)), repeat)
                left_out = ms(lambda r=run, s=s: r(s, queue.CardScope()), repeat)
            out.append((name, plain, left_out))
        col.close()
    return out


def _queue_queries(w: queue.DayWindow) -> dict[str, Callable[[Any, queue.CardScope], object]]:
    return {
        "deck list counts (by deck)": lambda s, f: queue.counts_by(s, w, "deck_id", f),
        "deck list counts (by domain)": lambda s, f: queue.counts_by(s, w, "domain", f),
        "next learning card": lambda s, f: queue.next_learning(s, w, f, w.now),
        "next reviews (batch of 200)": lambda s, f: queue.review_batch(s, w, f, 200),
        "next new card per domain": lambda s, f: queue.first_new_per_domain(s, w, f),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", type=Path)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--index", action="append", choices=list(INDEXES), help="only these")
    args = p.parse_args()
    Collection(args.data_dir).close()  # the current schema first
    print("| table or index | MB |\n|---|---:|")
    for name, mb in sizes(args.data_dir / "collection.sqlite"):
        print(f"| {name} | {mb:.1f} |")
    for index in args.index or list(INDEXES):
        print(f"\n| query reading through {index} | with it | without it |\n|---|---:|---:|")
        for name, a, b in with_and_without(args.data_dir, index, args.repeat):
            print(f"| {name} | {_fmt(a)} | {_fmt(b)} |", flush=True)
    print("\n| study queue query (300 held-out notes) | all cards | held-out left out |")
    print("|---|---:|---:|")
    for name, a, b in heldout_costs(args.data_dir, args.repeat):
        print(f"| {name} | {a:.2f} ms | {b:.2f} ms |")


if __name__ == "__main__":
    main()
