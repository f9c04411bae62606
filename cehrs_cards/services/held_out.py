"""The held-out diagnostic pool: which notes are in it, and the readiness it measures.

The bundled deck marks about 300 multiple-choice notes `heldout = true` (decks/cehrs): items
kept out of study so that a mock's answers to them measure what the candidate can do on
questions they have not drilled, not memory of drilled cards. The flag lives on the note
(column `heldout`, beside the same-fact group `grp`); the study queue and its counts leave
those cards out in SQL (db/queue.py CardScope), and `bank` reads the pool for the exam draw
and the readiness model.

`held_out_readiness` fits core/readiness_model.py to every scored answer to a held-out item in
a counted mock (incomplete mocks count only if the candidate chose so), each with the mean
recall of its domain's studied content when the mock started, and forecasts today's exam.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cehrs_cards.core import readiness_model as rm
from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.domains import DOMAIN_IDS
from cehrs_cards.core.memory_model import recall
from cehrs_cards.db import held_out as q
from cehrs_cards.db.notes import heldout_card_ids
from cehrs_cards.db.session import Session
from cehrs_cards.services.exam_pool import note_types


@dataclass(frozen=True)
class Bank:
    """The collection's flagged cards: the held-out pool and every card's same-fact group."""

    cards: tuple[q.FlaggedCard, ...]

    @functools.cached_property
    def ids(self) -> frozenset[int]:
        """The held-out cards."""
        return frozenset(c.card_id for c in self.cards if c.held_out)

    @functools.cached_property
    def groups(self) -> dict[int, str]:
        """card id -> same-fact group (cards without a group are absent)."""
        return {c.card_id: c.group for c in self.cards if c.group}

    def by_domain(self) -> dict[int, int]:
        """How many held-out cards each blueprint domain has."""
        return {d: sum(c.held_out and c.domain == d for c in self.cards) for d in DOMAIN_IDS}


def bank(s: Session) -> Bank:
    """The held-out pool and same-fact groups of this collection, from the notes' own columns
    (`heldout`, `grp`: filled when a deck is imported, or by the one-time backfill of
    services/item_bank.py for collections older than those columns)."""
    return Bank(tuple(q.flagged_cards(s)))


def held_out_ids(s: Session) -> frozenset[int]:
    """The held-out cards alone (`bank(s).ids`), read through the partial index of held-out
    notes instead of joining every card to its note: what a draw needs to leave them out."""
    return frozenset(heldout_card_ids(s))


def held_out_count(s: Session) -> int:
    """How many held-out cards the collection has (read from the held-out notes' index)."""
    return q.held_out_card_count(s)


@dataclass(frozen=True)
class HeldOutReadiness:
    """The held-out model's forecast for today, or why there is none yet."""

    pool_size: int
    answers: int
    mocks: int
    forecast: rm.Forecast | None
    reasons: tuple[str, ...]
    assumptions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """What `cehrs-cards stats --json` prints (the chance as shown: 1 % to 99 %)."""
        out: dict[str, Any] = {
            "status": "estimate" if self.forecast else "too_few_held_out_answers",
            "label": "Estimate: a model fitted to your held-out answers, not an NHA score",
            "pool_size": self.pool_size,
            "answers": self.answers,
            "mocks": self.mocks,
            "reasons": list(self.reasons),
            "assumptions": list(self.assumptions),
        }
        f = self.forecast
        if f is not None:
            out |= {
                "pass_probability": round(f.shown_pass, 3),
                "pass_probability_by_cut": {
                    str(rm.CUTS[-1]): round(rm.shown(f.pass_band[0]), 3),
                    str(rm.CUTS[0]): round(rm.shown(f.pass_band[1]), 3),
                },
                "raw": round(f.raw, 1),
                "raw_range": [f.raw_low, f.raw_high],
                "domains": [
                    {
                        "domain": d.domain,
                        "answers": d.answers,
                        "right": d.right,
                        "coverage": round(d.coverage, 3),
                        "coverage_range": [round(x, 3) for x in d.coverage_range],
                        "knowledge": round(d.knowledge, 3),
                        "recall": round(d.recall, 3),
                        "expected": round(d.share, 3),
                    }
                    for d in f.domains
                ],
            }
        return out


ASSUMPTIONS = (
    "An estimate, not an NHA score: a model fitted to your answers on held-out items "
    "(questions kept out of your flashcards), so it measures transfer, not drilled recall.",
    "Per domain, an exam item is answered from what the deck teaches (its coverage of the "
    "domain, learnt from your held-out answers; prior mean 75 %) times your current recall "
    "of that domain's cards, or else from prior knowledge or a guess (1 in 4, up to 1 in 3 "
    "when you can rule out an option).",
    "The raw cut is unknown: the pass chance averages every cut from 65 to 75 of 100 "
    "equally, the model's own uncertainty about coverage and prior knowledge, and a model "
    "error of about ±3 raw points for what it leaves out.",
    "Recall is today's: the forecast is for an exam taken now; studying raises it, a gap "
    "lowers it. It is shown between 1 % and 99 %: never certain either way.",
)


def held_out_readiness(
    s: Session, now: datetime, days: StudyDays, decay: float
) -> HeldOutReadiness:
    """Fit the model to every counted held-out answer given before `now` and forecast an
    exam taken `now` (a past moment gives the forecast the app would have made then)."""
    held = held_out_ids(s)
    answers, grouped = _answers_until(s, held, now, days, decay)
    reasons = rm.too_few(grouped, len(held))
    mocks = len({a.attempt_id for a in answers})
    if reasons:
        return HeldOutReadiness(len(held), len(answers), mocks, None, reasons, ASSUMPTIONS)
    posteriors = rm.fit_all(grouped, _first_sight(s, held))
    forecast = rm.forecast(posteriors, [domain_recall(s, now, held, days, decay)])
    return HeldOutReadiness(len(held), len(answers), mocks, forecast, (), ASSUMPTIONS)


def fitted_posteriors(
    s: Session, now: datetime, days: StudyDays, decay: float
) -> tuple[dict[int, rm.Posterior] | None, tuple[str, ...]]:
    """The model fitted as for `held_out_readiness`, or None and why there is no number."""
    held = held_out_ids(s)
    _, grouped = _answers_until(s, held, now, days, decay)
    reasons = rm.too_few(grouped, len(held))
    return (None, reasons) if reasons else (rm.fit_all(grouped, _first_sight(s, held)), ())


def _answers_until(
    s: Session, held: frozenset[int], now: datetime, days: StudyDays, decay: float
) -> tuple[list[q.PoolAnswer], list[rm.Answers]]:
    answers = first_answers_only([a for a in q.pool_answers(s, held) if a.started <= now])
    return answers, _grouped(s, answers, held, days, decay)


def _first_sight(s: Session, held: frozenset[int]) -> dict[int, rm.FirstSight]:
    """First answers to studied multiple-choice cards per domain (evidence on the floor)."""
    mcq = [i for i, nt in note_types(s).items() if nt.kind == "mcq"]
    return {d: rm.FirstSight(d, n, k) for d, (n, k) in q.first_answers(s, mcq, held).items()}


def first_answers_only(answers: Sequence[q.PoolAnswer]) -> list[q.PoolAnswer]:
    """Each held-out item's first scored answer only: once seen with its rationale, an item
    measures memory of it, not transfer (mocks reuse items only when the pool is used up)."""
    seen: set[int] = set()
    out = []
    for a in answers:
        if a.card_id not in seen:
            seen.add(a.card_id)
            out.append(a)
    return out


def _grouped(
    s: Session,
    answers: Sequence[q.PoolAnswer],
    skip: frozenset[int],
    days: StudyDays,
    decay: float,
) -> list[rm.Answers]:
    """The answers summed per attempt and domain, each with its domain's recall then."""
    out: list[rm.Answers] = []
    starts = {a.attempt_id: a.started for a in answers}
    for aid, when in starts.items():
        m = domain_recall(s, when, skip, days, decay)
        mine = [a for a in answers if a.attempt_id == aid]
        for d in DOMAIN_IDS:
            got = [a.right for a in mine if a.domain == d]
            if got:
                out.append(rm.Answers(d, m.get(d, 0.0), len(got), sum(got)))
    return out


def domain_recall(
    s: Session, when: datetime, skip: frozenset[int], days: StudyDays, decay: float
) -> dict[int, float]:
    """Mean FSRS recall at `when` of each domain's deck cards (held-out ones aside; a card
    not yet studied then counts 0), elapsed time in study days."""
    total = dict.fromkeys(DOMAIN_IDS, 0.0)
    count = dict.fromkeys(DOMAIN_IDS, 0)
    for dom, stability, last in q.memory_at(s, when, skip):
        if dom not in total:
            continue
        count[dom] += 1
        if stability and last is not None:
            total[dom] += recall(stability, days.elapsed(last, when), decay)
    return {d: total[d] / count[d] if count[d] else 0.0 for d in DOMAIN_IDS}
