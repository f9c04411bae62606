"""Daily review: the study queue, answering (committed at once), undo, suspend, bury, flag.

The state saved is computed when the answer is given. Shown and answered on the same study
day, it is exactly the state on the button (rebased on the answer time: last review = the
answer, the same interval from it). If the study day changed in between (shown at 23:00,
answered at 09:00 after a 4 am rollover), the answer is scheduled afresh from the answer
time with today's plan: the labels were right when shown, and a day-old preview would save
a last review from yesterday.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from cehrs_cards.core import decks
from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.exam_day import ExamPlacer, ReviewCandidate, exam_order
from cehrs_cards.core.mcq import mcq_of
from cehrs_cards.core.note_fields import tag_text
from cehrs_cards.core.ops import Changes, OpError, OpResult, UndoStep
from cehrs_cards.core.records import CardState, Counts, MemoryState, Preview, Rating, StudyCard
from cehrs_cards.core.scheduling import DailyPlan, Policy, Schedulers, pick_new_domain
from cehrs_cards.core.stats import StudyFocus
from cehrs_cards.db import notes as note_rows
from cehrs_cards.db import queue, repo, revlog, study
from cehrs_cards.db import row_snapshots as bu
from cehrs_cards.db.catalog import notetype_from_config
from cehrs_cards.db.models import Card, Deck
from cehrs_cards.db.repo import fields_dict
from cehrs_cards.db.session import Rows, Session
from cehrs_cards.db.settings import Settings
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.extra_limits import extra_today
from cehrs_cards.services.memory import apply_memory
from cehrs_cards.services.scheduling import base_policy, exam_placer, plan_for
from cehrs_cards.services.undo import undo_step

LEARN_AHEAD = timedelta(minutes=20)
REVIEW_BATCH = 200
EXAM_ORDER_LIMIT = 20_000
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
        self._review_key: tuple[queue.CardScope, datetime] | None = None
        self._last_note = 0
        """The note of the card answered last (its siblings are not shown right after)."""
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
            self._plan = (w.day_start, plan, schedulers_for(self.col, plan, w))
        return self._plan[1], self._plan[2]

    def study_days(self) -> StudyDays:
        return StudyDays(self.col.tz, self.settings.rollover_hour)

    def window(self) -> queue.DayWindow:
        now = self.col.now()
        days = self.study_days()
        return queue.DayWindow(now, days.start_of(now), days.end_of(now))

    # ----- what to study next -------------------------------------------------------------
    def next_card(self, deck_id: int | None = None) -> StudyCard | None:
        """Learning cards now due, then reviews (lowest retrievability first), then new cards."""
        w = self.window()
        with self.col.read() as s:
            card_id = self._pick(s, w, self.scope(self._deck_ids(s, deck_id)))
            return self._study_card(s, card_id) if card_id is not None else None

    def scope(self, deck_ids: list[int] | None = None) -> queue.CardScope:
        """The cards this session studies: these decks (None: all), the "study this" focus,
        never a held-out diagnostic item."""
        f = self.focus
        ids = None if deck_ids is None else tuple(deck_ids)
        if f is None:
            return queue.CardScope(ids)
        return queue.CardScope(ids, tuple(f.domains), tuple(f.tasks))

    def _pick(self, s: Session, w: queue.DayWindow, decks: queue.CardScope) -> int | None:
        got = queue.next_learning(s, w, decks, w.now, self._last_note)
        if got is not None:
            return got
        new_done, reviews_done = queue.done_today(s, w)
        new_limit, review_limit = self._limits(s, w)
        if reviews_done < review_limit:
            got = self._next_review(s, w, decks)
            if got is not None:
                return got
        if sum(new_done.values()) < new_limit:
            firsts = queue.first_new_per_domain(s, w, decks, queue.notes_studied_today(s, w))
            if firsts:
                return firsts[pick_new_domain(firsts, new_done, self.plan().shares)]
        return queue.next_learning(s, w, decks, w.now + LEARN_AHEAD, self._last_note)

    def _limits(self, s: Session, w: queue.DayWindow) -> tuple[int, int]:
        """Today's new-card and review limits: the settings plus any "study more today"."""
        more = extra_today(s, w.day_start)
        return self.settings.new_per_day + more.new, self.settings.reviews_per_day + more.reviews

    def _next_review(self, s: Session, w: queue.DayWindow, decks: queue.CardScope) -> int | None:
        """Head of a cached batch of due reviews (sorting every due card per answer is slow)."""
        key = (decks, w.day_start)
        if self._review_key != key:
            self._review_ids, self._review_key = [], key
        for attempt in range(2):
            got = self._head_of_batch(s, w)
            if got is not None:
                return got
            if attempt == 0:
                self._review_ids = self._review_order(s, w, decks)
        return None

    def _head_of_batch(self, s: Session, w: queue.DayWindow) -> int | None:
        """The first still-due card of the batch (answered ones drop out), passing over one
        of the note just answered while another is due (siblings never back to back)."""
        due: list[tuple[int, int]] = []
        end = len(self._review_ids)
        for i, card_id in enumerate(self._review_ids):
            note = queue.due_review_note(s, w, card_id)
            if note is not None:
                due.append((card_id, note))
                if note != self._last_note:
                    end = i + 1
                    break
        self._review_ids = [c for c, _ in due] + self._review_ids[end:]
        if not due:
            return None
        return due[-1][0] if due[-1][1] != self._last_note else due[0][0]

    def _review_order(self, s: Session, w: queue.DayWindow, decks: queue.CardScope) -> list[int]:
        """Lowest retrievability first; in the exam's last weeks, most exam points per
        minute first (core/exam_day.py), so a short day does the reviews worth most."""
        placer = self.schedulers.placer
        if not isinstance(placer, ExamPlacer):
            return queue.review_batch(s, w, decks, REVIEW_BATCH)
        days, ratios = self.study_days(), self.plan().ratios
        rows = queue.due_review_rows(s, w, decks, EXAM_ORDER_LIMIT)
        candidates = [
            ReviewCandidate(i, ratios.get(d, 1.0), st, df, days.elapsed(last, w.now))
            for i, d, st, df, last in rows
        ]
        return exam_order(placer.sched, candidates, placer.days_left)[:REVIEW_BATCH]

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

    def _study_card(self, s: Rows, card_id: int) -> StudyCard:
        row = study.study_row(s, card_id)
        if row is None:
            raise LookupError(f"card {card_id} does not exist")
        nt = notetype_from_config(*row.notetype)
        fields = fields_dict(nt, row.fields)
        front, back = nt.render(fields, row.ord)
        now = self.col.now()
        mem = row.memory
        return StudyCard(
            card_id=row.card_id,
            note_id=row.note_id,
            deck_name=row.deck_name,
            domain=row.domain,
            front_html=front,
            back_html=back,
            before=mem,
            previews=self.schedulers.preview(row.card_id, row.domain, mem, now),
            flag=row.flag,
            shown_at=now,
            mcq=mcq_of(fields) if nt.kind == "mcq" else None,
        )

    def _deck_ids(self, s: Session, deck_id: int | None) -> list[int] | None:
        if deck_id is None:
            return None
        root = s.get(Deck, deck_id)
        if root is None:
            return []
        return decks.within(root.name, repo.deck_names(s))

    # ----- answering ------------------------------------------------------------------------
    def answer(self, card: StudyCard, rating: Rating, duration_ms: int = 0) -> OpResult[bool]:
        """Save the state for `rating` computed at answer time (see the module docstring),
        with its review-log row; bury the card's siblings until tomorrow (settings). The
        value says whether the answer made the card a leech."""
        now = self.col.now()
        self._last_note = card.note_id
        after = self.state_at_answer(card, rating, now)
        w = self.window()
        placer = self.schedulers.placer
        with self.col.plain_transaction() as s:
            stored = study.card_memory(s, card.card_id)
            if stored is None or stored[1] != card.before:
                raise StaleCardError("This card changed since it was shown.")
            study.set_memory(s, card.card_id, after, now)
            log_id = revlog.add_answer(
                s, card.card_id, now, rating, duration_ms, card.before, after
            )
            tagged = self._tag_if_leech(s, stored[0], card.before, after)
            st = self.settings
            buried = queue.bury_siblings(s, w, card.card_id, st.bury_new, st.bury_reviews)
        if isinstance(placer, ExamPlacer) and after.state == CardState.REVIEW:
            placer.add(self.study_days().elapsed(now, after.due))

        leech = tagged is not None

        def restore(s: Session) -> None:
            queue.restore_buried(s, buried)
            _undo_answer(s, log_id, card.card_id, card.before)
            if tagged is not None:
                bu.restore(s, tagged)

        changes = Changes(
            cards=True,
            review_log=True,
            notes=leech,
            leech=leech,
            card_ids=frozenset([card.card_id, *(i for i, _ in buried)]),
        )
        step: UndoStep | None = undo_step(self.col, "Answer", restore, changes, card.card_id)
        return OpResult(leech, changes, step)

    def state_at_answer(self, card: StudyCard, rating: Rating, now: datetime) -> MemoryState:
        """The state to save for `rating` answered at `now`: the button's own state when
        shown the same study day (rebased on `now`), else computed afresh at `now`."""
        shown = card.shown_at
        days = self.study_days()
        if shown is None or days.day_of(shown) != days.day_of(now):
            return self.schedulers.answer(card.card_id, card.domain, card.before, rating, now)
        after = _preview_for(card, rating).after
        return replace(after, last_review=now, due=now + (after.due - shown))

    def _tag_if_leech(
        self, s: Rows, note_id: int, before: MemoryState, after: MemoryState
    ) -> bu.Snapshot | None:
        """Tag the note 'leech' when this answer's lapse reaches the leech threshold (as Anki
        does); the note's tags as they were (for undo) if the tag was added now."""
        threshold = self.settings.leech_lapses
        if threshold <= 0 or after.lapses <= before.lapses or after.lapses < threshold:
            return None
        for _, tags in note_rows.note_tags(s, [note_id]):
            if LEECH_TAG not in tags.split():
                new = tag_text([*tags.split(), LEECH_TAG])
                return bu.update_each(s, "note", {note_id: {"tags": new}})
        return None

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


def schedulers_for(col: Collection, plan: DailyPlan, w: queue.DayWindow) -> Schedulers:
    """Today's schedulers: the plan's policy on the user's study days, with the exam-day
    placement of final reviews when an exam is near (services/scheduling.py)."""
    return Schedulers(plan.policy, col.study_days(), exam_placer(col, plan, w))


def _undo_answer(s: Session, log_id: int, card_id: int, before: MemoryState) -> None:
    """Put the card back as it was shown and remove the answer's log row."""
    revlog.delete(s, [log_id])
    card = s.get(Card, card_id)
    if card is not None:
        apply_memory(card, before, card.modified)
        s.add(card)


def answer_then_next(
    review: ReviewService, card: StudyCard, rating: Rating, duration_ms: int, deck_id: int | None
) -> OpResult[tuple[bool, StudyCard | None]]:
    """The answer (its value: whether the card became a leech), then the card to show after
    it, read once the answer is committed: one trip to the writer thread for the study
    screen, where two cost a thread hop and a second signal each way. A refused answer
    raises before anything is read."""
    result = review.answer(card, rating, duration_ms)
    return OpResult((result.value, review.next_card(deck_id)), result.changes, result.undo)


def remaining(review: ReviewService, deck_id: int | None) -> Counts:
    """Today's studyable counts of one deck (with subdecks) or all, capped by daily limits."""
    w = review.window()
    with review.col.read() as s:
        ids = review._deck_ids(s, deck_id)
        by_deck = queue.counts_by(s, w, "deck_id", review.scope())
    wanted = by_deck if ids is None else {k: v for k, v in by_deck.items() if k in set(ids)}
    return review.limited(sum(wanted.values(), Counts()))
