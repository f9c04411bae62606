"""SQLModel tables. The schema is created and upgraded by db/migrations.py, never create_all;
the column lists used by position are in db/columns.py (checked against these below)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from cehrs_cards.db import columns as db_columns


class Deck(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # full path, levels joined by '::'
    parent_id: int | None = Field(default=None, foreign_key="deck.id")


class NoteType(SQLModel, table=True):
    __tablename__ = "notetype"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str  # basic | reversed | cloze | mcq | custom
    config: str  # JSON: fields, templates, css


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    guid: str = Field(unique=True)
    notetype_id: int = Field(foreign_key="notetype.id")
    fields: str  # JSON list, in the note type's field order
    sort_field: str = ""  # plain text of the first field, for sorting and display
    tags: str = ""  # space-separated
    task: str | None = None
    difficulty: str | None = None
    source: str | None = None
    created: datetime
    modified: datetime
    grp: str | None = None  # same-fact group of the item bank (deck format: `group`)
    heldout: int = 0  # 1: diagnostic pool, never studied (deck format: `heldout`)


class Card(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id")
    deck_id: int = Field(foreign_key="deck.id")
    ord: int = 0
    domain: int = 0  # 1..5, 0 = unassigned
    state: int = 0  # CardState
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    buried_until: datetime | None = None
    flag: int = 0
    created: datetime
    modified: datetime


class RevLog(SQLModel, table=True):
    """A review-log row (db/revlog.py reads and writes them; this model lists the columns)."""

    __tablename__ = "revlog"
    id: int | None = Field(default=None, primary_key=True)  # time: ms since the epoch, UTC
    card_id: int = Field(foreign_key="card.id")
    kind: int  # Anki's entry type: 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 resched
    rating: int  # 1-4; 0 for a manual entry
    interval: int = 0  # Anki's: days (> 0) or -seconds (< 0); 0 left no schedule
    stability_x1000: int | None = None  # memory state after: stability in 1/1000 day
    difficulty_x100: int | None = None  # ... and difficulty (1-10) in hundredths
    duration_ms: int = 0


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str  # JSON


class ExamAttempt(SQLModel, table=True):
    """A mock exam or practice block (schema step 2). The deadline is stored, never ticked."""

    __tablename__ = "exam_attempt"
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # mock | practice
    mode: str  # timed | tutor
    seed: int | None = None
    cut: int = 70  # assumed raw cut out of 100 used for the scaled estimate
    options: str = "{}"  # JSON: pause, strike, generated_scored, block spec
    started: datetime
    deadline: datetime | None = None
    shown_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0
    current: int = 0
    finished: datetime | None = None
    finish_reason: str | None = None  # submitted | time
    correct: int | None = None
    total: int | None = None
    scaled: float | None = None


class ExamItem(SQLModel, table=True):
    """One position of an attempt, with the item's content as shown and the user's answer."""

    __tablename__ = "exam_item"
    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="exam_attempt.id")
    position: int
    card_id: int | None = Field(default=None, foreign_key="card.id")
    note_id: int | None = Field(default=None, foreign_key="note.id")
    domain: int = 0
    pretest: bool = False
    generated: bool = False
    content: str  # JSON: stem, options, answer, explanation, rationales, guid
    choice: int | None = None
    flagged: bool = False
    struck: str = ""  # option indexes struck out, e.g. "13"
    seconds: float = 0.0
    answered_at: datetime | None = None


def columns(model: type[SQLModel]) -> tuple[str, ...]:
    """A table's columns in the model's order (db/columns.py names the lists by position;
    checked against the models below)."""
    return tuple(model.model_fields)


if (columns(Card), columns(Note), columns(RevLog)) != (
    db_columns.CARD,
    db_columns.NOTE,
    db_columns.REVLOG,
):
    raise RuntimeError("a model's columns no longer match db/columns.py")
