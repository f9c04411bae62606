"""Plain records passed between layers: ids and values, never ORM objects or widgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from cehrs_cards.core.mcq import Mcq


class CardState(IntEnum):
    """Memory state of a card. NEW has no fsrs counterpart (fsrs starts it as Learning)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True)
class MemoryState:
    """What the scheduler knows of a card; saved on the card row and in the review log."""

    state: CardState
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class Preview:
    """One answer button: the rating, the state it will save, and the label shown."""

    rating: Rating
    after: MemoryState
    label: str


@dataclass(frozen=True)
class StudyCard:
    """A card ready to show: rendered sides, its domain and the four previews."""

    card_id: int
    note_id: int
    deck_name: str
    domain: int
    front_html: str
    back_html: str
    before: MemoryState
    previews: tuple[Preview, ...]
    flag: int = 0
    shown_at: datetime | None = None
    mcq: Mcq | None = None  # a multiple-choice card: answered by picking an option first


@dataclass(frozen=True)
class Counts:
    new: int = 0
    learning: int = 0
    due: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.new + other.new, self.learning + other.learning, self.due + other.due)

    def __sub__(self, other: Counts) -> Counts:
        return Counts(self.new - other.new, self.learning - other.learning, self.due - other.due)


@dataclass(frozen=True)
class DeckRow:
    """A row of the deck list: full name, nesting depth, counts of what is studyable today."""

    deck_id: int
    name: str
    depth: int
    counts: Counts
    total: int = 0


@dataclass
class SessionSummary:
    """Tally of one study session, shown when the queue runs dry."""

    reviewed: int = 0
    by_rating: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0, 4: 0})
    seconds: float = 0.0

    @property
    def again_rate(self) -> float:
        return self.by_rating[1] / self.reviewed if self.reviewed else 0.0
