"""The database's two forms of time: text for the tables that keep datetimes (what SQLAlchemy
writes for DATETIME), and integer milliseconds since the epoch (UTC) for the review log, whose
key is the answer's time as in Anki."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache

FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_db(when: datetime) -> str:
    if when.utcoffset() is None:
        raise ValueError("naive datetime: the database stores aware UTC only")
    return when.astimezone(UTC).strftime(FORMAT)


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def db_time(when: datetime | None) -> str | None:
    """to_db(when), or None; a UTC datetime of years 1000-9999 (all real ones) goes the
    quick way: isoformat writes the very text to_db's strftime does (then its zone, cut off),
    ten times faster.
    Imported cards share a few hundred due days, so texts made are remembered (equal
    instants have equal texts: both are written in UTC)."""
    if when is None:
        return None
    text = _DB_TIMES.get(when)
    if text is not None:
        return text
    if when.tzinfo is UTC and when.year >= 1000:  # "...+00:00" cut: twice as quick as replace()
        text = when.isoformat(" ", "microseconds")[:26]
    else:
        text = to_db(when)
    if len(_DB_TIMES) >= 8192:  # about 2 MB at most
        _DB_TIMES.clear()
    _DB_TIMES[when] = text
    return text


_DB_TIMES: dict[datetime, str] = {}


def to_ms(when: datetime) -> int:
    """Milliseconds since the epoch (exact: whole microseconds are cut, never rounded up)."""
    if when.utcoffset() is None:
        raise ValueError("naive datetime: the database stores aware UTC only")
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


MAX_MS = 253_402_300_800_000
"""The first millisecond of year 10000: ms_text takes times before it (datetime's range)."""
_DAYS: dict[int, str] = {}  # day number since the epoch -> its date text
_EPOCH_DAY = date(1970, 1, 1)


@cache
def _pieces() -> tuple[list[str], list[str], list[str]]:
    """The texts of every minute of a day, second of a minute and millisecond of a second
    (made on the first ms_text, by an import: not at every start-up)."""
    hour_minute = [f" {h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
    return hour_minute, [f"{s:02d}." for s in range(60)], [f"{m:03d}000" for m in range(1000)]


def ms_text(ms: int) -> str:
    """to_db(from_ms(ms)) for 0 <= ms < MAX_MS, without making a datetime: for the times an
    import writes per row (an Anki note's or card's creation, which no other row shares, and
    its change). A third of a microsecond where the datetime and its text take two."""
    if not 0 <= ms < MAX_MS:
        raise ValueError(f"time out of range: {ms} ms since the epoch")
    seconds, milli = divmod(ms, 1000)
    day, seconds = divmod(seconds, 86_400)
    day_text = _DAYS.get(day)
    if day_text is None:
        if len(_DAYS) >= 4096:
            _DAYS.clear()
        day_text = _DAYS[day] = (_EPOCH_DAY + timedelta(days=day)).isoformat()
    minutes, seconds = divmod(seconds, 60)
    hour_minute, second, millis = _pieces()
    return f"{day_text}{hour_minute[minutes]}{second[seconds]}{millis[milli]}"
