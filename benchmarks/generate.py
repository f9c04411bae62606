"""Generate a heavy user's collection: 100,000 cards and 1,000,000 review-log rows.

    .venv/bin/python benchmarks/generate.py DATA_DIR [--cards 100000] [--reviews 1000000]

The schema comes from the app's own migrations; rows are bulk-inserted with realistic FSRS
states (stability, difficulty, due spread over the past year and the next months).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic import WORDS
from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.core.notetypes import BASIC, MCQ
from cehrs_cards.db.repo import notetype_to_json
from cehrs_cards.db.search_sql import fts_paused
from cehrs_cards.db.timefmt import to_db, to_ms
from cehrs_cards.services.collection import Collection

NOW = datetime.now(UTC)


def generate(data: Path, n_cards: int, n_reviews: int, seed: int = 1) -> None:
    Collection(data).close()  # creates the schema via migrations
    con = sqlite3.connect(data / "collection.sqlite")
    con.execute("PRAGMA synchronous=OFF")
    rng = random.Random(seed)
    _notetypes_and_decks(con)
    with fts_paused(con):  # the browser's text index, filled in one pass
        _notes_and_cards(con, rng, n_cards)
    _revlog(con, rng, n_cards, n_reviews)
    con.execute("INSERT OR REPLACE INTO setting VALUES ('bundled_loaded', 'true')")
    con.commit()
    con.execute("ANALYZE")
    con.close()


def _notetypes_and_decks(con: sqlite3.Connection) -> None:
    for i, nt in enumerate((BASIC, MCQ), 1):
        con.execute(
            "INSERT INTO notetype VALUES (?,?,?,?)", (i, nt.name, nt.kind, notetype_to_json(nt))
        )
    con.execute("INSERT INTO deck VALUES (1, 'Heavy', NULL)")
    for d in DOMAINS:
        con.execute("INSERT INTO deck VALUES (?, ?, 1)", (d.id + 1, f"Heavy::{d.name}"))


def _notes_and_cards(con: sqlite3.Connection, rng: random.Random, n: int) -> None:
    weights = [d.weight for d in DOMAINS]
    now = to_db(NOW)
    notes, cards = [], []
    for i in range(1, n + 1):
        dom = rng.choices(DOMAINS, weights)[0].id
        front = " ".join(rng.choices(WORDS, k=10)) + f" {i}?"
        fields = json.dumps([front, " ".join(rng.choices(WORDS, k=6))])
        notes.append((i, f"heavy-{i}", 1, fields, front[:200], "heavy", None, None, None, now, now))
        cards.append(_card(i, dom, rng, now))
    con.executemany(
        "INSERT INTO note (id, guid, notetype_id, fields, sort_field, tags, task, difficulty,"
        " source, created, modified) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        notes,
    )
    con.executemany(
        "INSERT INTO card (id, note_id, deck_id, ord, domain, state, step, stability, difficulty,"
        " due, last_review, reps, lapses, suspended, buried_until, flag, created, modified)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        cards,
    )


def _card(i: int, dom: int, rng: random.Random, now: str) -> tuple[object, ...]:
    if rng.random() < 0.25:  # new
        return (i, i, dom + 1, 0, dom, 0, None, None, None, now, None, 0, 0, 0, None, 0, now, now)
    stability = rng.lognormvariate(2.5, 1.2)
    last = NOW - timedelta(days=rng.uniform(0, min(365, stability * 2)))
    due = last + timedelta(days=max(1.0, stability))
    state = 2 if rng.random() < 0.95 else 3
    return (
        i, i, dom + 1, 0, dom, state, None if state == 2 else 0, stability, rng.uniform(2, 9),
        to_db(due), to_db(last), rng.randint(1, 30), rng.randint(0, 4), 0, None, 0, now, now,
    )  # fmt: skip


def _revlog(con: sqlite3.Connection, rng: random.Random, n_cards: int, n: int) -> None:
    """`n` answers at random times over the last two years (db/revlog.py COLUMNS)."""
    now_ms = to_ms(NOW)
    used: set[int] = set()
    batch = []
    for _ in range(n):
        at = now_ms - int(rng.uniform(1, 730) * 86_400_000)
        while at in used:
            at += 1
        used.add(at)
        rating = rng.choices((1, 2, 3, 4), (10, 10, 70, 10))[0]
        kind = rng.choices((0, 1, 2), (15, 80, 5))[0]
        interval = rng.randint(1, 60) if rating > 1 else -600
        batch.append((at, rng.randint(1, n_cards), kind, rating, interval,
                      int(rng.uniform(1, 100) * 1000), int(rng.uniform(2, 9) * 100),
                      rng.randint(2000, 20000)))  # fmt: skip
        if len(batch) == 50_000:
            con.executemany(f"INSERT INTO revlog VALUES ({_marks(batch[0])})", batch)
            batch.clear()
    if batch:
        con.executemany(f"INSERT INTO revlog VALUES ({_marks(batch[0])})", batch)


def _marks(row: tuple[object, ...]) -> str:
    return ",".join("?" * len(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    generate(args.data_dir, args.cards, args.reviews)
    took = time.perf_counter() - started
    print(f"generated {args.cards} cards, {args.reviews} reviews in {took:.1f}s")


if __name__ == "__main__":
    main()
