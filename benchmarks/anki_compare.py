"""A heavy user's collection, here and in Anki, on the same content (issue 22).

    .venv/bin/python benchmarks/anki_compare.py [--notes 100000] [--reviews 1000000]
                                                [--keep DIR]

Builds the collection with the `anki` package (a test tool): 100,000 Basic notes with one
card each (60,000 in review, 4,000 learning and 1,000 relearning, 35,000 new) and 1,000,000
review-log rows (each studied card's life: learning steps, reviews, lapses and relearning;
one card in ten with a log that starts part-way, as after Anki's "ignore reviews before"
or a trimmed collection). Anki exports it as an .apkg with scheduling; then two fresh
processes import that file, one each:

- ours: `python -m cehrs_cards import FILE --scheduling --data-dir NEW`
- Anki's: `Collection(NEW).import_anki_package(FILE, with_scheduling=True)`

and the script prints, for both: the database on disk after the import (and once more after
a VACUUM, which removes pages the import left free), the import's wall time as a whole
process (start-up included) and its peak memory (the child's maximum resident set).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import WORDS  # noqa: E402

DAY_MS = 86_400_000
STATES = (("review", 0.60), ("learning", 0.04), ("relearning", 0.01), ("new", 0.35))


@dataclass
class Card:
    """One Anki card's scheduling and its review log, built as a plausible life."""

    kind: int  # Anki card type
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    log: list[tuple[int, int, int, int, int, int, int]]  # id, ease, ivl, lastIvl, factor, ms, type


def build_collection(path: Path, n_notes: int, n_reviews: int, seed: int = 1) -> None:
    """The benchmark collection, made by Anki: notes through its API, scheduling and review
    log written into its tables (answering a million cards through the API takes hours)."""
    from anki.collection import AddNoteRequest
    from anki.collection import Collection as AnkiCollection

    rng = random.Random(seed)
    col = AnkiCollection(str(path))
    basic = col.models.by_name("Basic")
    decks = [col.decks.id(f"Heavy::{n}") for n in ("HIPAA", "Billing", "Clinical", "Records")]
    requests = []
    for i in range(n_notes):
        note = col.new_note(basic)
        note.fields[0] = " ".join(rng.choices(WORDS, k=12)) + f" #{i}?"
        note.fields[1] = " ".join(rng.choices(WORDS, k=6))
        note.tags = [rng.choice(WORDS), "heavy"]
        requests.append(AddNoteRequest(note=note, deck_id=decks[i % len(decks)]))
    col.add_notes(requests)
    cids = list(col.db.list("SELECT id FROM cards ORDER BY id"))
    today = col.sched.today
    now_ms = int(time.time() * 1000)
    per_card = n_reviews / max(1, int(len(cids) * 0.65))
    cards, log_ids = _plan(rng, len(cids), per_card, today, now_ms)
    _write(col, cids, cards, log_ids, n_reviews)
    col.close()


def _plan(
    rng: random.Random, n: int, per_card: float, today: int, now_ms: int
) -> tuple[list[Card | None], set[int]]:
    kinds = [k for k, share in STATES for _ in range(round(n * share))][:n]
    kinds += ["new"] * (n - len(kinds))
    rng.shuffle(kinds)
    used: set[int] = set()
    out: list[Card | None] = []
    for kind in kinds:
        out.append(None if kind == "new" else _life(rng, kind, per_card, today, now_ms, used))
    return out, used


def _life(
    rng: random.Random, kind: str, per_card: float, today: int, now_ms: int, used: set[int]
) -> Card:
    """A card's answers from its first learning step to now, ending in state `kind`."""
    n = max(1, round(rng.gauss(per_card, per_card / 3)))
    at = now_ms - rng.randint(30, 730) * DAY_MS
    step = max(1, (now_ms - at) // (n + 1))
    log: list[tuple[int, int, int, int, int, int, int]] = []
    ivl, factor, lapses, last = 0, 2500, 0, 0
    for i in range(n):
        at += rng.randint(step // 2, step)
        final = i == n - 1
        ease = rng.choices((1, 2, 3, 4), (8, 12, 70, 10))[0]
        if final and kind == "relearning":
            ease = 1
        if i < 2 or (final and kind == "learning"):  # learning steps
            rtype, new_ivl = 0, (-600 if ease < 3 and not final else max(1, ivl))
            if final and kind == "learning":
                new_ivl = -600
        elif ease == 1:
            rtype, new_ivl, lapses = 1, -600, lapses + 1
            factor = max(1300, factor - 200)
        else:
            rtype = 1
            grow = {2: 1.2, 3: factor / 1000, 4: 1.3 * factor / 1000}[ease]
            new_ivl = min(3650, max(1, round(max(1, last) * grow)))
        rid = at
        while rid in used:
            rid += 1
        used.add(rid)
        log.append((rid, ease, new_ivl, last, factor, rng.randint(2000, 20000), rtype))
        last = new_ivl if new_ivl > 0 else last
        ivl = max(ivl, new_ivl)
    if rng.random() < 0.1 and len(log) > 3:
        log = log[rng.randint(1, len(log) // 2) :]  # a log that starts part-way
    return _card(kind, log, last, factor, lapses, today, now_ms, rng)


def _card(
    kind: str,
    log: list[tuple[int, int, int, int, int, int, int]],
    ivl: int,
    factor: int,
    lapses: int,
    today: int,
    now_ms: int,
    rng: random.Random,
) -> Card:
    reps = len(log)
    if kind == "review":
        due = today + rng.randint(-10, max(1, ivl))
        return Card(2, 2, due, max(1, ivl), factor, reps, lapses, 0, log)
    due_s = now_ms // 1000 + rng.randint(-3600, 3600)
    if kind == "learning":
        return Card(1, 1, due_s, 0, 0, reps, lapses, 1001, log)
    return Card(3, 1, due_s, max(1, ivl), factor, reps, lapses + 1, 1001, log)


def _write(
    col: object, cids: list[int], cards: list[Card | None], _ids: set[int], n_reviews: int
) -> None:
    db = col.db  # type: ignore[attr-defined]
    rows, logs = [], []
    for cid, card in zip(cids, cards, strict=True):
        if card is None:
            continue
        rows.append((card.kind, card.queue, card.due, card.ivl, card.factor, card.reps,
                     card.lapses, card.left, cid))  # fmt: skip
        logs += [(rid, cid, e, i, li, f, ms, t) for rid, e, i, li, f, ms, t in card.log]
    db.executemany(
        "UPDATE cards SET type=?, queue=?, due=?, ivl=?, factor=?, reps=?, lapses=?, left=?"
        " WHERE id=?",
        rows,
    )
    logs = logs[:n_reviews]
    db.executemany(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
        logs,
    )


def export(collection: Path, apkg: Path) -> None:
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ExportAnkiPackageOptions

    col = AnkiCollection(str(collection))
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(apkg), options=options, limit=None)
    col.close()


ANKI_IMPORT = """
import sys
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
col = Collection(sys.argv[1])
col.import_anki_package(ImportAnkiPackageRequest(
    package_path=sys.argv[2], options=ImportAnkiPackageOptions(with_scheduling=True)))
col.close()
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float


def run_process(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall time and peak resident memory of one child process (fails loudly).

    A child's peak counts the memory of the process it was forked from, up to its exec: so
    this process stays small (the collection is built in a child of its own)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}):\n{err}")
    return Run(took, usage.ru_maxrss / 1024)


def sizes(db: Path) -> tuple[float, float]:
    """(MB on disk, MB once vacuumed) of a closed database; the file is vacuumed in a copy."""
    on_disk = db.stat().st_size / 1024**2
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "v.db"
        con = sqlite3.connect(db)
        con.create_collation(
            "unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())
        )
        con.execute("VACUUM INTO ?", (str(copy),))
        con.close()
        return on_disk, copy.stat().st_size / 1024**2


def import_both(apkg: Path, work: Path) -> dict[str, tuple[Run, tuple[float, float]]]:
    ours_dir, anki_db = work / "ours", work / "anki" / "collection.anki2"
    anki_db.parent.mkdir(parents=True)
    py = sys.executable
    ours = run_process(
        [py, "-m", "cehrs_cards", "import", str(apkg), "--scheduling", "--data-dir", str(ours_dir)],
        {"CEHRS_CARDS_DECKS_DIR": str(work / "no-bundled-deck")},  # same content as Anki's
    )
    anki = run_process([py, "-c", ANKI_IMPORT, str(anki_db), str(apkg)])
    return {
        "CEHRS Cards": (ours, sizes(ours_dir / "collection.sqlite")),
        "Anki": (anki, sizes(anki_db)),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notes", type=int, default=100_000)
    p.add_argument("--reviews", type=int, default=1_000_000)
    p.add_argument("--keep", type=Path, help="keep the package and both collections here")
    p.add_argument("--apkg", type=Path, help="use this package instead of building one")
    p.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.build_only:  # in a child process: this one stays small (see run_process)
        build_collection(args.build_only / "source.anki2", args.notes, args.reviews)
        export(args.build_only / "source.anki2", args.build_only / "heavy.apkg")
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        apkg = args.apkg or work / "heavy.apkg"
        if args.apkg is None:
            t0 = time.perf_counter()
            build = [sys.executable, __file__, "--build-only", str(work)]
            run_process([*build, "--notes", str(args.notes), "--reviews", str(args.reviews)])
            print(f"built and exported in {time.perf_counter() - t0:.0f} s: "
                  f"{apkg.stat().st_size / 1024**2:.1f} MB package")  # fmt: skip
        results = import_both(apkg, work)
    (o_run, o_size), (a_run, a_size) = results["CEHRS Cards"], results["Anki"]
    print(f"{'':34} {'Anki':>10} {'CEHRS Cards':>12} {'ratio':>7}")
    _line("database on disk after import (MB)", a_size[0], o_size[0])
    _line("the same, vacuumed (MB)", a_size[1], o_size[1])
    _line("import, whole process (s)", a_run.seconds, o_run.seconds)
    _line("peak memory of that process (MB)", a_run.peak_mb, o_run.peak_mb)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average (1, 5, 15 min) {load}")


def _line(what: str, anki: float, ours: float) -> None:
    print(f"{what:34} {anki:10.1f} {ours:12.1f} {ours / anki:6.2f}x")


if __name__ == "__main__":
    main()
