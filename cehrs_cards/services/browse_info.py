"""Card info (the full review history with FSRS stability, difficulty and retrievability over
time) and leeches (cards forgotten again and again, to be rewritten)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cehrs_cards.core.history import LEARN, RELEARN, Entry, counts, is_reset
from cehrs_cards.core.ops import Changes, OpResult
from cehrs_cards.core.records import CardState
from cehrs_cards.db import repo, revlog
from cehrs_cards.db.models import Card, Deck, Note, NoteType
from cehrs_cards.db.repo import notetype_from_row
from cehrs_cards.db.session import Session
from cehrs_cards.db.settings import load_settings
from cehrs_cards.services.card_text import decay_of, question_text
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.notes import NotesService

CURVE_STEPS = 24
LEECH_TAG = "leech"
LEECH_ADVICE = (
    "These cards were forgotten {n} or more times. Reviewing them again rarely helps: rewrite "
    "them. Split a card that asks two things, ask for one fact in your own words, add an "
    "example or a mnemonic, or turn a list into cloze deletions. Suspend the ones not worth it."
)


def retrievability(days: float, stability: float, decay: float) -> float:
    """FSRS power forgetting curve: probability of recall `days` after a review."""
    factor = 0.9 ** (1 / -decay) - 1
    return float((1 + factor * max(0.0, days) / stability) ** -decay)


@dataclass(frozen=True)
class ReviewEntry:
    """One answer: when, which button, the recall probability just before, the state after."""

    at: datetime
    rating: int
    state_before: CardState
    elapsed_days: float | None
    r_before: float | None
    stability: float | None
    difficulty: float | None
    interval_days: float
    seconds: float


@dataclass(frozen=True)
class CardInfo:
    card_id: int
    note_id: int
    question: str
    notetype: str
    deck: str
    domain: int
    state: CardState
    created: datetime
    due: datetime
    last_review: datetime | None
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    reps: int
    lapses: int
    suspended: bool
    flag: int
    history: list[ReviewEntry]
    curve: list[tuple[datetime, float]]
    """Retrievability from the first review to now, stepping up at each review."""
    resets: list[datetime] = field(default_factory=list)
    """When the card was reset to new (its history before each starts another life)."""


def card_info(collection: Collection, card_id: int) -> CardInfo:
    """Everything known about one card, with its review history oldest first."""
    with collection.read() as s:
        card = s.get(Card, card_id)
        if card is None:
            raise KeyError(f"card {card_id} not found")
        note = s.get(Note, card.note_id)
        nt_row = s.get(NoteType, note.notetype_id) if note else None
        deck = s.get(Deck, card.deck_id)
        assert note is not None and nt_row is not None and deck is not None
        decay = decay_of(load_settings(s).parameters)
        logs = revlog.card_history(s, card_id)
    nt = notetype_from_row(nt_row)
    now = collection.now()
    history = _entries(logs, decay)
    r_now = None
    if card.state != CardState.NEW and card.stability and card.last_review:
        r_now = retrievability(float((now - card.last_review).days), card.stability, decay)
    assert card.id is not None and note.id is not None
    return CardInfo(
        card_id=card.id,
        note_id=note.id,
        question=question_text(nt, note.fields, card.ord),
        notetype=nt.name,
        deck=deck.name,
        domain=card.domain,
        state=CardState(card.state),
        created=card.created,
        due=card.due,
        last_review=card.last_review,
        stability=card.stability,
        difficulty=card.difficulty,
        retrievability=r_now,
        reps=card.reps,
        lapses=card.lapses,
        suspended=card.suspended,
        flag=card.flag,
        history=history,
        curve=_curve(_since_last_reset(history, logs), now, decay),
        resets=[e.at for e in logs if is_reset(e)],
    )


def _entries(logs: list[Entry], decay: float) -> list[ReviewEntry]:
    """The answers among a card's log rows, each with what its earlier rows tell: the state
    before it, the days since the previous answer and the recall probability then (a reset
    starts the card's life again: its first answer after one is a new card's)."""
    out: list[ReviewEntry] = []
    previous: Entry | None = None
    for e in logs:
        if is_reset(e):
            previous = None
        if not counts(e):
            continue
        elapsed = (e.at - previous.at).total_seconds() / 86400 if previous else None
        stab = previous.stability if previous else None
        r_before = None
        if elapsed is not None and stab:
            r_before = retrievability(float(int(elapsed)), stab, decay)
        before = _STATE_BEFORE.get(e.kind, CardState.REVIEW)
        if e.kind == LEARN and previous is None:
            before = CardState.NEW
        out.append(
            ReviewEntry(
                at=e.at,
                rating=e.rating,
                state_before=before,
                elapsed_days=elapsed,
                r_before=r_before,
                stability=e.stability,
                difficulty=e.difficulty,
                interval_days=e.interval_days,
                seconds=e.duration_ms / 1000,
            )
        )
        previous = e
    return out


_STATE_BEFORE = {LEARN: CardState.LEARNING, RELEARN: CardState.RELEARNING}


def _since_last_reset(history: list[ReviewEntry], logs: list[Entry]) -> list[ReviewEntry]:
    resets = [e.at for e in logs if is_reset(e)]
    return [h for h in history if not resets or h.at > resets[-1]]


def _curve(history: list[ReviewEntry], now: datetime, decay: float) -> list[tuple[datetime, float]]:
    """R sampled between consecutive reviews (continuous time), from the first review to now."""
    points: list[tuple[datetime, float]] = []
    for i, entry in enumerate(history):
        if not entry.stability:
            continue
        end = history[i + 1].at if i + 1 < len(history) else now
        span = max(timedelta(0), end - entry.at)
        for k in range(CURVE_STEPS + 1):
            at = entry.at + span * (k / CURVE_STEPS)
            days = (at - entry.at).total_seconds() / 86400
            points.append((at, retrievability(days, entry.stability, decay)))
    return points


# ----- leeches ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leech:
    card_id: int
    note_id: int
    question: str
    lapses: int
    deck: str
    domain: int
    tagged: bool


def leeches(collection: Collection) -> tuple[int, list[Leech]]:
    """(threshold, cards with at least that many lapses), most lapses first."""
    with collection.read() as s:
        threshold = load_settings(s).leech_lapses
        return threshold, _leeches(s, threshold)


def _leeches(s: Session, threshold: int) -> list[Leech]:
    types = repo.notetypes(s)
    out = []
    for card, note, deck in repo.leech_rows(s, threshold):
        assert card.id is not None and note.id is not None
        q = question_text(types[note.notetype_id], note.fields, card.ord)
        tagged = LEECH_TAG in {t.lower() for t in note.tags.split()}
        out.append(Leech(card.id, note.id, q, card.lapses, deck.name, card.domain, tagged))
    return out


def tag_leeches(collection: Collection) -> OpResult[int]:
    """Tag every leech's note 'leech' (one undoable step); how many notes were newly tagged."""
    _, found = leeches(collection)
    untagged = [lch for lch in found if not lch.tagged]
    if not untagged:
        return OpResult(0, Changes())
    tagged = NotesService(collection).add_tags([lch.card_id for lch in untagged], [LEECH_TAG])
    return OpResult(len({lch.note_id for lch in untagged}), tagged.changes, tagged.undo)
