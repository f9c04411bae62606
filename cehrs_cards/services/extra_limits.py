"""How far past today's limits the user chose to go (Anki's custom study), as the review queue
reads it: stored for one study day under STUDY_MORE in the setting table, with the day it
belongs to; the next study day ignores it. Writing it is services/custom_study.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from cehrs_cards.db.models import Setting
from cehrs_cards.db.session import Session
from cehrs_cards.db.timefmt import to_db

STUDY_MORE = "study_more_today"
MAX_EXTRA = 9999


@dataclass(frozen=True)
class Extra:
    """How far past the daily limits the user chose to go today."""

    new: int = 0
    reviews: int = 0


def extra_today(s: Session, day_start: datetime) -> Extra:
    """Today's extension of the limits (none if it was set on another study day)."""
    row = s.get(Setting, STUDY_MORE)
    if row is None:
        return Extra()
    stored = json.loads(row.value)
    if stored.get("day") != to_db(day_start):
        return Extra()
    return Extra(int(stored.get("new", 0)), int(stored.get("reviews", 0)))
