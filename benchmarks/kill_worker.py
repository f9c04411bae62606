"""Crash-test worker: review or import in a loop, printing each acknowledged step, until killed.

python benchmarks/kill_worker.py review DATA_DIR   # answers cards; prints the answer count
python benchmarks/kill_worker.py import DATA_DIR N # imports N synthetic notes in one go
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic import make_package
from cehrs_cards.core.records import Rating
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.review import ReviewService

RATINGS = (Rating.GOOD, Rating.AGAIN, Rating.EASY, Rating.HARD)


def review_forever(data: Path) -> None:
    col = Collection(data)
    review = ReviewService(col)
    done = 0
    print("ready", flush=True)
    while True:
        card = review.next_card()
        if card is None:
            return
        review.answer(card, RATINGS[done % 4], 1000)
        done += 1
        print(done, flush=True)  # acknowledged: answer() has committed


def import_once(data: Path, n: int) -> None:
    col = Collection(data)
    pkg = make_package(n, prefix="kill")
    print("ready", flush=True)
    import_package(col, pkg)
    print("imported", flush=True)


if __name__ == "__main__":
    mode, folder = sys.argv[1], Path(sys.argv[2])
    if mode == "review":
        review_forever(folder)
    else:
        import_once(folder, int(sys.argv[3]))
