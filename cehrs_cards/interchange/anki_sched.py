"""Our scheduling in Anki's terms, for export: the inverse of what apkg_read and
services/anki_history do on import.

Anki keeps a card's type (0 new, 1 learning, 2 review, 3 relearning) and queue (the same, but
-1 suspended, -3 buried; learning cards sit in queue 1). A review card's `due` is a day number
counted from the collection's creation day (`col.crt`), each day starting at the rollover
hour; a learning card's `due` is epoch seconds. Anki 23.10+ keeps the FSRS memory state in the
card's `data` JSON ({"s": stability, "d": difficulty, "lrt": last review, epoch seconds};
rslib/src/storage/card/data.rs). Review-log rows: id = answer time in ms, ease = button,
ivl/lastIvl = days (> 0) or -seconds (< 0), factor = ease in permille, or with FSRS the
difficulty as 100-1100 (rslib/src/revlog/mod.rs), time in ms, type = the state answered from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from cehrs_cards.core.history import Entry
from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.interchange.package import CardIn, ReviewIn

DEFAULT_EASE = 2500  # Anki's starting ease (250 %): what an SM-2 user's review cards get
KIND = {CardState.NEW: 0, CardState.LEARNING: 1, CardState.REVIEW: 2, CardState.RELEARNING: 3}
QUEUE = {0: 0, 1: 1, 2: 2, 3: 1}  # by Anki card type; relearning cards learn in queue 1
SUSPENDED, BURIED = -1, -3  # -3: buried by the user (Anki unburies at the next day)
DAY = 86400


@dataclass(frozen=True)
class AnkiDays:
    """Anki's day numbers: day 0 is `created`, each day starts at `rollover_hour` in `tz`."""

    tz: tzinfo
    rollover_hour: int
    created: date

    @classmethod
    def starting(cls, first: datetime, tz: tzinfo, rollover_hour: int) -> AnkiDays:
        """Day 0 is the study day of `first` (the earliest due date, so no day is negative)."""
        return cls(tz, rollover_hour, _study_date(first, tz, rollover_hour))

    def day(self, when: datetime) -> int:
        return (_study_date(when, self.tz, self.rollover_hour) - self.created).days

    @property
    def crt(self) -> int:
        """`col.crt`: the rollover moment of day 0, epoch seconds."""
        return int(self._day0().timestamp())

    @property
    def creation_offset(self) -> int:
        """Minutes west of UTC at crt, as Anki's `creationOffset` setting keeps it."""
        offset = self._day0().utcoffset() or timedelta(0)
        return -int(offset.total_seconds() // 60)

    def _day0(self) -> datetime:
        return datetime.combine(self.created, time(self.rollover_hour), tzinfo=self.tz)


def _study_date(when: datetime, tz: tzinfo, rollover_hour: int) -> date:
    return (when.astimezone(tz) - timedelta(hours=rollover_hour)).date()


def card_in(
    ord_: int,
    deck: str,
    mem: MemoryState,
    *,
    suspended: bool = False,
    buried: bool = False,
    flag: int = 0,
    steps: tuple[int, int] = (2, 1),
) -> CardIn:
    """The Anki card for one of ours; `steps`: how many learning and relearning steps."""
    kind = KIND[mem.state]
    queue = SUSPENDED if suspended else BURIED if buried else QUEUE[kind]
    left = 0
    if kind in (1, 3):
        total = steps[0] if kind == 1 else steps[1]
        left = max(1, total - (mem.step or 0))
    return CardIn(
        ord=ord_,
        deck=deck,
        kind=kind,
        queue=queue,
        due=mem.due if kind else None,
        interval_days=_interval_days(mem),
        ease_permille=DEFAULT_EASE if kind in (2, 3) else 0,
        reps=mem.reps,
        lapses=mem.lapses,
        flag=flag & 7,
        stability=mem.stability,
        difficulty=mem.difficulty,
        last_review=mem.last_review,
        left=left,
    )


def _interval_days(mem: MemoryState) -> int:
    """Anki's `ivl`: the review interval; for relearning, the interval it goes back to."""
    if mem.state == CardState.REVIEW and mem.last_review is not None:
        return max(1, round((mem.due - mem.last_review).total_seconds() / DAY))
    if mem.state == CardState.RELEARNING:
        return max(1, round(mem.stability or 1))
    return 0


def review_in(e: Entry, last_interval: int) -> ReviewIn:
    """One of our log rows as an Anki review-log entry (the same fields: the row is stored in
    Anki's terms); `last_interval` is the interval of the card's previous row (0: none)."""
    return ReviewIn(
        at_ms=e.id,
        rating=e.rating,
        duration_ms=max(0, e.duration_ms),
        kind=e.kind,
        interval=e.interval,
        last_interval=last_interval,
        factor=difficulty_factor(e.difficulty),
    )


def difficulty_factor(difficulty: float | None) -> int:
    """FSRS difficulty (1-10) as Anki's revlog keeps it under FSRS: 100-1100."""
    if difficulty is None:
        return 0
    return int(((min(max(difficulty, 1.0), 10.0) - 1.0) / 9.0 + 0.1) * 1000)


def card_row(card: CardIn, position: int, days: AnkiDays) -> tuple[int, ...]:
    """(type, queue, due, ivl, factor, reps, lapses, left, flags) of Anki's cards table."""
    if card.kind == 0 or card.due is None:
        due = position
    elif card.kind in (1, 3):
        due = int(card.due.timestamp())
    else:
        due = days.day(card.due)
    return (
        card.kind,
        card.queue,
        due,
        card.interval_days,
        card.ease_permille,
        card.reps,
        card.lapses,
        card.left,
        card.flag & 7,
    )


def card_data(card: CardIn) -> str:
    """The card's `data` JSON: its FSRS memory state, or '' when it has none."""
    if card.stability is None or card.difficulty is None:
        return ""
    data: dict[str, float | int] = {
        "s": round(card.stability, 4),
        "d": round(min(max(card.difficulty, 1.0), 10.0), 3),
    }
    if card.last_review is not None:
        data["lrt"] = int(card.last_review.timestamp())
    return json.dumps(data, separators=(",", ":"))


def revlog_rows(cid: int, history: list[ReviewIn], used: set[int]) -> list[tuple[int, ...]]:
    """Anki revlog rows of one card; ids (answer times in ms) kept unique across the file."""
    rows: list[tuple[int, ...]] = []
    for r in history:
        rid = r.at_ms
        while rid in used:
            rid += 1
        used.add(rid)
        rows.append(
            (rid, cid, -1, r.rating, r.interval, r.last_interval, r.factor, r.duration_ms, r.kind)
        )
    return rows


def first_due(cards: list[CardIn], now: datetime) -> datetime:
    """The earliest review due date among `cards` (or now): Anki's day 0 for this file."""
    dues = [c.due for c in cards if c.kind == 2 and c.due is not None]
    return min([now.astimezone(UTC), *dues])
