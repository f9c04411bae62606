"""Measure core/study_plan.NEW_PER_MINUTES again: for each daily budget, the most new cards a
day that the app's simulator still introduces every day (at least 95% of them), reviews first,
on the bundled deck's 1,362 cards (more when the limit would use them up) over 60 days, seeds
1-3. About two minutes.

    .venv/bin/python benchmarks/minutes_to_limits.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cehrs_cards.core import simulate as sm
from cehrs_cards.core.study_plan import NEW_PER_MINUTES

CARDS, DAYS, SEEDS = 1362, 60, (1, 2, 3)


def keeps(minutes: float, new_per_day: int, seeds: tuple[int, ...] = SEEDS) -> bool:
    """Whether every seed introduces (nearly) every new card the limit allows, every day: the
    deck is made larger than the limit can exhaust in the horizon (else a high limit would
    pass just by running out of cards early)."""
    cards = max(CARDS, new_per_day * DAYS + 1)
    for seed in seeds:
        cfg = sm.SimConfig(days=DAYS, cards=cards, daily_minutes=minutes, new_per_day=new_per_day)
        got = sm.simulate(cfg, "weighted", seed)
        if got.new_cards < 0.95 * new_per_day * DAYS:
            return False
    return True


def most_new(minutes: float) -> int:
    lo, hi = 0, 60
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if keeps(minutes, mid) else (lo, mid - 1)
    return lo


def main() -> None:
    print("minutes  measured  in study_plan")
    for minutes, table in NEW_PER_MINUTES:
        print(f"{minutes:7}  {most_new(minutes):8}  {table:12}")


if __name__ == "__main__":
    main()
