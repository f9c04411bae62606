"""The one text form of datetimes in the database (what SQLAlchemy writes for DATETIME)."""

from __future__ import annotations

from datetime import UTC, datetime

FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def to_db(when: datetime) -> str:
    if when.utcoffset() is None:
        raise ValueError("naive datetime: the database stores aware UTC only")
    return when.astimezone(UTC).strftime(FORMAT)


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
