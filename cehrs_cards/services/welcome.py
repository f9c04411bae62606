"""The first-run welcome: what it needs to show (your cards, the settings, today) and saving
its choices (exam date, daily limits from minutes a day, theme) as one operation.

It comes up by itself once, on a collection nobody has studied yet; Help shows it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

from cehrs_cards.core.ops import Changes, OpResult
from cehrs_cards.core.study_plan import DEFAULT_MINUTES, Limits, Pace, limits_for, minutes_for
from cehrs_cards.db import repo
from cehrs_cards.db.session import Session
from cehrs_cards.db.settings import Settings
from cehrs_cards.services.held_out import held_out_ids
from cehrs_cards.services.scheduling import SchedulingService

WELCOMED = "welcomed"
"""Setting key: the welcome has been seen (its value is the date, as JSON text)."""


@dataclass(frozen=True)
class WelcomeInfo:
    """What the welcome shows."""

    settings: Settings
    unseen: int  # new cards not introduced yet
    today: date
    welcomed: bool
    studied: bool  # any answer in the review log

    @property
    def auto(self) -> bool:
        """Whether the welcome should open by itself: a collection nobody has studied yet."""
        return not self.welcomed and not self.studied

    @property
    def minutes(self) -> int:
        """The budget today's new-card limit corresponds to (20 if it is the default)."""
        if self.settings.new_per_day == Settings().new_per_day and not self.welcomed:
            return DEFAULT_MINUTES
        return minutes_for(self.settings.new_per_day)

    def pace(self, limits: Limits, exam: date | None) -> Pace:
        return Pace(limits, self.unseen, exam, self.today)


def welcome_info(scheduling: SchedulingService) -> WelcomeInfo:
    """Your cards, your settings and whether anyone has studied this collection yet."""
    collection = scheduling.col
    with collection.read() as s:
        held_out = held_out_ids(s)  # diagnostic items: never flashcards, so not in the pace
        unseen = sum(1 for card_id in repo.new_card_ids(s) if card_id not in held_out)
        studied = repo.any_review(s)
        welcomed = repo.get_flag(s, WELCOMED) is not None
    today = collection.now().astimezone(collection.tz).date()
    return WelcomeInfo(collection.settings(), unseen, today, welcomed, studied)


@dataclass(frozen=True)
class WelcomeChoice:
    exam_date: date | None
    minutes: int
    theme: str  # system | light | dark


def apply_welcome(scheduling: SchedulingService, choice: WelcomeChoice) -> OpResult[bool]:
    """Save the welcome's choices through the scheduling service (the value says whether
    studied cards must be rescheduled, as for Settings) and remember it was seen."""
    limits = limits_for(choice.minutes)
    new = replace(
        scheduling.col.settings(),
        exam_date=choice.exam_date.isoformat() if choice.exam_date else None,
        new_per_day=limits.new_per_day,
        reviews_per_day=limits.reviews_per_day,
        theme=choice.theme,
    )
    result = scheduling.save_settings(new)
    with scheduling.col.transaction() as s:
        _mark(s, scheduling.col.now().date().isoformat())
    return OpResult(result.value, result.changes | Changes(settings=True))


def _mark(s: Session, when: str) -> None:
    repo.set_flag(s, WELCOMED, json.dumps(when))
