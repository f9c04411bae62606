"""Seeded simulation of a candidate up to exam day: does exam weighting earn more points?

The learner's TRUE memory follows FSRS with parameters perturbed per learner; the scheduler
only knows the defaults. Each day the learner studies in the app's queue order (learning
cards when due, reviews lowest retrievability first, then new cards) within a daily minutes
budget, paying per answer the FSRS simulator's default costs. On day N the learner sits the
exam: 100 scored items drawn by the blueprint, each testing a random card of its domain and
answered right with probability R + (1 - R) * guess (R = 0 for a card never introduced).
Scores follow the scaled-score model of docs/exam-model.md. Pure and deterministic for a seed.
(Longer than most modules: the learner, the queue and the exam belong in one readable place.)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import fsrs

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.core.exam import scaled_score
from cehrs_cards.core.exam_day import (
    COSTS,
    HORIZON,
    ExamPlacer,
    ReviewCandidate,
    exam_order,
    review_budget,
)
from cehrs_cards.core.memory_model import recall
from cehrs_cards.core.records import CardState, MemoryState, Rating
from cehrs_cards.core.scheduling import (
    DEFAULT_PARAMETERS,
    DEFAULT_TILT,
    PACE_WINDOW,
    Policy,
    Schedulers,
    daily_plan,
    exam_cap,
    new_state,
    pick_new_domain,
    value_ratios,
)

# Rating probabilities: the defaults of the FSRS simulator (fsrs-rs SimulatorConfig, from
# Anki users); answer costs in core/exam_day.py.
FIRST_RATING = (0.24, 0.094, 0.495, 0.171)
RECALL_RATING = (0.224, 0.631, 0.145)  # Hard, Good, Easy when the card is recalled
BLUEPRINT_MIX = tuple(d.weight for d in DOMAINS)
BUNDLED_MIX = (0.271, 0.324, 0.156, 0.155, 0.094)  # the bundled deck's cards per domain
SKEWED_MIX = (0.12, 0.13, 0.30, 0.35, 0.10)  # a billing/HIPAA-heavy imported deck
MIXES = {"bundled": BUNDLED_MIX, "blueprint": BLUEPRINT_MIX, "skewed": SKEWED_MIX}
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # day 0, 09:00: the daily session starts
EXAM_HOUR = 12
LEARN_AHEAD = timedelta(minutes=20)
DAYS = StudyDays(UTC, 4)
ALPHABETICAL = tuple(d.id for d in sorted(DOMAINS, key=lambda d: d.name))
"""Subdecks in alphabetical order (Anki's default deck order): Clinical Operations first."""
_BOUNDS = (fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS)


@dataclass(frozen=True)
class Strategy:
    """How a policy schedules. "weighted" is exactly the app's daily_plan; the rest vary it."""

    order: str  # "value": the app's plan | "deck": creation order | "blueprint": weight shares
    # | "alphabetical": subdecks by name (Anki's default) | "random": new cards shuffled
    tilt: str = "plan"  # "plan": as daily_plan | "value" | "weight": ungated, issue formula
    tilt_strength: float | None = None  # None: the config's (the app's setting)
    eve: bool = False  # cram: due no later than the exam's eve while on track
    uses_pace: bool = True  # plan the exam's capacity from the pace actually achieved
    exam: str = "none"  # "place": final reviews placed (the app) | "cap": the old cap


STRATEGIES: dict[str, Strategy] = {
    "plain": Strategy("deck"),
    "alphabetical": Strategy("alphabetical"),
    "random": Strategy("random"),
    "weighted": Strategy("value", exam="place"),
    "weighted-cap": Strategy("value", exam="cap"),
    "weighted-none": Strategy("value"),
    # ablations, for benchmarks/simulate_policies.py
    "weighted-eve": Strategy("value", eve=True),
    "value-tilt": Strategy("value", tilt_strength=1.0),
    "weight-tilt": Strategy("value", tilt="weight", tilt_strength=1.0),
    "limit-plan": Strategy("value", uses_pace=False),
    "blueprint-interleave": Strategy("blueprint"),
}


@dataclass(frozen=True)
class SimConfig:
    days: int = 60
    cards: int = 1000
    daily_minutes: float = 30.0
    new_per_day: int = 20
    reviews_per_day: int = 9999
    mix: tuple[float, ...] = BUNDLED_MIX
    base_retention: float = 0.90
    tilt: float = DEFAULT_TILT
    guess: float = 0.25  # four-option items: a card not recalled is still guessed right 1 in 4
    cut: float = 70.0  # assumed raw cut score C (docs/exam-model.md)
    spread: float = 0.25  # sd of the log-normal perturbation of the learner's true parameters


@dataclass(frozen=True)
class SeedResult:
    seed: int
    reviews: int
    new_cards: int
    minutes: float
    retrievability: dict[str, float]  # per domain: mean true R on exam day (0 if not introduced)
    introduced: dict[str, float]  # per domain: share of its cards introduced before the exam
    expected_raw: float
    expected_scaled: float
    pass_probability: float
    exam_day_due: int = 0  # cards due on exam day itself (the exam-morning pile)


@dataclass
class _Card:
    id: int
    domain: int
    rng: random.Random | None  # set when introduced: the k-th new card of every policy
    # draws the same random stream, so paired runs differ by policy, not by luck
    sched: MemoryState
    true: MemoryState
    new: bool = True


@dataclass
class _Day:
    clock: datetime
    end: datetime
    spent: float = 0.0
    new_taken: dict[int, int] = field(default_factory=dict)
    reviews: int = 0


def learner_parameters(seed: int, spread: float) -> tuple[float, ...]:
    """The learner's true FSRS parameters: the defaults times log-normal noise, kept in bounds."""
    rng = random.Random(f"learner-{seed}")
    lo, hi = _BOUNDS
    return tuple(
        min(h, max(low, w * math.exp(rng.gauss(0.0, spread))))
        for w, low, h in zip(DEFAULT_PARAMETERS, lo, hi, strict=True)
    )


def deck_domains(cards: int, mix: Sequence[float]) -> list[int]:
    """Domain of each card in creation order: one domain's deck after another, as imported."""
    counts = [round(cards * m / sum(mix)) for m in mix]
    counts[-1] += cards - sum(counts)
    return [d.id for d, n in zip(DOMAINS, counts, strict=True) for _ in range(max(0, n))]


def true_recall(params: Sequence[float], card: fsrs.Card | MemoryState, when: datetime) -> float:
    """FSRS retrievability with fractional elapsed days (the learner's real memory)."""
    if card.last_review is None or card.stability is None:
        return 0.0
    elapsed = max(0.0, (when - card.last_review).total_seconds() / 86400)
    return recall(card.stability, elapsed, params[20])


class _Sim:
    """One learner, one deck, one strategy: study every day, then sit the exam. Subclasses
    (core/projection.py, the readiness calibration study) may set another first day, answer
    costs and rating mix before __init__ runs."""

    start: datetime = START
    costs: Sequence[Sequence[float]] = COSTS
    first_rating: Sequence[float] = FIRST_RATING
    recall_rating: Sequence[float] = RECALL_RATING

    def __init__(self, cfg: SimConfig, strategy: Strategy, seed: int) -> None:
        self.cfg, self.strategy, self.seed = cfg, strategy, seed
        self.true_params = learner_parameters(seed, cfg.spread)
        self.truth = Schedulers(Policy(parameters=self.true_params, fuzz=False), DAYS)
        self.cards = [
            _Card(i, dom, None, new_state(self.start), new_state(self.start))
            for i, dom in enumerate(_ordered(deck_domains(cfg.cards, cfg.mix), strategy, seed), 1)
        ]
        self.active = {d.id: 0 for d in DOMAINS}
        for c in self.cards:
            self.active[c.domain] += 1
        self.ratios = value_ratios(self.active)
        self.exam_day = (self.start + timedelta(days=cfg.days)).date()
        self.introduced_per_day: list[int] = []
        self.reviews_per_day: list[int] = []
        self.introduced = 0
        self.learning: dict[int, _Card] = {}  # cards in (re)learning steps
        self.reviews = 0
        self.seconds = 0.0

    def run(self) -> SeedResult:
        for day in range(self.cfg.days):
            self._study(day)
        return self._exam()

    # ----- one study day ---------------------------------------------------------------------
    def _study(self, day: int) -> None:
        start = self.start + timedelta(days=day)
        today = start.date()
        policy, self.shares = self._plan(today)
        self.placer = self._placer(today, policy) if self.on_track else None
        self.scheds = Schedulers(policy, DAYS, self.placer)
        d = _Day(start, start + timedelta(days=1) - timedelta(hours=9))
        reviews = self._due_reviews(d)
        new = {dom: [c for c in self.cards if c.new and c.domain == dom] for dom in self.active}
        order = [c for c in self.cards if c.new]
        while d.spent < self.cfg.daily_minutes * 60:
            card = self._pick(d, reviews, new, order)
            if card is None:
                break
            self._answer(card, d)
        self.introduced_per_day.append(sum(d.new_taken.values()))
        self.reviews_per_day.append(d.reviews)

    def _plan(self, today: date) -> tuple[Policy, Mapping[int, float] | None]:
        """Today's policy and new-card shares for the strategy."""
        cfg, st = self.cfg, self.strategy
        strength = cfg.tilt if st.tilt_strength is None else st.tilt_strength
        base = Policy(base_retention=cfg.base_retention, tilt=strength, fuzz=False)
        self.on_track = True
        if st.order != "value":
            return replace(base, tilt=0.0), None
        recent = self.introduced_per_day[-PACE_WINDOW:] if st.uses_pace else []
        plan = daily_plan(
            base, today, self.exam_day, cfg.new_per_day, self.active, self._remaining(), recent
        )
        policy, self.on_track = plan.policy, plan.on_track
        if st.exam == "cap":
            policy = replace(policy, maximum_interval=exam_cap(today, self.exam_day))
        if st.eve and plan.on_track:
            policy = replace(policy, maximum_interval=exam_cap(today, self.exam_day, eve=True))
        if st.tilt == "weight":
            policy = replace(policy, ratios=None, tilt=strength)
        return policy, plan.shares

    def _placer(self, today: date, policy: Policy) -> ExamPlacer | None:
        """The app's exam plan: final reviews placed within the recent daily review pace."""
        left = (self.exam_day - today).days
        if self.strategy.exam != "place" or not 0 < left <= HORIZON:
            return None
        loads: dict[int, int] = {}
        for c in self.cards:
            if c.sched.state == CardState.REVIEW:
                k = (c.sched.due.date() - today).days
                if 0 < k < left:
                    loads[k] = loads.get(k, 0) + 1
        sched = fsrs.Scheduler(parameters=policy.parameters, enable_fuzzing=False)
        budget = review_budget(self.cfg.reviews_per_day, self.reviews_per_day[-PACE_WINDOW:])
        return ExamPlacer(sched, left, budget, loads)

    def _remaining(self) -> dict[int, int]:
        remaining = {d: 0 for d in self.active}
        for c in self.cards:
            remaining[c.domain] += c.new
        return remaining

    def _due_reviews(self, d: _Day) -> list[_Card]:
        """Review cards due today, in the app's order, the first last (popped first): lowest
        retrievability, or in the exam's last weeks most exam points per minute."""
        due = [c for c in self.cards if c.sched.state == CardState.REVIEW and c.sched.due < d.end]
        due.sort(key=lambda c: (-_elapsed_over_stability(c.sched, d.clock), -c.id))
        if self.placer is not None:
            by_id = {c.id: c for c in due}
            ranked = exam_order(
                self.placer.sched, [self._candidate(c, d) for c in due], self.placer.days_left
            )
            due = [by_id[i] for i in reversed(ranked)]
        return due

    def _candidate(self, c: _Card, d: _Day) -> ReviewCandidate:
        m = c.sched
        assert m.stability is not None and m.difficulty is not None
        value = self.ratios.get(c.domain, 1.0)
        return ReviewCandidate(
            c.id, value, m.stability, m.difficulty, DAYS.elapsed(m.last_review, d.clock)
        )

    def _pick(
        self, d: _Day, reviews: list[_Card], new: dict[int, list[_Card]], order: list[_Card]
    ) -> _Card | None:
        """The app's queue: learning due, reviews, new within the limit, learning ahead."""
        learning = self._next_learning(d.clock)
        if learning is not None:
            return learning
        if reviews and d.reviews < self.cfg.reviews_per_day:
            return reviews.pop()
        if sum(d.new_taken.values()) < self.cfg.new_per_day:
            card = self._next_new(d, new, order)
            if card is not None:
                return card
        return self._next_learning(d.clock + LEARN_AHEAD)

    def _next_learning(self, cutoff: datetime) -> _Card | None:
        due = [c for c in self.learning.values() if c.sched.due <= cutoff]
        return min(due, key=lambda c: (c.sched.due, c.id)) if due else None

    def _next_new(self, d: _Day, new: dict[int, list[_Card]], order: list[_Card]) -> _Card | None:
        if self.strategy.order in ("deck", "alphabetical", "random"):
            while order and not order[0].new:
                order.pop(0)
            return order[0] if order else None
        available = [dom for dom, q in new.items() if q]
        if not available:
            return None
        dom = pick_new_domain(available, d.new_taken, self.shares)
        return new[dom].pop(0)

    def _answer(self, card: _Card, d: _Day) -> None:
        state = _fsrs_state(card.sched)
        if card.rng is None:
            self.introduced += 1
            card.rng = random.Random(f"{self.seed}-{self.introduced}")
        rating = self._rating(card, d.clock)
        row = 0 if card.new or state == fsrs.State.Learning else 1
        row = 2 if state == fsrs.State.Relearning else row
        cost = self.costs[row][rating - 1]
        if card.new:
            d.new_taken[card.domain] = d.new_taken.get(card.domain, 0) + 1
            card.new = False
        elif state == fsrs.State.Review:
            d.reviews += 1
        r = Rating(rating)
        card.sched = self.scheds.answer(card.id, card.domain, card.sched, r, d.clock)
        card.true = self.truth.answer(card.id, 0, card.true, r, d.clock)
        if self.placer is not None and card.sched.state == CardState.REVIEW:
            self.placer.add(DAYS.elapsed(d.clock, card.sched.due))
        if card.sched.state == CardState.REVIEW:
            self.learning.pop(card.id, None)
        else:
            self.learning[card.id] = card
        d.clock += timedelta(seconds=cost)
        d.spent += cost
        self.reviews += 1
        self.seconds += cost

    def _rating(self, card: _Card, when: datetime) -> int:
        assert card.rng is not None
        u = card.rng.random()
        if card.new:
            return _draw(self.first_rating, u) + 1
        recall = true_recall(self.true_params, card.true, when)
        if u >= recall:
            return 1
        return _draw(self.recall_rating, card.rng.random()) + 2

    # ----- exam day --------------------------------------------------------------------------
    def _exam(self) -> SeedResult:
        when = self.start.replace(hour=EXAM_HOUR) + timedelta(days=self.cfg.days)
        rsum = {d.id: 0.0 for d in DOMAINS}
        seen = {d.id: 0 for d in DOMAINS}
        pile = 0
        for c in self.cards:
            if not c.new:
                rsum[c.domain] += true_recall(self.true_params, c.true, when)
                seen[c.domain] += 1
                pile += c.sched.due.date() == when.date()
        mean_r = {d: rsum[d] / n if n else 0.0 for d, n in self.active.items()}
        g = self.cfg.guess
        probs = [mean_r[d.id] + (1 - mean_r[d.id]) * g for d in DOMAINS]
        dist = raw_distribution([(p, d.scored_items) for p, d in zip(probs, DOMAINS, strict=True)])
        cut = self.cfg.cut
        return SeedResult(
            seed=self.seed,
            reviews=self.reviews,
            new_cards=sum(seen.values()),
            minutes=round(self.seconds / 60, 1),
            retrievability={str(d): round(r, 4) for d, r in mean_r.items()},
            introduced={
                str(d): round(seen[d] / n, 4) if n else 0.0 for d, n in self.active.items()
            },
            expected_raw=sum(k * p for k, p in enumerate(dist)),
            expected_scaled=sum(scaled_score(k, cut) * p for k, p in enumerate(dist)),
            pass_probability=sum(p for k, p in enumerate(dist) if k >= cut),
            exam_day_due=pile,
        )


def _ordered(domains: list[int], strategy: Strategy, seed: int) -> list[int]:
    """Cards' domains in creation order for the baseline's new-card order: deck order,
    subdecks alphabetically (Anki's default), or shuffled."""
    if strategy.order == "alphabetical":
        return sorted(domains, key=ALPHABETICAL.index)
    if strategy.order == "random":
        out = list(domains)
        random.Random(f"order-{seed}").shuffle(out)
        return out
    return domains


def _fsrs_state(m: MemoryState) -> fsrs.State:
    return fsrs.State.Learning if m.state == CardState.NEW else fsrs.State(int(m.state))


def _elapsed_over_stability(card: MemoryState, when: datetime) -> float:
    """Orders reviews like the app's queue: all domains share the decay, so this ranks R."""
    assert card.last_review is not None and card.stability
    return (when - card.last_review).total_seconds() / 86400 / card.stability


def _draw(probs: Sequence[float], u: float) -> int:
    """Index drawn from a discrete distribution with a uniform u in [0, 1)."""
    u *= sum(probs)
    for i, p in enumerate(probs):
        if u < p:
            return i
        u -= p
    return len(probs) - 1


def raw_distribution(groups: Sequence[tuple[float, int]]) -> list[float]:
    """P(raw = k) for independent items: `count` items answered right with probability p each."""
    dist = [1.0]
    for p, count in groups:
        for _ in range(count):
            nxt = [0.0] * (len(dist) + 1)
            for k, q in enumerate(dist):
                nxt[k] += q * (1 - p)
                nxt[k + 1] += q * p
            dist = nxt
    return dist


def simulate(cfg: SimConfig, policy: str, seed: int) -> SeedResult:
    """One seeded run of one policy ("plain", "weighted" or an ablation in STRATEGIES)."""
    return _Sim(cfg, STRATEGIES[policy], seed).run()


METRICS = (
    "expected_scaled",
    "expected_raw",
    "pass_probability",
    "reviews",
    "minutes",
    "exam_day_due",
)


def summarize(results: Sequence[SeedResult]) -> dict[str, dict[str, float]]:
    """Mean and standard error across seeds of each metric."""
    return {m: mean_se([float(getattr(r, m)) for r in results]) for m in METRICS}


def paired_difference(
    a: Sequence[SeedResult], b: Sequence[SeedResult]
) -> dict[str, dict[str, float]]:
    """a minus b, seed by seed (same learner, same random streams): mean and standard error."""
    assert [r.seed for r in a] == [r.seed for r in b]
    return {
        m: mean_se([float(getattr(x, m)) - float(getattr(y, m)) for x, y in zip(a, b, strict=True)])
        for m in METRICS
    }


def mean_se(values: Sequence[float]) -> dict[str, float]:
    n = len(values)
    mean = sum(values) / n if n else 0.0
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    return {"mean": mean, "se": math.sqrt(var / n) if n else 0.0}


def compare(
    cfg: SimConfig,
    seeds: Sequence[int],
    policies: Sequence[str] = ("weighted", "plain"),
    progress: Callable[[int, int], object] | None = None,
) -> dict[str, list[SeedResult]]:
    """Every policy on the same seeds (the same learners), for paired comparisons."""
    out: dict[str, list[SeedResult]] = {p: [] for p in policies}
    total, done = len(policies) * len(seeds), 0
    for seed in seeds:
        for p in policies:
            out[p].append(simulate(cfg, p, seed))
            done += 1
            if progress is not None:
                progress(done, total)
    return out


def with_mix(cfg: SimConfig, mix: str | Sequence[float]) -> SimConfig:
    """cfg with a named ("bundled", "blueprint", "skewed") or explicit five-share deck mix."""
    return replace(cfg, mix=tuple(MIXES[mix] if isinstance(mix, str) else mix))


def report(
    cfg: SimConfig,
    policy: str,
    seeds: Iterable[int],
    progress: Callable[[int, int], object] | None = None,
) -> dict[str, Any]:
    """JSON-ready: `policy` per seed and summarised, plain FSRS on the same learners, and the
    paired difference weighted minus plain (the policy itself when it is not plain)."""
    seeds = list(seeds)
    other = "plain" if policy != "plain" else "weighted"
    runs = compare(cfg, seeds, (policy, other), progress)
    treated = policy if policy != "plain" else "weighted"
    return {
        "config": {**asdict(cfg), "seeds": seeds, "exam_day": cfg.days},
        "policy": policy,
        "per_seed": [asdict(r) for r in runs[policy]],
        "summary": summarize(runs[policy]),
        "baseline": {"policy": other, "summary": summarize(runs[other])},
        "paired_difference": {
            "of": f"{treated} minus plain",
            **paired_difference(runs[treated], runs["plain"]),
        },
    }
