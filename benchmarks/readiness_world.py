"""The synthetic world of the readiness calibration study (benchmarks/readiness_calibration.py).

A candidate has a TRUE coverage of each domain's exam content by the deck, a transfer rate
(recalling a card answers an item on the same content), prior knowledge per domain (facts
known before studying: such a card's first answer is right and it is never forgotten) and a
share of unknown items where an option can be ruled out (guess 1 in 3 instead of 1 in 4).
They study with the app's own queue and scheduler (core/simulate.py, the app's policy with
exam-day placement; their true memory follows FSRS with their own perturbed parameters), take
1-3 mocks on random days and sit the real exam on their exam day. This module only records
what the study needs at each mock and on exam morning; readiness_calibration.py draws the
answers, fits both models and scores them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import fsrs

from cehrs_cards.core import simulate as sim
from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.core.memory_model import fsrs_outcome, retrievability
from cehrs_cards.core.readiness import GroupMemory
from cehrs_cards.core.records import MemoryState, Rating
from cehrs_cards.core.scheduling import DEFAULT_PARAMETERS

DECK_CARDS = 500
"""Studied cards per candidate (the bundled deck's mix; about half its size, for speed: the
model reads the mean recall of a domain, which does not depend on the deck's size)."""
MCQ_SHARE = 0.8
"""Share of studied cards that are multiple choice (the bundled deck: 824 of about 1,060)."""
KNOWN_RATING = (0.0, 0.0, 0.5, 0.5)
RIGHT_PICK_RATING = (0.0, 0.15, 0.65, 0.2)


@dataclass(frozen=True)
class Candidate:
    """The truth about one synthetic candidate (none of it is shown to the models)."""

    seed: int
    days: int
    minutes: float
    new_per_day: int
    coverage: tuple[float, ...]
    transfer: float
    knowledge: tuple[float, ...]
    eliminate: float
    lenient: float
    mock_days: tuple[int, ...]

    @property
    def guess(self) -> float:
        """Mean chance of guessing an unknown item right."""
        return 0.25 + self.eliminate * (1 / 3 - 0.25)


def draw_candidate(seed: int) -> Candidate:
    """A candidate with varied pace, coverage, prior knowledge and guessing."""
    rng = random.Random(f"candidate-{seed}")
    days = rng.randint(14, 60)
    base_c, base_k = rng.uniform(0.5, 0.95), rng.uniform(0.0, 0.45)
    mocks = sorted(rng.sample(range(max(1, days // 4), days), rng.randint(1, 3)))
    return Candidate(
        seed=seed,
        days=days,
        minutes=math.exp(rng.uniform(math.log(5), math.log(40))),
        new_per_day=rng.choice((10, 15, 20, 30)),
        coverage=tuple(_clip(base_c + rng.gauss(0, 0.05), 0.3, 1.0) for _ in DOMAINS),
        transfer=rng.uniform(0.85, 1.0),
        knowledge=tuple(_clip(base_k + rng.gauss(0, 0.05), 0.0, 0.9) for _ in DOMAINS),
        eliminate=rng.uniform(0.0, 0.6),
        lenient=rng.uniform(0.2, 0.6),
        mock_days=tuple(mocks),
    )


def _clip(x: float, low: float, high: float) -> float:
    return min(high, max(low, x))


@dataclass(frozen=True)
class CardView:
    """One studied card at a moment: the app's recall estimate, the true recall, and whether
    the candidate knew its content before studying."""

    app_r: float
    true_r: float
    known: bool
    mcq: bool


@dataclass(frozen=True)
class Snapshot:
    """Everything at one moment (a mock's start, or exam morning)."""

    day: int
    cards: dict[int, tuple[CardView, ...]]
    """Per domain."""
    memory: dict[int, GroupMemory]
    """What today's model reads: per domain, cards, studied cards and the sum of app R."""
    tests: int
    """Answers to cards in review (a day or more after the previous one)."""
    first_sight: dict[int, tuple[int, int]]
    """Per domain: first answers to multiple-choice cards, and how many were right."""

    def recall(self, domain: int) -> float:
        """The app's mean recall m of the domain's cards (0 for never studied)."""
        cards = self.cards[domain]
        return sum(c.app_r for c in cards) / len(cards) if cards else 0.0


@dataclass(frozen=True)
class Trajectory:
    candidate: Candidate
    mocks: tuple[Snapshot, ...]
    exam: Snapshot
    minutes: float
    reviews: int


class _Truth:
    """The candidate's real memory: FSRS with their parameters, one outcome per answer."""

    def __init__(self, params: Sequence[float]) -> None:
        self.sched = fsrs.Scheduler(parameters=tuple(params), enable_fuzzing=False)

    def answer(
        self, card_id: int, _domain: int, mem: MemoryState, rating: Rating, now: datetime
    ) -> MemoryState:
        return fsrs_outcome(self.sched, card_id, mem, rating, now, sim.DAYS).after


class Learner(sim._Sim):
    """core/simulate.py's learner with prior knowledge and partial-knowledge guessing."""

    def __init__(self, cand: Candidate) -> None:
        cfg = sim.SimConfig(
            days=cand.days,
            cards=DECK_CARDS,
            daily_minutes=cand.minutes,
            new_per_day=cand.new_per_day,
        )
        super().__init__(cfg, sim.STRATEGIES["weighted"], cand.seed)
        self.cand = cand
        self.truth = _Truth(self.true_params)  # type: ignore[assignment]
        self.app = fsrs.Scheduler(parameters=DEFAULT_PARAMETERS, enable_fuzzing=False)
        rng = random.Random(f"facts-{cand.seed}")
        self.known = {c.id: rng.random() < cand.knowledge[c.domain - 1] for c in self.cards}
        self.mcq = {c.id: rng.random() < MCQ_SHARE for c in self.cards}
        self.first: dict[int, list[int]] = {d.id: [0, 0] for d in DOMAINS}

    def _rating(self, card: sim._Card, when: datetime) -> int:
        assert card.rng is not None
        u, v = card.rng.random(), card.rng.random()
        if self.known[card.id]:
            if card.new and self.mcq[card.id]:  # a first sight answered from prior knowledge
                self.first[card.domain][0] += 1
                self.first[card.domain][1] += 1
            return sim._draw(KNOWN_RATING, v) + 1
        if not card.new:
            r = sim.true_recall(self.true_params, card.true, when)
            return 1 if u >= r else sim._draw(self.recall_rating, v) + 2
        if not self.mcq[card.id]:
            return sim._draw((0.0, 0.0, 0.8, 0.2), v) + 1 if u < self.cand.lenient else 1
        right = u < (1 / 3 if card.rng.random() < self.cand.eliminate else 0.25)
        self.first[card.domain][0] += 1
        self.first[card.domain][1] += right
        return sim._draw(RIGHT_PICK_RATING, v) + 1 if right else 1

    def trajectory(self) -> Trajectory:
        mocks = []
        for day in range(self.cfg.days):
            if day in self.cand.mock_days:
                mocks.append(self.snapshot(day, self.start + timedelta(days=day, hours=-1)))
            self._study(day)
        exam_at = self.start.replace(hour=sim.EXAM_HOUR) + timedelta(days=self.cfg.days)
        exam = self.snapshot(self.cfg.days, exam_at - timedelta(hours=4))
        return Trajectory(self.cand, tuple(mocks), exam, self.seconds / 60, self.reviews)

    def snapshot(self, day: int, when: datetime) -> Snapshot:
        cards: dict[int, list[CardView]] = {d.id: [] for d in DOMAINS}
        for c in self.cards:
            app = 0.0 if c.new else retrievability(self.app, c.sched, when, sim.DAYS)
            true = 0.0 if c.new else sim.true_recall(self.true_params, c.true, when)
            cards[c.domain].append(CardView(app, true, self.known[c.id], self.mcq[c.id]))
        memory = {
            d: GroupMemory(len(v), sum(not c.new for c in self.cards if c.domain == d), _sum(v))
            for d, v in cards.items()
        }
        return Snapshot(
            day=day,
            cards={d: tuple(v) for d, v in cards.items()},
            memory=memory,
            tests=sum(self.reviews_per_day),
            first_sight={d: (n, k) for d, (n, k) in self.first.items()},
        )


def _sum(cards: Sequence[CardView]) -> float:
    return sum(c.app_r for c in cards)


def trajectory(seed: int) -> Trajectory:
    """One candidate's study, mocks and exam morning (pure, deterministic for a seed)."""
    return Learner(draw_candidate(seed)).trajectory()


# ----- answers: held-out items, today's mock items, the real exam ---------------------------
POOL = {1: 84, 2: 96, 3: 45, 4: 45, 5: 30}
"""The bundled deck's held-out pool per domain: three mocks' scored items."""


def _guessed(cand: Candidate, rng: random.Random) -> bool:
    third = rng.random() < cand.eliminate
    return rng.random() < (1 / 3 if third else 0.25)


def answer_card(cand: Candidate, card: CardView, rng: random.Random, transfer: bool) -> bool:
    """An item on a studied card's content: known before, recalled (and, for an item that
    is not the card itself, transferred), or guessed."""
    if card.known:
        return True
    if rng.random() < card.true_r * (cand.transfer if transfer else 1.0):
        return True
    return _guessed(cand, rng)


def answer_other(cand: Candidate, domain: int, rng: random.Random) -> bool:
    """An item on content the deck does not teach: prior knowledge or a guess."""
    return rng.random() < cand.knowledge[domain - 1] or _guessed(cand, rng)


def answer_exam_item(
    cand: Candidate, snap: Snapshot, domain: int, coverage: float, rng: random.Random
) -> bool:
    """An item drawn from the domain's exam content: covered with probability `coverage`
    (then it asks a random card's content), else content the deck does not teach."""
    cards = snap.cards[domain]
    if cards and rng.random() < coverage:
        return answer_card(cand, cards[rng.randrange(len(cards))], rng, transfer=True)
    return answer_other(cand, domain, rng)


def true_shares(cand: Candidate, snap: Snapshot) -> dict[int, float]:
    """Each domain's true chance of answering a real exam item right (the oracle)."""
    g = cand.guess
    out = {}
    for d in DOMAINS:
        cards, k = snap.cards[d.id], cand.knowledge[d.id - 1]
        covered = [
            1.0 if c.known else c.true_r * cand.transfer + (1 - c.true_r * cand.transfer) * g
            for c in cards
        ]
        p_cov = sum(covered) / len(covered) if covered else 0.0
        c = cand.coverage[d.id - 1] if cards else 0.0
        out[d.id] = c * p_cov + (1 - c) * (k + (1 - k) * g)
    return out
