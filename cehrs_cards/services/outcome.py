"""Real exam results (issue 20 item 6): after the exam date the app asks once how the exam
went and keeps the answer beside the estimate it would have shown that morning, so the
statistics can set the two side by side. Stored in the collection only; nothing leaves it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from cehrs_cards.core.domains import PASSING_SCALED
from cehrs_cards.core.ops import Changes, OpError, OpResult
from cehrs_cards.db.settings import load_section, save_section
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.held_out import held_out_readiness
from cehrs_cards.services.scheduling import base_policy, exam_date_of

OUTCOMES_KEY = "exam_outcomes"
SCALED_RANGE = (200, 500)


class OutcomeError(OpError):
    """A result that cannot be stored as given."""


@dataclass(frozen=True)
class Prediction:
    """The held-out estimate as of the exam day's start (None figures: there was none)."""

    pass_probability: float | None
    raw: float | None
    raw_range: tuple[int, int] | None
    answers: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExamOutcome:
    """One real exam: the date, what the candidate reported (passed None: not said) and the
    estimate the app would have shown that morning."""

    exam_date: date
    recorded_at: datetime
    passed: bool | None
    scaled: int | None
    prediction: Prediction

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["exam_date"] = self.exam_date.isoformat()
        out["recorded_at"] = self.recorded_at.isoformat()
        return out

    @staticmethod
    def from_json(raw: dict[str, Any]) -> ExamOutcome:
        p = dict(raw["prediction"])
        p["raw_range"] = tuple(p["raw_range"]) if p.get("raw_range") else None
        p["reasons"] = tuple(p.get("reasons", ()))
        return ExamOutcome(
            date.fromisoformat(raw["exam_date"]),
            datetime.fromisoformat(raw["recorded_at"]),
            raw.get("passed"),
            raw.get("scaled"),
            Prediction(**p),
        )


class OutcomeService:
    def __init__(self, col: Collection) -> None:
        self.col = col

    def outcomes(self) -> list[ExamOutcome]:
        """Every recorded exam, oldest first (unreadable entries are skipped)."""
        with self.col.read() as s:
            raw = load_section(s, OUTCOMES_KEY) or []
        out = []
        for r in raw if isinstance(raw, list) else []:
            try:
                out.append(ExamOutcome.from_json(r))
            except (KeyError, TypeError, ValueError):
                continue
        return sorted(out, key=lambda o: o.exam_date)

    def pending(self) -> date | None:
        """The exam date to ask about: set, passed (the study day after it has begun), and
        not asked about yet."""
        exam = exam_date_of(self.col.settings())
        if exam is None or self.col.study_days().day_of(self.col.now()) <= exam:
            return None
        return None if any(o.exam_date == exam for o in self.outcomes()) else exam

    def record(self, exam: date, passed: bool | None, scaled: int | None) -> OpResult[ExamOutcome]:
        """Keep the result (passed None and scaled None: the candidate would rather not say;
        the app will not ask again) beside the estimate of the exam morning."""
        if scaled is not None and not SCALED_RANGE[0] <= scaled <= SCALED_RANGE[1]:
            raise OutcomeError(
                f"A scaled score is between {SCALED_RANGE[0]} and {SCALED_RANGE[1]}."
            )
        if scaled is not None and passed is not None and passed != (scaled >= PASSING_SCALED):
            raise OutcomeError(
                f"A scaled score of {scaled} {'fails' if passed else 'passes'}: "
                f"{PASSING_SCALED} is the pass mark."
            )
        outcome = ExamOutcome(exam, self.col.now(), passed, scaled, self.prediction_for(exam))
        with self.col.transaction() as s:
            raw = load_section(s, OUTCOMES_KEY)
            kept = (
                [r for r in raw if r.get("exam_date") != exam.isoformat()]
                if isinstance(raw, list)
                else []
            )
            save_section(s, OUTCOMES_KEY, [*kept, outcome.to_json()])
        return OpResult(outcome, Changes(settings=True))

    def prediction_for(self, exam: date) -> Prediction:
        """The held-out estimate the app would have shown at the start of the exam day."""
        days = self.col.study_days()
        when = days.start(exam)
        decay = base_policy(self.col.settings()).parameters[20]
        with self.col.read() as s:
            h = held_out_readiness(s, when, days, decay)
        f = h.forecast
        if f is None:
            return Prediction(None, None, None, h.answers, h.reasons)
        return Prediction(
            round(f.shown_pass, 3), round(f.raw, 1), (f.raw_low, f.raw_high), h.answers
        )
