"""Daily review: the study queue, answering (committed at once), undo, suspend, bury, flag."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from cehrs_cards.core import decks
from cehrs_cards.core.mcq import mcq_of
from cehrs_cards.core.ops import Changes, OpError, OpResult, UndoStep
from cehrs_cards.core.records import Counts, MemoryState, Preview, Rating, StudyCard
from cehrs_cards.core.scheduling import (
    DailyPlan,
    Policy,
    Schedulers,
    pick_new_domain,
    study_day_end,
    study_day_start,
)
from cehrs_cards.core.stats import StudyFocus
from cehrs_cards.db import queue
from cehrs_cards.db.models import Card, Deck, Note, NoteType, RevLog
from cehrs_cards.db.repo import fields_dict, notetype_from_row
from cehrs_cards.db.settings import Settings
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.custom_study import extra_today
from cehrs_cards.services.memory import apply_memory, before_columns, memory_before, memory_of
from cehrs_cards.services.scheduling import base_policy, plan_for
from cehrs_cards.services.undo import undo_step

LEARN_AHEAD = timedelta(minutes=20)
REVIEW_BATCH = 200
LEECH_TAG = "leech"


class StaleCardError(OpError):
    """The card changed since it was shown (e.g. edited elsewhere); show it again."""


def policy_of(settings: Settings) -> Policy:
    """The user's settings as a Policy, before the day's exam plan (see services/scheduling)."""
    return base_policy(settings)


class ReviewService:
    def __init__(self, col: Collection) -> None:
        self.col = col
        self._review_ids: list[int] = []
        self._review_key: tuple[str, datetime] | None = None
        self.focus: StudyFocus | None = None
        """Restricts the queue to some domains or task areas ("study this"); None: no limit."""
        self.reload_settings()

    def reload_settings(self) -> None:
        self.settings = self.col.settings()
        self._plan: tuple[datetime, DailyPlan, Schedulers] | None = None

    def plan(self) -> DailyPlan:
        """Today's exam-weighted plan (computed once per study day and settings change)."""
        return self._today()[0]

    @property
    def schedulers(self) -> Schedulers:
        """Today's fsrs schedulers, one per domain, from the plan's policy."""
        return self._today()[1]

    def _today(self) -> tuple[DailyPlan, Schedulers]:
        w = self.window()
        if self._plan is None or self._plan[0] != w.day_start:
            plan = plan_for(self.col, self.settings, w)
            self._plan = (w.day_start, plan, Schedulers(plan.policy))
        return self._plan[1], self._plan[2]

    def window(self) -> queue.DayWindow:
        now = self.col.now()
        hour = self.settings.rollover_hour
        return queue.DayWindow(
            now, study_day_start(now, self.col.tz, hour), study_day_end(now, self.col.tz, hour)
        )

    # ----- what to study next -------------------------------------------------------------
    def next_card(self, deck_id: int | None = None) -> StudyCard | None:
        """Learning cards now due, then reviews (lowest retrievability first), then new cards."""
        w = self.window()
        with self.col.read() as s:
            decks = queue.deck_filter(self._deck_ids(s, deck_id)) + self.focus_sql()
            card_id = self._pick(s, w, decks)
            return self._study_card(s, card_id) if card_id is not None else None

    def focus_sql(self) -> str:
        f = self.focus
        return queue.focus_filter(f.domains, f.tasks) if f else ""

    def _pick(self, s: Session, w: queue.DayWindow, decks: str) -> int | None:
        got = queue.next_learning(s, w, decks, w.now)
        if got is not None:
            return got
        new_done, reviews_done = queue.done_today(s, w)
        new_limit, review_limit = self._limits(s, w)
        if reviews_done < review_limit:
            got = self._next_review(s, w, decks)
            if got is not None:
                return got
        if sum(new_done.values()) < new_limit:
            firsts = queue.first_new_per_domain(s, w, decks)
            if firsts:
                return firsts[pick_new_domain(firsts, new_done, self.plan().shares)]
        return queue.next_learning(s, w, decks, w.now + LEARN_AHEAD)

    def _limits(self, s: Session, w: queue.DayWindow) -> tuple[int, int]:
        """Today's new-card and review limits: the settings plus any "study more today"."""
        more = extra_today(s, w.day_start)
        return self.settings.new_per_day + more.new, self.settings.reviews_per_day + more.reviews

    def _next_review(self, s: Session, w: queue.DayWindow, decks: str) -> int | None:
        """Head of a cached batch of due reviews (sorting every due card per answer is slow)."""
        key = (decks, w.day_start)
        if self._review_key != key:
            self._review_ids, self._review_key = [], key
        for attempt in range(2):
            while self._review_ids:
                if queue.is_due_review(s, w, self._review_ids[0]):
                    return self._review_ids[0]
                self._review_ids.pop(0)
            if attempt == 0:
                self._review_ids = queue.review_batch(s, w, decks, REVIEW_BATCH)
        return None

    def is_studyable(self, card_id: int) -> bool:
        """The card still exists and is neither suspended nor buried (after an edit elsewhere)."""
        with self.col.read() as s:
            card = s.get(Card, card_id)
        if card is None or card.suspended:
            return False
        return card.buried_until is None or card.buried_until <= self.col.now()

    def study_card(self, card_id: int) -> StudyCard:
        with self.col.read() as s:
            return self._study_card(s, card_id)

    def _study_card(self, s: Session, card_id: int) -> StudyCard:
        card = s.get(Card, card_id)
        assert card is not None and card.id is not None
        note = s.get(Note, card.note_id)
        nt_row = s.get(NoteType, note.notetype_id) if note else None
        deck = s.get(Deck, card.deck_id)
        assert note is not None and note.id is not None and nt_row and deck
        nt = notetype_from_row(nt_row)
        fields = fields_dict(nt, note.fields)
        front, back = nt.render(fields, card.ord)
        now = self.col.now()
        mem = memory_of(card)
        return StudyCard(
            card_id=card.id,
            note_id=note.id,
            deck_name=deck.name,
            domain=card.domain,
            front_html=front,
            back_html=back,
            before=mem,
            previews=self.schedulers.preview(card.id, card.domain, mem, now),
            flag=card.flag,
            shown_at=now,
            mcq=mcq_of(fields) if nt.kind == "mcq" else None,
        )

    def _deck_ids(self, s: Session, deck_id: int | None) -> list[int] | None:
        if deck_id is None:
            return None
        root = s.get(Deck, deck_id)
        if root is None:
            return []
        rows = [(i, n) for i, n in s.exec(select(Deck.id, Deck.name)).all() if i is not None]
        return decks.within(root.name, rows)

    # ----- answering ------------------------------------------------------------------------
    def answer(self, card: StudyCard, rating: Rating, duration_ms: int = 0) -> OpResult[bool]:
        """Save exactly the state shown on the button for `rating`, with its review-log row;
        the value says whether the answer made the card a leech."""
        preview = _preview_for(card, rating)
        now = self.col.now()
        with self.col.transaction() as s:
            row = s.get(Card, card.card_id)
            if row is None or memory_of(row) != card.before:
                raise StaleCardError("This card changed since it was shown.")
            apply_memory(row, preview.after, now)
            s.add(row)
            log = _revlog(card, preview, rating, duration_ms, now)
            s.add(log)
            leech = self._tag_if_leech(s, row, card.before, preview.after)
            s.flush()
            log_id = log.id

        def restore(s: Session) -> None:
            _undo_answer(s, log_id)
            if leech:
                _set_tag(s, card.note_id, LEECH_TAG, False)

        changes = Changes(
            cards=True,
            review_log=True,
            notes=leech,
            leech=leech,
            card_ids=frozenset([card.card_id]),
        )
        step: UndoStep | None = undo_step(self.col, "Answer", restore, changes, card.card_id)
        return OpResult(leech, changes, step)

    def _tag_if_leech(self, s: Session, row: Card, before: MemoryState, after: MemoryState) -> bool:
        """Tag the note 'leech' when this answer's lapse reaches the leech threshold (as Anki
        does); True if the tag was added now."""
        threshold = self.settings.leech_lapses
        if threshold <= 0 or after.lapses <= before.lapses or after.lapses < threshold:
            return False
        return _set_tag(s, row.note_id, LEECH_TAG, True)

    # ----- counts -----------------------------------------------------------------------------
    def limits_left(self) -> tuple[int, int]:
        """(new cards, reviews) still allowed today."""
        w = self.window()
        with self.col.read() as s:
            new_done, reviews_done = queue.done_today(s, w)
            new_limit, review_limit = self._limits(s, w)
        return (
            max(0, new_limit - sum(new_done.values())),
            max(0, review_limit - reviews_done),
        )

    def limited(self, c: Counts) -> Counts:
        new_left, rev_left = self.limits_left()
        return Counts(min(c.new, new_left), c.learning, min(c.due, rev_left))


def _preview_for(card: StudyCard, rating: Rating) -> Preview:
    return next(p for p in card.previews if p.rating == rating)


def _revlog(
    card: StudyCard, preview: Preview, rating: Rating, duration_ms: int, now: datetime
) -> RevLog:
    after: MemoryState = preview.after
    assert after.last_review is not None
    last = card.before.last_review
    elapsed = (after.last_review - last).total_seconds() / 86400 if last else None
    return RevLog(
        card_id=card.card_id,
        reviewed_at=now,
        rating=int(rating),
        duration_ms=max(0, min(duration_ms, 3_600_000)),
        **before_columns(card.before),
        state=int(after.state),
        stability=after.stability,
        difficulty=after.difficulty,
        due=after.due,
        elapsed_days=elapsed,
    )


def _undo_answer(s: Session, log_id: int | None) -> None:
    log = s.get(RevLog, log_id)
    if log is None:
        return
    card = s.get(Card, log.card_id)
    if card is not None:
        apply_memory(card, memory_before(log), card.modified)
        s.add(card)
    s.delete(log)


def remaining(review: ReviewService, deck_id: int | None) -> Counts:
    """Today's studyable counts of one deck (with subdecks) or all, capped by daily limits."""
    w = review.window()
    with review.col.read() as s:
        ids = review._deck_ids(s, deck_id)
        by_deck = queue.counts_by(s, w, "deck_id", review.focus_sql())
    wanted = by_deck if ids is None else {k: v for k, v in by_deck.items() if k in set(ids)}
    return review.limited(sum(wanted.values(), Counts()))


def _set_tag(s: Session, note_id: int, tag: str, on: bool) -> bool:
    """Add or remove one tag of a note; True if that changed anything."""
    note = s.get(Note, note_id)
    if note is None:
        return False
    tags = set(note.tags.split())
    if (tag in tags) == on:
        return False
    tags = tags | {tag} if on else tags - {tag}
    note.tags = " ".join(sorted(tags))
    s.add(note)
    return True
