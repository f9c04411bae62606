"""Minutes a day turned into daily limits the scheduler can keep, and the pace they give.

NEW_PER_MINUTES was measured with the app's own simulator (core/simulate.py: the FSRS
simulator's answer times, the weighted policy, the bundled deck's 1,362 cards or more, 60 days,
seeds 1-3): for each daily budget, the most new cards a day that were still introduced every
day (at least 95% of them) with the reviews they bring inside the budget.
`benchmarks/minutes_to_limits.py` measures it again. Past 45 minutes the last step's ratio is
assumed (about 2 minutes a day for each more new card a day). The review limit leaves room
for the reviews those new cards bring (about 12 s an answer) without letting a backlog grow
unseen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from cehrs_cards.core.scheduling import LEAD_DAYS
from cehrs_cards.core.words import count

NEW_PER_MINUTES = ((5, 2), (10, 5), (15, 8), (20, 10), (30, 16), (45, 24))
"""(minutes a day, new cards a day the scheduler keeps up with), measured (see above)."""
MINUTES_PER_NEW = 2.0  # past the table: minutes a day per new card a day
SECONDS_PER_ANSWER = 12
MIN_REVIEWS, MAX_NEW = 50, 60
DEFAULT_MINUTES = 20


@dataclass(frozen=True)
class Limits:
    """Daily limits for a time budget."""

    minutes: int
    new_per_day: int
    reviews_per_day: int


def limits_for(minutes: int) -> Limits:
    """The daily limits a budget of `minutes` a day can keep."""
    minutes = max(1, minutes)
    new = _new_for(minutes)
    reviews = max(MIN_REVIEWS, round(minutes * 60 / SECONDS_PER_ANSWER))
    return Limits(minutes, new, reviews)


def _new_for(minutes: int) -> int:
    top_minutes, top_new = NEW_PER_MINUTES[-1]
    if minutes >= top_minutes:
        return min(MAX_NEW, top_new + math.floor((minutes - top_minutes) / MINUTES_PER_NEW))
    new = 1
    for m, n in NEW_PER_MINUTES:  # the measured point at or below the budget
        if m <= minutes:
            new = n
    return new


def minutes_for(new_per_day: int) -> int:
    """The smallest budget (whole minutes) whose limits introduce `new_per_day` a day."""
    for minutes in range(1, 24 * 60):
        if _new_for(minutes) >= new_per_day:
            return minutes
    return 24 * 60


@dataclass(frozen=True)
class Pace:
    """What the limits give: every unseen card in how many days, and against the exam."""

    limits: Limits
    unseen: int
    exam: date | None
    today: date

    @property
    def days_to_see_all(self) -> int:
        return math.ceil(self.unseen / self.limits.new_per_day) if self.unseen else 0

    @property
    def days_to_exam(self) -> int | None:
        return (self.exam - self.today).days if self.exam else None

    def text(self) -> str:
        """The pace in plain words, with what it takes to be ready when the exam is near."""
        lim = self.limits
        head = (
            f"{lim.minutes} minutes a day: {count(lim.new_per_day, 'new card')} a day and up "
            f"to {count(lim.reviews_per_day, 'review')}."
        )
        if not self.unseen:
            return head + " You have seen every card: the time goes to reviews."
        seen_all = f" Every one of your {count(self.unseen, 'new card')} seen in " + (
            f"{count(self.days_to_see_all, 'day')}."
        )
        days = self.days_to_exam
        if days is None:
            return head + seen_all + " Set your exam date when it is booked."
        return head + seen_all + " " + self._against_exam(days)

    def _against_exam(self, days: int) -> str:
        if days <= 0:
            return "Your exam date has passed: set the new one when it is booked."
        aim = days - LEAD_DAYS
        if aim > 0 and self.days_to_see_all <= aim:
            spare = count(aim - self.days_to_see_all, "day")
            return (
                f"Your exam is in {count(days, 'day')}: that leaves {spare} to spare before "
                f"the last {LEAD_DAYS} days of review."
            )
        reach = min(self.unseen, self.limits.new_per_day * max(0, aim))
        need = math.ceil(self.unseen / aim) if aim > 0 else None
        more = (
            f" About {minutes_for(need)} minutes a day would see them all {LEAD_DAYS} days "
            "before it."
            if need is not None and need <= MAX_NEW
            else ""
        )
        return (
            f"Your exam is in {count(days, 'day')}: at this pace you see {reach:,} of them "
            f"{LEAD_DAYS} days before it, the most valuable first.{more}"
        )
