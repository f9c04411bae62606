"""Mock exams and practice blocks: assemble a form, start, save after every answer or flag,
resume after a crash with the clock as it really stands, score, history, send misses to review.

Each action is one transaction, so a killed app loses at most the action in flight.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from cehrs_cards.core.domains import DOMAIN_IDS, EXAM_MINUTES
from cehrs_cards.core.exam import (
    DEFAULT_CUT,
    MOCK,
    PRACTICE,
    SECONDS_PER_ITEM,
    TIMED,
    Attempt,
    AttemptClosedError,
    ExamItem,
    ScoreReport,
    Slot,
    score,
)
from cehrs_cards.core.exam_draw import FormSlot, draw_block, draw_form
from cehrs_cards.core.ops import Changes, OpError, OpResult
from cehrs_cards.core.records import CardState
from cehrs_cards.db import exam_attempts as rows_q
from cehrs_cards.db.models import ExamAttempt as AttemptRow
from cehrs_cards.db.settings import load_section, save_section
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exam_catalog import Cards, usable_cards
from cehrs_cards.services.exam_groups import groups_by_note
from cehrs_cards.services.exam_pool import FILTERS, filtered_ids
from cehrs_cards.services.exam_source import DbSource
from cehrs_cards.services.exam_store import (
    CardTiming,
    HistoryEntry,
    attempt_of,
    domain_percents,
    history_entry,
    item_counts,
    item_row,
    restore,
    write_head,
    write_slot,
)
from cehrs_cards.services.held_out import held_out_ids
from cehrs_cards.services.held_out_draw import Excluding, OneGroup, PoolFirst, clean
from cehrs_cards.services.undo import undo_step

OPTIONS_KEY = "exam_options"


@dataclass(frozen=True)
class ExamOptions:
    """The user's mock settings: the assumed cut, the opt-in comforts, and whether items
    generated from flashcards may take part (all off by default: authored items only while
    they can fill the form)."""

    cut: int = DEFAULT_CUT
    allow_pause: bool = False
    allow_strike: bool = False
    generated: bool = False


@dataclass(frozen=True)
class BlockSpec:
    """A practice block: domains, size, filters (any of unused/incorrect/flagged), mode."""

    domains: tuple[int, ...] = DOMAIN_IDS
    size: int = 20
    filters: tuple[str, ...] = ()
    mode: str = TIMED
    include_generated: bool = False


@dataclass(frozen=True)
class Form:
    """An assembled form, before any clock starts."""

    seed: int
    slots: tuple[FormSlot, ...]
    items: tuple[ExamItem, ...]
    diagnostic: bool = True
    """Every scored item is a held-out item no earlier mock used (services/held_out_draw.py)."""

    def to_json(self) -> dict[str, Any]:
        rows = [
            {
                "position": i + 1,
                "card_id": slot.candidate.card_id,
                "note_id": slot.candidate.note_id,
                "guid": item.guid,
                "domain": slot.candidate.domain,
                "pretest": slot.pretest,
                "generated": slot.candidate.generated,
            }
            for i, (slot, item) in enumerate(zip(self.slots, self.items, strict=True))
        ]
        scored: dict[str, int] = {str(d): 0 for d in DOMAIN_IDS}
        for r in rows:
            if not r["pretest"]:
                scored[str(r["domain"])] += 1
        pretest = [r["position"] for r in rows if r["pretest"]]
        return {
            "seed": self.seed,
            "items": rows,
            "scored_per_domain": scored,
            "pretest_positions": pretest,
            "minutes": EXAM_MINUTES,
        }


@dataclass(frozen=True)
class SentToReview:
    cards: int  # cards now due
    were_new: int  # of which new cards, moved into learning


@dataclass(frozen=True)
class BlockCatalog:
    """Every usable item (card id -> note id by domain and kind) and the filter sets: what the
    practice dialog counts live as the user ticks boxes."""

    cards: Cards
    matches: dict[str, frozenset[int]]  # filter -> card ids
    groups: dict[int, str] = field(default_factory=dict)  # note id -> same-fact group

    def available(self, spec: BlockSpec) -> int:
        """How many items a block with this spec can hold: distinct notes, a same-fact group
        counting once."""
        allowed: set[int] | None = None
        if spec.filters:
            allowed = set().union(*(self.matches[f] for f in spec.filters))
        units: set[int | str] = set()
        for (dom, generated), cards in self.cards.items():
            if dom not in spec.domains or (generated and not spec.include_generated):
                continue
            notes = (
                cards.values() if allowed is None else (n for c, n in cards.items() if c in allowed)
            )
            units.update(self.groups.get(n, n) for n in notes)
        return len(units)


T = TypeVar("T")


class ExamSetupError(OpError, ValueError):
    """An exam or block that cannot be set up as asked; the message says why."""


def _exam_op(value: T) -> OpResult[T]:
    return OpResult(value, EXAM_CHANGES)


EXAM_CHANGES = Changes(exams=True)


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31)


class ExamService:
    def __init__(self, col: Collection) -> None:
        self.col = col

    # ----- settings --------------------------------------------------------------------------
    def options(self) -> ExamOptions:
        with self.col.read() as s:
            stored: dict[str, Any] = load_section(s, OPTIONS_KEY) or {}
        if "generated" not in stored and stored.get("generated_scored"):
            stored["generated"] = True  # the older name of the same opt-in
        known = ExamOptions.__dataclass_fields__
        return ExamOptions(**{k: v for k, v in stored.items() if k in known})

    def save_options(self, opts: ExamOptions) -> OpResult[None]:
        if not 0 < opts.cut < 100:
            raise ExamSetupError("The assumed cut must be between 1 and 99 of 100.")
        with self.col.transaction() as s:
            save_section(s, OPTIONS_KEY, asdict(opts))
        return OpResult(None, Changes(settings=True))

    # ----- assembling ------------------------------------------------------------------------
    def assemble(self, seed: int | None = None, opts: ExamOptions | None = None) -> Form:
        """A full mock form by the blueprint: scored items from the held-out pool (unused ones
        first, then studied items once it is used up), pretest items from the rest."""
        opts = opts or self.options()
        seed = new_seed() if seed is None else seed
        with self.col.read() as s:
            source = DbSource(s, seed, seen_kind=MOCK, generated=True)
            held = held_out_ids(s)
            group = OneGroup()
            scored = PoolFirst(source, held, source.seen, group)
            rng = random.Random(seed)
            slots = draw_form(
                Excluding(source, held, group), rng, generated=opts.generated, scored=scored
            )
            items = tuple(source.item(f.candidate) for f in slots)
        return Form(seed, tuple(slots), items, clean(slots, scored))

    def start_mock(
        self, seed: int | None = None, opts: ExamOptions | None = None
    ) -> OpResult[Attempt]:
        """Assemble a form and start its 125-minute clock (the deadline is stored)."""
        opts = opts or self.options()
        form = self.assemble(seed, opts)
        now = self.col.now()
        slots = [Slot(item, f.pretest) for f, item in zip(form.slots, form.items, strict=True)]
        att = Attempt(MOCK, TIMED, now, now + timedelta(minutes=EXAM_MINUTES), slots)
        return _exam_op(self._begin(att, form.seed, opts, {"diagnostic": form.diagnostic}))

    def block_catalog(self) -> BlockCatalog:
        """Every item a block could use, with the filter sets (for live counts in a dialog)."""
        with self.col.read() as s:
            held = held_out_ids(s)
            cards = {
                k: {c: n for c, n in v.items() if c not in held} for k, v in usable_cards(s).items()
            }
            matches = {f: frozenset(filtered_ids(s, (f,)) or ()) for f in FILTERS}
            notes = sorted({n for by_card in cards.values() for n in by_card.values()})
            groups = groups_by_note(s, notes)
        return BlockCatalog(cards, matches, groups)

    def block_available(self, spec: BlockSpec) -> int:
        """How many distinct items a block with this spec can draw from."""
        return self.block_catalog().available(spec)

    def start_block(self, spec: BlockSpec, seed: int | None = None) -> OpResult[Attempt]:
        """A practice block: timed (a minute per item, like the exam) or tutor (untimed)."""
        if spec.size < 1:
            raise ExamSetupError("A block needs at least one question.")
        if not spec.domains:
            raise ExamSetupError("Choose at least one domain.")
        seed = new_seed() if seed is None else seed
        with self.col.read() as s:
            allowed = filtered_ids(s, spec.filters)
            gen = spec.include_generated
            source = DbSource(s, seed, seen_kind=None, generated=gen, allowed=allowed)
            pool = Excluding(source, held_out_ids(s), OneGroup())
            picked = draw_block(pool, random.Random(seed), spec.size, spec.domains)
            slots = [Slot(source.item(c)) for c in picked]
        now = self.col.now()
        deadline = now + timedelta(seconds=SECONDS_PER_ITEM * len(slots))
        att = Attempt(PRACTICE, spec.mode, now, deadline if spec.mode == TIMED else None, slots)
        return _exam_op(self._begin(att, seed, self.options(), {"block": asdict(spec)}))

    def _begin(self, att: Attempt, seed: int, opts: ExamOptions, extra: dict[str, Any]) -> Attempt:
        att.seed, att.cut, att.shown_at = seed, opts.cut, att.started
        att.allow_pause, att.allow_strike = opts.allow_pause, opts.allow_strike
        att.extra = extra | {"generated": opts.generated}
        with self.col.transaction() as s:
            row = AttemptRow(kind=att.kind, mode=att.mode, started=att.started)
            write_head(row, att)
            s.add(row)
            s.flush()
            assert row.id is not None
            att.id = row.id
            for i, slot in enumerate(att.slots):
                s.add(item_row(row.id, i, slot))
        return att

    # ----- loading ---------------------------------------------------------------------------
    def unfinished(self) -> int | None:
        """Id of the newest attempt not yet submitted, if any."""
        with self.col.read() as s:
            return rows_q.unfinished_id(s)

    def now(self) -> datetime:
        return self.col.now()

    def resume_unfinished(self) -> OpResult[Attempt | None]:
        """The newest unfinished attempt, its clock as it really stands (scored if its time
        ran out meanwhile), or None."""
        attempt_id = self.unfinished()
        if attempt_id is None:
            return OpResult(None, Changes())
        got = self.resume(attempt_id)
        return OpResult(got.value, got.changes)

    def load(self, attempt_id: int) -> Attempt:
        with self.col.read() as s:
            row = s.get(AttemptRow, attempt_id)
            if row is None:
                raise KeyError(f"no exam attempt {attempt_id}")
            items = rows_q.items_of(s, attempt_id)
        return attempt_of(row, items)

    def resume(self, attempt_id: int) -> OpResult[Attempt]:
        """Reopen an attempt with the clock as it really stands; scores it if time ran out."""
        att = self.load(attempt_id)
        was_open = att.finished is None
        att.resume(self.col.now())
        self._save(att, [att.current], final=was_open and att.finished is not None)
        return _exam_op(att)

    # ----- actions (each saved at once) --------------------------------------------------------
    def _guard(self, att: Attempt) -> datetime:
        now = self.col.now()
        if att.time_is_up(now):
            self.submit(att, "time")
            raise AttemptClosedError("Time is up: the attempt was submitted.")
        return now

    def select(self, att: Attempt, choice: int) -> OpResult[bool]:
        now = self._guard(att)
        changed = att.select(choice, now)
        if changed:
            self._save(att, [att.current])
        return _exam_op(changed)

    def toggle_flag(self, att: Attempt) -> OpResult[bool]:
        flagged = att.toggle_flag(self._guard(att))
        self._save(att, [att.current])
        return _exam_op(flagged)

    def toggle_strike(self, att: Attempt, option: int) -> OpResult[frozenset[int]]:
        struck = att.toggle_strike(option, self._guard(att))
        self._save(att, [att.current])
        return _exam_op(struck)

    def goto(self, att: Attempt, index: int) -> OpResult[int]:
        if att.finished is not None:
            return _exam_op(att.goto(index, self.col.now()))
        left = att.current
        got = att.goto(index, self._guard(att))
        self._save(att, [left])
        return _exam_op(got)

    def pause(self, att: Attempt) -> OpResult[None]:
        att.pause(self._guard(att))
        self._save(att, [att.current])
        return _exam_op(None)

    def unpause(self, att: Attempt) -> OpResult[None]:
        att.unpause(self.col.now())
        self._save(att, [])
        return _exam_op(None)

    def submit(self, att: Attempt, reason: str = "submitted") -> OpResult[ScoreReport]:
        """Finish and score (idempotent); the end is the deadline if that came first."""
        if att.finished is not None:
            return _exam_op(self.report(att))
        current = att.current
        att.finish(self.col.now(), reason)
        self._save(att, [current], final=True)
        return _exam_op(self.report(att))

    def check_time(self, att: Attempt) -> OpResult[bool]:
        """Submit the attempt if its time is up; True if that happened now."""
        if att.time_is_up(self.col.now()):
            self.submit(att, "time")
            return _exam_op(True)
        return _exam_op(False)

    def report(self, att: Attempt) -> ScoreReport:
        return score(att, self.col.now())

    def _save(self, att: Attempt, positions: list[int], final: bool = False) -> None:
        assert att.id is not None
        with self.col.transaction() as s:
            row = s.get(AttemptRow, att.id)
            assert row is not None
            if final:
                rep = score(att, self.col.now())
                row.correct, row.total, row.scaled = rep.correct, rep.total, rep.scaled
                att.extra["incomplete"] = rep.incomplete
            write_head(row, att)
            s.add(row)
            for pos in set(positions):
                write_slot(s, att.id, pos, att.slots[pos])

    # ----- after -----------------------------------------------------------------------------
    def history(self, kind: str | None = None) -> list[HistoryEntry]:
        """Finished attempts, oldest first, with per-domain percent correct (scored items)."""
        with self.col.read() as s:
            rows = rows_q.finished(s, kind)
            by_domain = domain_percents(s)
            sizes = item_counts(s)
        return [
            history_entry(r, by_domain.get(r.id or 0, {}), sizes.get(r.id or 0, (0, 0)))
            for r in rows
        ]

    def set_counted(self, att: Attempt, counted: bool) -> OpResult[None]:
        """The candidate's say on an incomplete attempt: count it toward readiness, calibration
        and the trend after all (or not again)."""
        att.extra["counted"] = counted
        self._save(att, [])
        return OpResult(None, Changes(exams=True))

    def send_missed_to_review(
        self, att: Attempt, include_blank: bool = False
    ) -> OpResult[SentToReview]:
        """Make the card of every item answered wrong due now (one click, undoable); the
        unanswered ones too only if `include_blank` (most were never even shown when an
        attempt is abandoned). A new card moves into learning, due now, so it is studied today
        whatever the new-card limit."""
        ids = {s.item.card_id for s in missed_slots(att, include_blank) if s.item.card_id}
        now = self.col.now()
        old: dict[int, CardTiming] = {}
        with self.col.transaction() as s:
            for card in rows_q.cards(s, ids):
                assert card.id is not None
                old[card.id] = CardTiming(card.state, card.step, card.due, card.buried_until)
                if card.state == CardState.NEW:
                    card.state, card.step = int(CardState.LEARNING), 0
                card.due, card.buried_until, card.modified = now, None, now
                s.add(card)
        was_new = sum(t.state == CardState.NEW for t in old.values())
        changes = Changes(cards=True)
        step = undo_step(self.col, "Send missed to review", lambda s: restore(s, old), changes)
        return OpResult(SentToReview(len(old), was_new), changes, step)


def missed_slots(att: Attempt, include_blank: bool = False) -> list[Slot]:
    """Items answered wrong, and the unanswered ones too if `include_blank`."""
    return [s for s in att.slots if not s.correct and (s.answered or include_blank)]
