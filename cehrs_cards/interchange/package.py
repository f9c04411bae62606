"""What every reader produces and every writer consumes: a parsed deck package, no DB."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple, Protocol

from cehrs_cards.core.notetypes import BUILTINS, NoteTypeDef
from cehrs_cards.core.ops import Cancelled, OpError


class DeckFormatError(OpError, ValueError):
    """A deck file that cannot be read; the message says where and why, for the user."""


class ImportCancelled(Cancelled):
    """The user cancelled; nothing was written (a read stops, an import rolls back)."""


MAX_DECK_LEVELS = 100  # Anki decks nest a handful of levels; thousands make every deck list slow
MAX_DECK_CHARS = 1000
DECK_SEP = "::"


def deck_name_problem(name: str) -> str | None:
    """Why a deck name from a file is refused (too long, too many levels), or None."""
    levels = name.count(DECK_SEP) + 1
    if levels > MAX_DECK_LEVELS:
        return f"a deck name has {levels:,} levels; the limit is {MAX_DECK_LEVELS}"
    if len(name) > MAX_DECK_CHARS:
        return f"a deck name has {len(name):,} characters; the limit is {MAX_DECK_CHARS:,}"
    return None


class ReviewIn(NamedTuple):
    """One Anki review-log entry as Anki keeps it (rslib revlog): the time in ms since the epoch
    (its id), the button (0 = a manual change), the entry type, the intervals before and after
    (days if > 0, -seconds if < 0) and the ease or FSRS difficulty (factor). (A tuple: a
    heavy package brings a million, made straight from the rows read.)"""

    at_ms: int
    rating: int
    duration_ms: int = 0
    kind: int = 1  # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled
    interval: int = 0
    last_interval: int = 0
    factor: int = 0  # ease in permille (SM-2), or FSRS difficulty as 100-1100; 0 none

    @property
    def at(self) -> datetime:
        return _EPOCH + timedelta(milliseconds=self.at_ms)

    @property
    def cramming(self) -> bool:
        """Answered in a filtered deck without rescheduling: Anki's filtered entry, no ease."""
        return self.kind == 3 and self.factor == 0


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class CardIn:
    """A card the package carries (Anki packages); scheduling fields only with its history."""

    ord: int
    deck: str
    kind: int = 0  # Anki card type: 0 new, 1 learning, 2 review, 3 relearning
    queue: int = 0  # Anki queue: -1 suspended, -2/-3 buried, 0 new, 1/3 learning, 2 review
    due: datetime | None = None
    interval_days: int = 0
    ease_permille: int = 0
    reps: int = 0
    lapses: int = 0
    flag: int = 0
    history: list[ReviewIn] = field(default_factory=list)
    stability: float | None = None  # FSRS memory state (export only: Anki keeps it in `data`)
    difficulty: float | None = None
    last_review: datetime | None = None
    left: int = 0  # learning steps still to go
    anki_id: int = 0  # the card's id in the package (its review log is looked up by it)
    anki_mod: int = 0  # Anki's modification time of the card (seconds since the epoch; 0: none)


@dataclass(slots=True)
class NoteIn:
    guid: str
    notetype: str
    deck: str
    fields: dict[str, str]
    tags: list[str] = field(default_factory=list)
    domain: int | None = None
    task: str | None = None
    difficulty: str | None = None
    source: str | None = None
    cards: list[CardIn] = field(default_factory=list)  # empty: made from the note type
    # Item-bank metadata of our own format (decks/FORMAT.md); other formats leave the defaults.
    group: str | None = None  # items testing the same fact share a group: one per exam form
    heldout: bool = False  # diagnostic pool: never studied, drawn only for mock scored items
    level: str | None = None  # MCQ level: "apply" (job task) or "recall"
    checked: date | None = None  # when a fact that can age was last checked against its source
    waive: list[str] = field(default_factory=list)  # "flag: reason" for deck-check patterns
    # An Anki note's id (its creation time in ms) and modification time (whole seconds since
    # the epoch, 0 for none), kept on import.
    anki_id: int = 0
    anki_mod: int = 0


class NoteStream(Protocol):
    """Notes read afresh on each walk, never all held (a big Anki package, apkg_notes.py)."""

    def __iter__(self) -> Iterator[NoteIn]: ...
    def __len__(self) -> int: ...
    def transform(self, change: Callable[[NoteIn], None]) -> None:
        """Apply `change` to every note of every later walk."""

    def keys(self) -> tuple[list[str], list[int], list[int]]:
        """GUIDs, note and card Anki ids, without a walk (the cards' ids may all be 0 when
        their scheduling is not read: the count is what is used then)."""
        ...

    def has_tag_text(self, text: str) -> bool: ...
    def close(self) -> None: ...


@dataclass
class Package:
    notes: list[NoteIn] | NoteStream = field(default_factory=list)
    notetypes: dict[str, NoteTypeDef] = field(default_factory=lambda: {n.name: n for n in BUILTINS})
    media: dict[str, bytes] = field(default_factory=dict)
    media_files: dict[str, Path] = field(default_factory=dict)  # name -> extracted temp file
    media_names: list[str] = field(default_factory=list)  # every media name, extracted or not
    has_scheduling: bool = False
    format: str = ""  # what was read, for the preview: "Anki package (collection.anki21b)"
    history: HistorySource | None = None
    """An Anki package's review log, read card by card while importing (apkg_history.py);
    None when the cards carry their history themselves (or there is none)."""

    def history_of(self, card: CardIn) -> list[ReviewIn]:
        """The card's review-log entries, oldest first."""
        if self.history is not None and card.anki_id:
            return self.history.of(card.anki_id)
        return card.history

    def change_notes(self, change: Callable[[NoteIn], None]) -> None:
        """Apply `change` to every note: now, or as each is read (a stream)."""
        if isinstance(self.notes, list):
            for note in self.notes:
                change(note)
        else:
            self.notes.transform(change)

    def note_keys(self) -> tuple[list[str], list[int], list[int]]:
        """Every note's GUID, and the Anki ids of its notes and cards (some may be 0)."""
        if not isinstance(self.notes, list):
            return self.notes.keys()
        notes = self.notes
        return (
            [n.guid for n in notes],
            [n.anki_id for n in notes],
            [c.anki_id for n in notes for c in n.cards],
        )

    def close(self) -> None:
        """Let go of what reading left behind (the unpacked collection of a package)."""
        if self.history is not None:
            self.history.close()
            self.history = None
        if not isinstance(self.notes, list):
            self.notes.close()


class HistorySource(Protocol):
    rows: int
    db: Path  # the unpacked collection it reads (a replay process opens it too)

    def of(self, card_id: int) -> list[ReviewIn]: ...
    def start_walk(self, cards: tuple[int, int] = ...) -> None: ...
    def card_at_share(self, share: float) -> int | None: ...
    def close(self) -> None: ...
