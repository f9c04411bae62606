"""Every stored setting: one table (key -> JSON), read and written only here. The study
settings are typed with their defaults (Settings); the other sections — mock-exam options,
saved searches, import domain rules — are JSON values under their own keys (SECTIONS)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlmodel import Session, select

from cehrs_cards.db.models import Setting


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


def load_settings(session: Session) -> Settings:
    stored = {row.key: json.loads(row.value) for row in session.exec(select(Setting))}
    known: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name in stored:
            value = stored[f.name]
            known[f.name] = tuple(value) if f.name == "parameters" and value else value
    return Settings(**known)


def save_settings(session: Session, settings: Settings) -> None:
    """Write every setting that differs from what is stored (caller commits)."""
    for key, value in asdict(settings).items():
        row = session.get(Setting, key)
        encoded = json.dumps(value)
        if row is None:
            session.add(Setting(key=key, value=encoded))
        elif row.value != encoded:
            row.value = encoded
            session.add(row)


SECTIONS = (
    "exam_options",
    "browser_saved_searches",
    "import_domain_rules",
    "import_media_token",
    "exam_outcomes",
)
"""Keys of the settings kept as one JSON value each, beside the typed Settings."""


def load_section(session: Session, key: str) -> Any:
    """A section's stored JSON value, or None when it is missing or unreadable."""
    assert key in SECTIONS, key
    row = session.get(Setting, key)
    if row is None:
        return None
    try:
        return json.loads(row.value)
    except ValueError:
        return None


def save_section(session: Session, key: str, value: Any) -> None:
    """Store a section's JSON value (caller commits)."""
    assert key in SECTIONS, key
    encoded = json.dumps(value, ensure_ascii=False)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=encoded))
    elif row.value != encoded:
        row.value = encoded
        session.add(row)
