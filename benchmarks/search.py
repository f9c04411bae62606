"""Time the browser's searches on a heavy collection (100,000 cards by default).

    .venv/bin/python benchmarks/generate.py DATA_DIR          # once, ~25 s
    .venv/bin/python benchmarks/search.py DATA_DIR [--repeat 9] [--gui] [--json]

Each query runs through the real service (parse, translate, SQLite) `repeat` times; the median
and worst are reported, with the time to fetch the first page of rows the table shows. --gui
also opens the real browser window offscreen and times opening, a search and scrolling to the
end. The synthetic notes use a 40-word vocabulary, so a single word matches ~40% of the cards:
the "common" rows are the worst case, real decks are far more selective.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cehrs_cards.services.browse import BrowseService
from cehrs_cards.services.collection import Collection

QUERIES = [
    ("text: rare word (unique number)", "12345?", "created"),
    ("text: two words", "breach audit", "created"),
    ("text: phrase", '"breach audit"', "created"),
    ("text: common word (40% of cards)", "breach", "created"),
    ("text: common word, sorted by recall", "breach", "retrievability"),
    ("text: word and a number", "downtime 999", "due"),
    ("text: negated word", "-breach", "created"),
    ("text: 2-letter (no index: scan)", "ab", "created"),
    ("text: wildcard", "rem*nce", "created"),
    ("field: front contains", "front:*999*", "created"),
    ("tag + domain", "tag:heavy domain:3", "created"),
    ("is:due, sorted by due", "is:due", "due"),
    ("prop:r<0.9", "prop:r<0.9", "retrievability"),
    ("rated:7", "rated:7", "created"),
    ("everything, by created", "", "created"),
    ("everything, by recall", "", "retrievability"),
]


def _time(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), max(runs)


def bench_queries(browse: BrowseService, repeat: int) -> list[dict[str, object]]:
    out = []
    for label, query, sort in QUERIES:
        ids = browse.search(query, sort)
        median, worst = _time(lambda q=query, s=sort: browse.search(q, s), repeat)
        rows_ms, _ = _time(lambda i=ids: browse.rows(i[:100]), repeat)
        out.append({"label": label, "query": query, "sort": sort, "hits": len(ids),
                    "median_ms": round(median, 1), "worst_ms": round(worst, 1),
                    "first_page_ms": round(rows_ms, 1)})  # fmt: skip
    return out


def bench_gui(col: Collection) -> dict[str, float]:
    """Open the real browser offscreen: window with every card, a search, scroll to the end."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from cehrs_cards.services.cards import CardService
    from cehrs_cards.services.notes import NotesService
    from cehrs_cards.ui.browser import BrowserWindow
    from cehrs_cards.ui.ops import OpRunner

    app = QApplication.instance() or QApplication([])
    runner = OpRunner()
    t = time.perf_counter()
    win = BrowserWindow(BrowseService(col), NotesService(col), CardService(col), runner)
    win.show()
    win.search("")
    app.processEvents()
    opened = time.perf_counter() - t
    t = time.perf_counter()
    win.search("breach audit")
    app.processEvents()
    searched = time.perf_counter() - t
    win.search("")
    t = time.perf_counter()
    win.table.scrollToBottom()
    app.processEvents()
    scrolled = time.perf_counter() - t
    t = time.perf_counter()
    win.table.selectAll()
    ids = win.selected_ids()
    selected = time.perf_counter() - t
    win.close()
    return {"open_all_cards_ms": opened * 1000, "search_ms": searched * 1000,
            "scroll_to_end_ms": scrolled * 1000, "select_all_ms": selected * 1000,
            "cards": len(ids), "pages_fetched": win.model.fetches}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--gui", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (args.data_dir / "collection.sqlite").exists():
        raise SystemExit(f"no collection in {args.data_dir}: run benchmarks/generate.py first")
    col = Collection(args.data_dir)
    try:
        report: dict[str, object] = {"queries": bench_queries(BrowseService(col), args.repeat)}
        if args.gui:
            report["gui"] = bench_gui(col)
    finally:
        col.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'search':40} {'hits':>7} {'median':>9} {'worst':>9} {'100 rows':>9}")
    for r in report["queries"]:  # type: ignore[attr-defined]
        print(f"{r['label']:40} {r['hits']:7} {r['median_ms']:7.1f}ms {r['worst_ms']:7.1f}ms"
              f" {r['first_page_ms']:7.1f}ms")  # fmt: skip
    for k, v in dict(report.get("gui", {})).items():  # type: ignore[call-overload]
        print(f"gui {k}: {v:.1f}" if isinstance(v, float) else f"gui {k}: {v}")


if __name__ == "__main__":
    main()
