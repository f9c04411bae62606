"""Going past today's limits (Anki's custom study: "N more new cards / reviews today"), and what
is left when a session runs dry, so "nothing to study" always comes with a next step.

The extension is stored for one study day (key STUDY_MORE in the setting table, with the day it
belongs to) and added to the daily limits by the review queue; the next study day ignores it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import timedelta

from cehrs_cards.core.ops import Changes, OpError, OpResult
from cehrs_cards.core.records import Counts
from cehrs_cards.db import queue
from cehrs_cards.db.models import Setting
from cehrs_cards.db.session import Session
from cehrs_cards.db.timefmt import to_db
from cehrs_cards.services.extra_limits import MAX_EXTRA, STUDY_MORE, Extra, extra_today
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.undo import Restore, transact


def study_more(review: ReviewService, new: int, reviews: int) -> OpResult[Extra]:
    """Allow `new` more new cards and `reviews` more reviews today (added to what was already
    allowed today); one Ctrl+Z takes it back."""
    if new < 0 or reviews < 0 or new + reviews == 0:
        raise OpError("Choose how many more cards to study today.")
    day = review.window().day_start

    def work(s: Session) -> tuple[Extra, Restore]:
        row = s.get(Setting, STUDY_MORE)
        before = row.value if row is not None else None
        old = extra_today(s, day)
        got = Extra(min(old.new + new, MAX_EXTRA), min(old.reviews + reviews, MAX_EXTRA))
        _store(s, json.dumps({"day": to_db(day), **asdict(got)}))

        def restore(s2: Session) -> None:
            _store(s2, before)

        return got, restore

    return transact(review.col, "Study more today", work, Changes(settings=True))


def _store(s: Session, value: str | None) -> None:
    row = s.get(Setting, STUDY_MORE)
    if value is None:
        if row is not None:
            s.delete(row)
        return
    row = row or Setting(key=STUDY_MORE, value=value)
    row.value = value
    s.add(row)


@dataclass(frozen=True)
class Left:
    """Why a session ran dry and what could come next: what waits beyond today's limits, the
    limits themselves, and how many cards fall due tomorrow."""

    held_back: Counts  # studyable now, but past today's limits (new, -, due)
    new_limit: int  # today's limits, with any extension
    review_limit: int
    tomorrow: int  # cards that fall due during the next study day

    @property
    def past_limit(self) -> bool:
        """New cards or reviews are waiting that today's limits hold back."""
        return self.held_back.new > 0 or self.held_back.due > 0


def what_is_left(review: ReviewService, deck_id: int | None) -> Left:
    """What waits in this deck (or every deck) beyond today's limits, with the focus of a
    "study this" session, and tomorrow's due count."""
    w = review.window()
    with review.col.read() as s:
        ids = review._deck_ids(s, deck_id)
        by_deck = queue.counts_by(s, w, "deck_id", review.scope())
        wanted = by_deck if ids is None else {k: v for k, v in by_deck.items() if k in set(ids)}
        waiting = sum(wanted.values(), Counts())
        extra = extra_today(s, w.day_start)
        tomorrow = queue.due_between(s, w.day_end, w.day_end + timedelta(days=1), review.scope(ids))
    new_left, rev_left = review.limits_left()
    settings = review.settings
    return Left(
        Counts(max(0, waiting.new - new_left), 0, max(0, waiting.due - rev_left)),
        settings.new_per_day + extra.new,
        settings.reviews_per_day + extra.reviews,
        tomorrow,
    )
