"""The database's two forms of time: text for the tables that keep datetimes (what SQLAlchemy
writes for DATETIME), and integer milliseconds since the epoch (UTC) for the review log, whose
key is the answer's time as in Anki."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


def to_ms(when: datetime) -> int:
    """Milliseconds since the epoch (exact: whole microseconds are cut, never rounded up)."""
    if when.utcoffset() is None:
        raise ValueError("naive datetime: the database stores aware UTC only")
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)
