"""Counts and durations in plain English, the one place that says "1 card" and "2 min 11 s".

Every screen that puts a number before a noun, or shows a length of time, goes through here,
so "1 cards", "streak 1 days" and "2:11 of 2:05:00" (read as 2 h 11 min) cannot come back.
"""

from __future__ import annotations

IRREGULAR = {"day streak": "day streak", "is": "are", "was": "were", "has": "have"}


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The noun for a count of `n`: "card" for 1, "cards" otherwise (or `plural_form`)."""
    if n == 1:
        return singular
    if plural_form is not None:
        return plural_form
    if singular in IRREGULAR:
        return IRREGULAR[singular]
    if singular.endswith(("s", "x", "ch", "sh")):
        return singular + "es"
    if singular.endswith("y") and singular[-2:-1] not in "aeiou":
        return singular[:-1] + "ies"
    return singular + "s"


def count(n: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 card", "2 cards", "1,200 cards": the number (with thousands separators) and noun."""
    return f"{n:,} {plural(n, singular, plural_form)}"


def duration(seconds: float) -> str:
    """A length of time as people say it: "45 s", "2 min 11 s", "2 h 5 min", "3 days 4 h".

    Seconds are shown only under an hour, minutes only under a day: the two largest units."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    minutes, secs = divmod(s, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, mins = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hrs = divmod(hours, 24)
    return f"{count(days, 'day')} {hrs} h" if hrs else count(days, "day")


def clock(seconds: float) -> str:
    """A countdown as a running clock shows it: "4:05", "1:02:03" (hours only when needed)."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def join_and(parts: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
