"""Mock exam and practice blocks, pure: blueprint draw, deadline, answers, flags and scoring.

The full mock follows NHA's CEHRS format (docs/exam-model.md): 100 scored items drawn exactly by the
blueprint plus 25 unscored pretest items at random positions, in 125 minutes. The deadline is
stored; time left is always computed from a clock, never counted in ticks. The scaled score is
an estimate (NHA does not publish its conversion): see scaled_score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cehrs_cards.core.domains import (
    DOMAINS,
    EXAM_MINUTES,
    PASSING_SCALED,
    PRETEST_ITEMS,
    SCALED_MAX,
    SCALED_MIN,
    SCORED_ITEMS,
)
from cehrs_cards.core.ops import OpError

LETTERS = ("A", "B", "C", "D")
DEFAULT_CUT = 70
CUT_BAND = (65, 75)
SECONDS_PER_ITEM = EXAM_MINUTES * 60 // (SCORED_ITEMS + PRETEST_ITEMS)
MOCK, PRACTICE = "mock", "practice"
TIMED, TUTOR = "timed", "tutor"


class NotEnoughItemsError(OpError, ValueError):
    """The collection lacks the items a form needs; the message says which and how many."""


class AttemptClosedError(OpError, RuntimeError):
    """The attempt was submitted or its time is up: it takes no more answers."""


@dataclass(frozen=True)
class ExamItem:
    """One question as shown: stem, four options (HTML), the key and its explanations."""

    card_id: int | None
    note_id: int | None
    domain: int
    stem: str
    options: tuple[str, ...]
    answer: int  # 0..3
    explanation: str = ""
    rationales: tuple[str, ...] = ()
    generated: bool = False
    guid: str = ""

    def to_json(self) -> dict[str, Any]:
        """The item as JSON-ready values (stored with the attempt, so results never change)."""
        return {
            "stem": self.stem,
            "options": list(self.options),
            "answer": self.answer,
            "explanation": self.explanation,
            "rationales": list(self.rationales),
            "guid": self.guid,
        }

    @staticmethod
    def from_json(
        d: dict[str, Any], card_id: int | None, note_id: int | None, domain: int, generated: bool
    ) -> ExamItem:
        return ExamItem(
            card_id=card_id,
            note_id=note_id,
            domain=domain,
            stem=str(d["stem"]),
            options=tuple(str(o) for o in d["options"]),
            answer=int(d["answer"]),
            explanation=str(d.get("explanation", "")),
            rationales=tuple(str(r) for r in d.get("rationales", ())),
            generated=generated,
            guid=str(d.get("guid", "")),
        )


# ----- the attempt ----------------------------------------------------------------------------
@dataclass
class Slot:
    """One position of an attempt: the item, whether it is pretest, and what the user did."""

    item: ExamItem
    pretest: bool = False
    choice: int | None = None
    flagged: bool = False
    struck: frozenset[int] = frozenset()
    seconds: float = 0.0
    answered_at: datetime | None = None

    @property
    def correct(self) -> bool:
        return self.choice == self.item.answer

    @property
    def answered(self) -> bool:
        return self.choice is not None


@dataclass
class Attempt:
    """A mock or practice block in progress or done. Every method takes `now` from a Clock."""

    kind: str
    mode: str
    started: datetime
    deadline: datetime | None
    slots: list[Slot]
    cut: int = DEFAULT_CUT
    allow_pause: bool = False
    allow_strike: bool = False
    current: int = 0
    shown_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0
    finished: datetime | None = None
    finish_reason: str | None = None
    seed: int | None = None
    id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    # --- time ---
    def remaining(self, now: datetime) -> timedelta | None:
        """Time left (None if untimed), frozen while paused and once finished."""
        if self.deadline is None:
            return None
        ref = self.finished or self.paused_at or now
        return max(timedelta(0), self.deadline - ref)

    def time_is_up(self, now: datetime) -> bool:
        return (
            self.finished is None
            and self.paused_at is None
            and self.deadline is not None
            and now >= self.deadline
        )

    def time_used(self, now: datetime) -> timedelta:
        end = self.finished or self.paused_at or now
        if self.deadline is not None:
            end = min(end, self.deadline)
        return max(timedelta(0), end - self.started - timedelta(seconds=self.paused_seconds))

    def _charge_current(self, until: datetime) -> None:
        """Add the time the current item has been on screen to that item."""
        if self.shown_at is not None and self.paused_at is None and until > self.shown_at:
            self.slots[self.current].seconds += (until - self.shown_at).total_seconds()
        self.shown_at = until

    def _check_open(self, now: datetime) -> None:
        if self.finished is not None:
            raise AttemptClosedError("This attempt has been submitted.")
        if self.time_is_up(now):
            raise AttemptClosedError("Time is up.")
        if self.paused_at is not None:
            raise AttemptClosedError("The exam is paused.")

    # --- actions ---
    def select(self, choice: int, now: datetime) -> bool:
        """Answer the current item; False if tutor mode already locked it."""
        self._check_open(now)
        if not 0 <= choice < len(self.slots[self.current].item.options):
            raise ValueError(f"no option {choice}")
        slot = self.slots[self.current]
        if self.mode == TUTOR and slot.answered:
            return False
        slot.choice = choice
        slot.answered_at = now
        return True

    def toggle_flag(self, now: datetime) -> bool:
        self._check_open(now)
        slot = self.slots[self.current]
        slot.flagged = not slot.flagged
        return slot.flagged

    def toggle_strike(self, option: int, now: datetime) -> frozenset[int]:
        """Strike out (or restore) an option: an opt-in practice comfort, off by default."""
        if not self.allow_strike:
            raise AttemptClosedError("Strike-out is off for this attempt.")
        self._check_open(now)
        slot = self.slots[self.current]
        slot.struck = slot.struck ^ {option}
        return slot.struck

    def goto(self, index: int, now: datetime) -> int:
        """Show item `index` (clamped), charging the time spent on the one left."""
        index = max(0, min(index, len(self.slots) - 1))
        if self.finished is None:
            self._charge_current(now)
        self.current = index
        return index

    def pause(self, now: datetime) -> None:
        if not self.allow_pause:
            raise AttemptClosedError("Pause is off for this attempt (the real exam has none).")
        self._check_open(now)
        self._charge_current(now)
        self.paused_at = now

    def unpause(self, now: datetime) -> None:
        """Resume after a pause: the deadline moves by the time paused."""
        if self.paused_at is None:
            return
        gap = max(timedelta(0), now - self.paused_at)
        if self.deadline is not None:
            self.deadline += gap
        self.paused_seconds += gap.total_seconds()
        self.paused_at = None
        self.shown_at = now

    def resume(self, now: datetime) -> bool:
        """After reopening: True if still running; finishes it (time) if the deadline passed."""
        if self.finished is not None:
            return False
        if self.time_is_up(now):
            self.finish(now, "time")
            return False
        self.shown_at = now if self.paused_at is None else self.shown_at
        return True

    def finish(self, now: datetime, reason: str) -> None:
        """Submit: the end is now, or the deadline if that came first."""
        if self.finished is not None:
            return
        end = self.paused_at or now
        if self.deadline is not None:
            end = min(end, self.deadline)
        if self.shown_at is not None and self.shown_at > end:
            self.shown_at = end
        self._charge_current(end)
        self.paused_at = None
        self.finished = end
        self.finish_reason = reason

    # --- queries ---
    def counts(self) -> tuple[int, int, int]:
        """(answered, unanswered, flagged)."""
        answered = sum(s.answered for s in self.slots)
        return answered, len(self.slots) - answered, sum(s.flagged for s in self.slots)

    def step(self, start: int, direction: int, which: str = "all") -> int | None:
        """Next (+1) or previous (-1) index from `start` that is flagged, unanswered or any."""
        i = start + direction
        while 0 <= i < len(self.slots):
            s = self.slots[i]
            if (
                which == "all"
                or (which == "flagged" and s.flagged)
                or (which == "unanswered" and not s.answered)
            ):
                return i
            i += direction
        return None


# ----- scoring --------------------------------------------------------------------------------
def scaled_score(raw: float, cut: float = DEFAULT_CUT, total: int = SCORED_ITEMS) -> float:
    """Estimated scaled score (200-500) of `raw` correct of `total`, assuming a raw cut of `cut`
    of 100 maps to 390: piecewise linear through (0, 200), (cut, 390), (100, 500)."""
    if not 0 < cut < 100:
        raise ValueError("the assumed cut must be between 0 and 100")
    r = 100 * raw / total if total else 0.0
    if r < cut:
        return SCALED_MIN + (PASSING_SCALED - SCALED_MIN) * r / cut
    return PASSING_SCALED + (SCALED_MAX - PASSING_SCALED) * (r - cut) / (100 - cut)


def scaled_band(raw: float, total: int = SCORED_ITEMS) -> tuple[float, float]:
    """The scaled scores `raw` gets when the cut is anywhere in CUT_BAND (a higher cut is lower)."""
    return scaled_score(raw, CUT_BAND[1], total), scaled_score(raw, CUT_BAND[0], total)


@dataclass(frozen=True)
class DomainResult:
    domain: int
    correct: int
    total: int
    weight: float  # blueprint weight
    blueprint_items: int

    @property
    def percent(self) -> float:
        return 100 * self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class ScoreReport:
    """What the results screen shows. Scaled, band and passed exist for full mocks only."""

    kind: str
    correct: int
    total: int
    answered: int
    pretest_correct: int
    pretest_total: int
    cut: int
    scaled: float | None
    band: tuple[float, float] | None
    passed: bool | None
    domains: tuple[DomainResult, ...]
    seconds_used: float
    items: int
    answered_items: int = 0  # of every item, scored and pretest
    seconds_answered: float = 0.0  # time spent on the items answered

    @property
    def percent(self) -> float:
        return 100 * self.correct / self.total if self.total else 0.0

    @property
    def seconds_per_item(self) -> float:
        """Average time on a question answered (blanks, most never shown, would dilute it)."""
        return self.seconds_answered / self.answered_items if self.answered_items else 0.0

    @property
    def incomplete(self) -> bool:
        """Most items were left unanswered: see is_incomplete."""
        return is_incomplete(self.answered_items, self.items)

    @property
    def verdict(self) -> str:
        """'pass', 'fail' or 'borderline' (the band straddles 390); '' for practice."""
        if self.band is None:
            return ""
        if self.band[0] >= PASSING_SCALED:
            return "pass"
        return "fail" if self.band[1] < PASSING_SCALED else "borderline"


def score(attempt: Attempt, now: datetime) -> ScoreReport:
    """Score the scored items only (pretest excluded; unanswered counts as wrong)."""
    scored = [s for s in attempt.slots if not s.pretest]
    pre = [s for s in attempt.slots if s.pretest]
    correct = sum(s.correct for s in scored)
    mock = attempt.kind == MOCK
    scaled = scaled_score(correct, attempt.cut, len(scored)) if mock and scored else None
    return ScoreReport(
        kind=attempt.kind,
        correct=correct,
        total=len(scored),
        answered=sum(s.answered for s in scored),
        pretest_correct=sum(s.correct for s in pre),
        pretest_total=len(pre),
        cut=attempt.cut,
        scaled=scaled,
        band=scaled_band(correct, len(scored)) if scaled is not None else None,
        passed=scaled >= PASSING_SCALED if scaled is not None else None,
        domains=_domain_results(scored),
        seconds_used=attempt.time_used(now).total_seconds(),
        items=len(attempt.slots),
        answered_items=sum(s.answered for s in attempt.slots),
        seconds_answered=sum(s.seconds for s in attempt.slots if s.answered),
    )


def is_incomplete(answered: int, items: int) -> bool:
    """An attempt left with most of its items unanswered (fewer than half answered): not a
    measure of what the candidate knows, so it moves neither readiness nor calibration unless
    the candidate says it should count."""
    return items > 0 and 2 * answered < items


def _domain_results(scored: Sequence[Slot]) -> tuple[DomainResult, ...]:
    out = []
    for d in DOMAINS:
        mine = [s for s in scored if s.item.domain == d.id]
        out.append(
            DomainResult(d.id, sum(s.correct for s in mine), len(mine), d.weight, d.scored_items)
        )
    return tuple(out)
