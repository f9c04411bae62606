"""Import of a 20,000-note .apkg: ours against the real Anki importer, on the same file.

    .venv/bin/python benchmarks/import_apkg.py [--notes 20000] [--repeat 3] [--scheduling]
                                               [--html] [--profile [N]]

The package is built with the `anki` package (current collection.anki21b format, Basic,
reversed and cloze notes, 60% of them studied so the review log is not empty). Each run
imports it into a fresh, empty collection: ours via services.transfer.import_file (read,
domain mapping, sanitising, one transaction), Anki's via Collection.import_anki_package.
Prints the medians and the ratio (the target, issue 9: at most 2x Anki) and the machine's
load average, since other work on the machine moves both figures. --html gives the fields
the markup Anki's editor leaves (divs, bold, breaks, images, styled spans), so sanitising is
measured too. --profile adds a cProfile of one more import of ours (top N functions by own
time and by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import WORDS  # noqa: E402


def build_package(path: Path, n_notes: int, seed: int = 1, html: bool = False) -> None:
    """A current-format .apkg of `n_notes` notes made by Anki itself (`html`: fields marked
    up as Anki's editor leaves them: divs, bold, line breaks, images, styled spans)."""
    from anki.collection import AddNoteRequest, ExportAnkiPackageOptions
    from anki.collection import Collection as AnkiCollection

    rng = random.Random(seed)
    col = AnkiCollection(str(path.with_suffix(".anki2")))
    kinds = [col.models.by_name(n) for n in ("Basic", "Basic (and reversed card)", "Cloze")]
    decks = [col.decks.id(f"Bench::{name}") for name in ("HIPAA", "Billing", "Clinical", "Misc")]
    requests = []
    for i in range(n_notes):
        model = kinds[i % 3]
        note = col.new_note(model)
        text = " ".join(rng.choices(WORDS, k=12))
        if model["type"] == 1:
            note.fields[0] = f"{{{{c1::{text}}}}} and {{{{c2::word {i}}}}}"
        else:
            note.fields[0], note.fields[1] = f"{text} #{i}?", " ".join(rng.choices(WORDS, k=6))
        if html:
            note.fields[0] = f"<div>{note.fields[0]}&nbsp;</div><div><br></div>"
            note.fields[1] = (
                f'<b>{note.fields[1]}</b><br><img src="pic{i % 50}.png">'
                f'<span style="color: rgb(0, 0, 0);"> see &amp; note</span>'
            )
        note.tags = [rng.choice(WORDS), "bench"]
        requests.append(AddNoteRequest(note=note, deck_id=decks[i % len(decks)]))
    col.add_notes(requests)
    _study(col, rng)
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    col.close()


def _study(col, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Give 60% of the cards a review history through Anki's own scheduler."""
    cids = list(col.find_cards(""))
    studied = rng.sample(cids, int(len(cids) * 0.6))
    col.sched.set_due_date(studied, "1-30")


def time_ours(apkg: Path, scheduling: bool) -> tuple[float, int]:
    from cehrs_cards.services.collection import Collection
    from cehrs_cards.services.transfer import ImportOptions, import_file

    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(Path(tmp) / "data")
        start = time.perf_counter()
        result = import_file(col, apkg, ImportOptions(with_scheduling=scheduling))
        elapsed = time.perf_counter() - start
        col.close()
    return elapsed, result.summary.cards_added


def time_anki(apkg: Path, scheduling: bool) -> tuple[float, int]:
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    with tempfile.TemporaryDirectory() as tmp:
        col = AnkiCollection(str(Path(tmp) / "c.anki2"))
        request = ImportAnkiPackageRequest(
            package_path=str(apkg), options=ImportAnkiPackageOptions(with_scheduling=scheduling)
        )
        start = time.perf_counter()
        col.import_anki_package(request)
        elapsed = time.perf_counter() - start
        cards = col.card_count()
        col.close()
    return elapsed, cards


def profile_ours(apkg: Path, scheduling: bool, top: int) -> None:
    """cProfile one import of ours (cProfile itself slows Python code about 1.5x)."""
    profiler = cProfile.Profile()
    profiler.enable()
    time_ours(apkg, scheduling)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notes", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--scheduling", action="store_true", help="import the review history too")
    p.add_argument("--html", action="store_true", help="fields with typical editor markup")
    p.add_argument("--profile", type=int, nargs="?", const=25, default=0, metavar="N")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        apkg = Path(tmp) / "bench.apkg"
        t0 = time.perf_counter()
        build_package(apkg, args.notes, html=args.html)
        size = apkg.stat().st_size / 1024**2
        print(f"built a {size:.1f} MB package in {time.perf_counter() - t0:.1f} s")
        ours, anki = [], []
        for _ in range(args.repeat):
            t, cards_ours = time_ours(apkg, args.scheduling)
            ours.append(t)
            t, cards_anki = time_anki(apkg, args.scheduling)
            anki.append(t)
        assert cards_ours == cards_anki, (cards_ours, cards_anki)
        if args.profile:
            profile_ours(apkg, args.scheduling, args.profile)
    o, a = statistics.median(ours), statistics.median(anki)
    print(
        f"notes: {args.notes:,}  cards: {cards_ours:,}  scheduling: {args.scheduling}"
        f"  html: {args.html}"
    )
    print(
        f"ours (median of {args.repeat}): {o:.2f} s   runs: {', '.join(f'{x:.2f}' for x in ours)}"
    )
    print(
        f"anki (median of {args.repeat}): {a:.2f} s   runs: {', '.join(f'{x:.2f}' for x in anki)}"
    )
    print(f"ratio ours/anki: {o / a:.2f}x  (target: <= 2x)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average (1, 5, 15 min) {load}")


if __name__ == "__main__":
    main()
