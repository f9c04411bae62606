"""Exam attempts in the database: rows to records and back, history aggregates. No transactions
here; services/exams.py owns them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from cehrs_cards.core.domains import DOMAIN_IDS, PASSING_SCALED
from cehrs_cards.core.exam import Attempt, ExamItem, Slot, is_incomplete, scaled_band
from cehrs_cards.db import exam_attempts as q
from cehrs_cards.db.models import Card
from cehrs_cards.db.models import ExamAttempt as AttemptRow
from cehrs_cards.db.models import ExamItem as ItemRow
from cehrs_cards.db.session import Session


@dataclass(frozen=True)
class HistoryEntry:
    """One finished attempt, as the history list and trend show it."""

    attempt_id: int
    kind: str
    mode: str
    started: datetime
    finished: datetime
    finish_reason: str
    items: int
    correct: int
    total: int
    scaled: float | None
    cut: int
    seconds_used: float
    domains: dict[int, float] = field(default_factory=dict)  # domain -> percent correct
    incomplete: bool = False  # most items unanswered (core/exam.is_incomplete)
    counted: bool = False  # the candidate chose to count it although incomplete
    diagnostic: bool = True  # a mock whose scored items were all fresh held-out items

    @property
    def percent(self) -> float:
        return 100 * self.correct / self.total if self.total else 0.0

    @property
    def counts(self) -> bool:
        """Whether it moves readiness, calibration and the trend: complete, or counted anyway."""
        return not self.incomplete or self.counted

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d |= {"started": self.started.isoformat(), "finished": self.finished.isoformat()}
        d["percent"] = round(self.percent, 1)
        d["domains"] = {str(k): round(v, 1) for k, v in self.domains.items()}
        if self.scaled is not None:
            lo, hi = scaled_band(self.correct, self.total)
            d |= {"scaled": round(self.scaled), "band": [round(lo), round(hi)]}
            d["passed"] = self.scaled >= PASSING_SCALED
        return d


# ----- rows <-> records ---------------------------------------------------------------------------
def write_head(row: AttemptRow, att: Attempt) -> None:
    row.seed, row.cut, row.deadline, row.current = att.seed, att.cut, att.deadline, att.current
    row.shown_at, row.paused_at, row.paused_seconds = (
        att.shown_at,
        att.paused_at,
        att.paused_seconds,
    )
    row.finished, row.finish_reason = att.finished, att.finish_reason
    opts = {"allow_pause": att.allow_pause, "allow_strike": att.allow_strike}
    row.options = json.dumps(att.extra | opts)


def item_row(attempt_id: int, pos: int, slot: Slot) -> ItemRow:
    it = slot.item
    row = ItemRow(
        attempt_id=attempt_id,
        position=pos,
        card_id=it.card_id,
        note_id=it.note_id,
        domain=it.domain,
        pretest=slot.pretest,
        generated=it.generated,
        content=json.dumps(it.to_json(), ensure_ascii=False),
    )
    _copy_answer(row, slot)
    return row


def _copy_answer(row: ItemRow, slot: Slot) -> None:
    row.choice, row.flagged, row.seconds = slot.choice, slot.flagged, slot.seconds
    row.struck, row.answered_at = "".join(str(i) for i in sorted(slot.struck)), slot.answered_at


def write_slot(s: Session, attempt_id: int, pos: int, slot: Slot) -> None:
    row = q.item_at(s, attempt_id, pos)
    _copy_answer(row, slot)
    s.add(row)


def attempt_of(row: AttemptRow, items: list[ItemRow]) -> Attempt:
    opts = json.loads(row.options or "{}")
    slots = [
        Slot(
            item=ExamItem.from_json(
                json.loads(r.content), r.card_id, r.note_id, r.domain, r.generated
            ),
            pretest=r.pretest,
            choice=r.choice,
            flagged=r.flagged,
            struck=frozenset(int(ch) for ch in r.struck),
            seconds=r.seconds,
            answered_at=r.answered_at,
        )
        for r in items
    ]
    return Attempt(
        kind=row.kind,
        mode=row.mode,
        started=row.started,
        deadline=row.deadline,
        slots=slots,
        cut=row.cut,
        allow_pause=bool(opts.pop("allow_pause", False)),
        allow_strike=bool(opts.pop("allow_strike", False)),
        current=row.current,
        shown_at=row.shown_at,
        paused_at=row.paused_at,
        paused_seconds=row.paused_seconds,
        finished=row.finished,
        finish_reason=row.finish_reason,
        seed=row.seed,
        id=row.id,
        extra=opts,
    )


def domain_percents(s: Session) -> dict[int, dict[int, float]]:
    """attempt id -> domain -> percent of its scored items answered right."""
    out: dict[int, dict[int, float]] = {}
    for aid, dom, right, n in q.domain_scores(s):
        if dom in DOMAIN_IDS and n:
            out.setdefault(aid, {})[dom] = 100 * right / n
    return out


def item_counts(s: Session) -> dict[int, tuple[int, int]]:
    """attempt id -> (items, items answered)."""
    return q.item_counts(s)


def incomplete_flags(att: Attempt) -> tuple[bool, bool]:
    """(incomplete, counted anyway) of an attempt: as stored when it was submitted, else
    judged from its answers (attempts submitted before the flag existed)."""
    stored = att.extra.get("incomplete")
    answered = sum(s.answered for s in att.slots)
    incomplete = bool(stored) if stored is not None else is_incomplete(answered, len(att.slots))
    return incomplete, bool(att.extra.get("counted", False))


def history_entry(r: AttemptRow, domains: dict[int, float], sizes: tuple[int, int]) -> HistoryEntry:
    assert r.id is not None and r.finished is not None
    end = min(r.finished, r.deadline) if r.deadline else r.finished
    used = max(0.0, (end - r.started).total_seconds() - r.paused_seconds)
    items, answered = sizes
    opts = json.loads(r.options or "{}")
    stored = opts.get("incomplete")
    incomplete = bool(stored) if stored is not None else is_incomplete(answered, items)
    return HistoryEntry(
        attempt_id=r.id,
        kind=r.kind,
        mode=r.mode,
        started=r.started,
        finished=r.finished,
        finish_reason=r.finish_reason or "submitted",
        items=items,
        correct=r.correct or 0,
        total=r.total or 0,
        scaled=r.scaled,
        cut=r.cut,
        seconds_used=used,
        domains=domains,
        incomplete=incomplete,
        counted=bool(opts.get("counted", False)),
        diagnostic=bool(_options(r).get("diagnostic", True)),
    )


def _options(r: AttemptRow) -> dict[str, Any]:
    try:
        got = json.loads(r.options or "{}")
    except ValueError:
        return {}
    return got if isinstance(got, dict) else {}


@dataclass(frozen=True)
class CardTiming:
    """What sending a card to review changes, kept for undo."""

    state: int
    step: int | None
    due: datetime
    buried_until: datetime | None


def restore(s: Session, old: dict[int, CardTiming]) -> None:
    """Undo a send-to-review: put each card's state, step, due date and burial back."""
    for card_id, t in old.items():
        card = s.get(Card, card_id)
        if card is not None:
            card.state, card.step, card.due, card.buried_until = (
                t.state,
                t.step,
                t.due,
                t.buried_until,
            )
            s.add(card)
