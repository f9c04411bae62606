"""Clocks and study days: the one definition of "today" and of elapsed time.

A study day runs from the rollover hour (4 am by default) in the user's local time zone to
the next; every past instant is placed with its own UTC offset (the zone's rules at that
instant, so a daylight-saving change moves nothing). Elapsed time for memory is counted in
study days, as Anki counts it for FSRS: the number of rollovers between two answers. A card
relearnt at 21:00 and answered at 08:00 the next morning is one day old, not a same-day
review, and a card answered at 03:00 belongs to the study day before.

Anki counts days on a grid of 86,400-second steps back from the next rollover; we count local
calendar dates, which is the same except within an hour of the rollover across a DST change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until moved; for deterministic tests and simulations."""

    def __init__(self, start: datetime) -> None:
        if start.utcoffset() is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


@dataclass(frozen=True)
class StudyDays:
    """Study-day arithmetic for one time zone and rollover hour (pure, no clock)."""

    tz: tzinfo
    rollover_hour: int = 4

    def day_of(self, when: datetime) -> date:
        """The study day (a local calendar date) an instant belongs to."""
        local = when.astimezone(self.tz)
        return local.date() - timedelta(days=1) if local.hour < self.rollover_hour else local.date()

    def start(self, day: date) -> datetime:
        """Start of a study day in UTC: the rollover hour local time, with that day's offset."""
        local = datetime.combine(day, time(self.rollover_hour), tzinfo=self.tz)
        return local.astimezone(UTC)

    def start_of(self, when: datetime) -> datetime:
        """Start (UTC) of the study day containing `when`."""
        return self.start(self.day_of(when))

    def end_of(self, when: datetime) -> datetime:
        """End (UTC, exclusive) of the study day containing `when`."""
        return self.start(self.day_of(when) + timedelta(days=1))

    def elapsed(self, since: datetime | None, until: datetime) -> int:
        """Whole study days from `since` to `until` (0 on the same day, never negative)."""
        if since is None:
            return 0
        return max(0, (self.day_of(until) - self.day_of(since)).days)
