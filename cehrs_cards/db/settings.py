"""Every stored setting: one table (key -> JSON), read and written only here. The study
settings are typed with their defaults (Settings); the other sections — mock-exam options,
saved searches, import domain rules — are JSON values under their own keys (SECTIONS).

Plain SQL on the session's connection (any db.session.Rows): the import command reads and
writes settings without loading the ORM."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows

_UPSERT = (
    "INSERT INTO setting (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value != excluded.value"
)


@dataclass(frozen=True)
class Settings:
    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4
    base_retention: float = 0.90
    tilt: float = 0.0  # retention tilt off by default: measured to earn no points (README)
    fuzz: bool = True
    parameters: tuple[float, ...] | None = None  # None = fsrs defaults
    exam_date: str | None = None  # ISO date
    exam_target: float = 0.95  # predicted recall on exam day each final review aims for
    theme: str = "system"  # system | light | dark
    leech_lapses: int = 8
    bury_new: bool = True  # answering a card buries its new siblings until tomorrow (Anki)
    bury_reviews: bool = True  # ... and its review siblings due today
    bundled_loaded: bool = False


def load_settings(session: Rows) -> Settings:
    session.flush()
    rows = session.connection().exec_driver_sql("SELECT key, value FROM setting")
    stored = {str(key): json.loads(value) for key, value in rows}
    known: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name in stored:
            value = stored[f.name]
            known[f.name] = tuple(value) if f.name == "parameters" and value else value
    return Settings(**known)


def save_settings(session: Rows, settings: Settings) -> None:
    """Write every setting that differs from what is stored (caller commits)."""
    rows = [(key, json.dumps(value)) for key, value in asdict(settings).items()]
    session.flush()
    session.connection().exec_driver_sql(_UPSERT, rows)


SECTIONS = (
    "exam_options",
    "browser_saved_searches",
    "import_domain_rules",
    "import_media_token",
    "exam_outcomes",
    "item_bank_backfill",  # db/held_out.BACKFILL_KEY: the one-time backfill ran
)
"""Keys of the settings kept as one JSON value each, beside the typed Settings."""


def load_section(session: Rows, key: str) -> Any:
    """A section's stored JSON value, or None when it is missing or unreadable."""
    assert key in SECTIONS, key
    session.flush()
    sql = "SELECT value FROM setting WHERE key = ?"
    row = session.connection().exec_driver_sql(sql, (key,)).first()
    if row is None:
        return None
    try:
        return json.loads(row[0])
    except ValueError:
        return None


def save_section(session: Rows, key: str, value: Any) -> None:
    """Store a section's JSON value (caller commits)."""
    assert key in SECTIONS, key
    session.flush()
    encoded = json.dumps(value, ensure_ascii=False)
    session.connection().exec_driver_sql(_UPSERT, (key, encoded))
