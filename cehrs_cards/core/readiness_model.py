"""Exam readiness from held-out answers: coverage, prior knowledge and guessing, per domain.

An exam item of domain d is answered right with probability

    p = c·m + (1 − c·m)·f,    f = k + (1 − k)·g

- m: the mean recall of the domain's deck content at the time (FSRS R of every card, 0 for a
  card never studied), computed by the caller on the app's study-day clock;
- c: the deck's coverage of the domain's exam content (and the transfer from a recalled card
  to an item on the same content): the chance that what an item asks is something the deck
  teaches;
- f: the floor, the chance of answering an item without the deck's help: prior knowledge k,
  or else a guess g (1 in 4, up to 1 in 3 with partial knowledge that rules out an option).

c and f are fitted per domain by a grid posterior on every held-out answer (each with the m of
its time), with a Beta prior on c (mean 0.67), a prior on f from a Beta prior on k and g
uniform on GUESSES, and the first answers to multiple-choice cards as discounted evidence on f
(a first sight is answered from prior knowledge or a guess). The raw score integrates the
posterior (a mixture of binomials per domain, summed over the blueprint) and the pass chance
also the unknown cut (uniform on CUTS). docs/readiness.md explains it in words.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cehrs_cards.core.domains import DOMAINS

GUESSES = (0.25, 0.29, 0.33)
"""Chance of guessing an item right with no knowledge: 1 in 4 up to 1 in 3 (stated range)."""
CUTS = tuple(range(65, 76))
"""The raw cuts (of 100) the pass chance averages over, equally likely (docs/exam-model.md)."""
MIN_ANSWERS = 30
"""Held-out answers needed (and at least one in every domain) before a number is shown."""
SHOWN = (0.01, 0.99)
"""A pass chance is never shown below 1 % or above 99 %."""
LEVEL = 0.8
"""The raw-score range shown: the central 80 % (10th to 90th percentile)."""
MISFIT = 2.0
"""Model error (raw points, sd) added to the raw score's spread for what the model leaves out
(recall on exam day is the scheduler's estimate, items are not the deck's cards). Chosen with
the coverage prior on candidates the calibration study does not report (seeds 5001-5700 of
benchmarks/readiness_tuning.py): the 80 % range holds 81.6 % of their raw scores with it,
80.1 % with 1.5 and 85.1 % with 3. 2 rather than 1.5: real candidates fit the model less well
than synthetic ones, so of two settings that both fit, the wider."""
_C_STEPS, _F_STEPS = 40, 40
_F_LOW = min(GUESSES)


@dataclass(frozen=True)
class Priors:
    """What the model assumes before any held-out answer (docs/readiness.md)."""

    coverage_mean: float = 0.67
    coverage_strength: float = 6.0
    """Beta(a, b) with a + b = strength: as much as `strength` direct observations of c. A
    held-out answer tells about c only through c·m·(1 − f), its information scaling with
    (m·(1 − f))², about a twentieth of a direct observation at m = 0.4: after one early mock c
    is mostly this prior, and the exam-day forecast (higher m) leans on its mean. Mean and
    strength chosen on candidates the calibration study does not report
    (benchmarks/readiness_tuning.py): 0.75 / 8 made the forecast about 1 raw point optimistic
    where recall grew after the mock."""
    knowledge_mean: float = 0.2
    knowledge_strength: float = 6.0
    guesses: tuple[float, ...] = GUESSES
    first_sight_weight: float = 0.5
    """Each first answer to a multiple-choice card counts as half a held-out answer ..."""
    first_sight_cap: float = 20.0
    """... and all of a domain's together as at most this many."""


@dataclass(frozen=True)
class Answers:
    """Held-out answers of one domain given at one time (one attempt): how many, how many
    right, and the domain's mean deck recall m when they were given."""

    domain: int
    recall: float
    n: int
    right: int


@dataclass(frozen=True)
class FirstSight:
    """First answers to the domain's studied multiple-choice cards: how many, and how many
    were rated above Again (the option picked before the reveal was right)."""

    domain: int
    n: int
    right: int


# ----- the grid posterior ------------------------------------------------------------------------
@dataclass(frozen=True)
class Posterior:
    """The posterior of one domain's (c, f) on a grid: points and weights summing to 1."""

    domain: int
    points: tuple[tuple[float, float, float], ...]
    """(c, f, weight), weights normalised."""
    answers: int
    right: int

    def p_right(self, recall: float) -> list[tuple[float, float]]:
        """(p, weight) of answering an exam item right at deck recall `recall`."""
        return [(c * recall + (1 - c * recall) * f, w) for c, f, w in self.points]

    def mean(self, which: int) -> float:
        """Posterior mean of c (which=0) or f (which=1)."""
        return sum(pt[which] * pt[2] for pt in self.points)

    def interval(self, which: int, level: float = LEVEL) -> tuple[float, float]:
        """Central `level` interval of c (0) or f (1), to the grid's resolution."""
        marginal: dict[float, float] = {}
        for pt in self.points:
            marginal[pt[which]] = marginal.get(pt[which], 0.0) + pt[2]
        xs = sorted(marginal.items())
        return _quantile(xs, (1 - level) / 2), _quantile(xs, (1 + level) / 2)

    @property
    def knowledge(self) -> float:
        """Posterior mean of prior knowledge k, with g at the middle of GUESSES."""
        g = GUESSES[len(GUESSES) // 2]
        return max(0.0, (self.mean(1) - g) / (1 - g))


def _quantile(xs: Sequence[tuple[float, float]], q: float) -> float:
    acc = 0.0
    for x, w in xs:
        acc += w
        if acc >= q - 1e-12:
            return x
    return xs[-1][0]


def _grid(steps: int, low: float, high: float) -> list[float]:
    """Midpoints of `steps` equal cells of [low, high]."""
    width = (high - low) / steps
    return [low + (i + 0.5) * width for i in range(steps)]


_CS = _grid(_C_STEPS, 0.0, 1.0)
_FS = _grid(_F_STEPS, _F_LOW, 1.0)
_LOG_MISS = [math.log(1 - f) for f in _FS]
"""log(1 − f) on the grid: a wrong answer's log likelihood is log(1 − cm) + log(1 − f)."""


def _log_beta(x: float, mean: float, strength: float) -> float:
    a, b = mean * strength, (1 - mean) * strength
    return (a - 1) * math.log(x) + (b - 1) * math.log(1 - x)


def floor_prior(f: float, priors: Priors) -> float:
    """Prior density of the floor f = k + (1 − k)·g: k ~ Beta, g uniform on priors.guesses."""
    out = 0.0
    for g in priors.guesses:
        if f > g:
            k = (f - g) / (1 - g)
            out += math.exp(_log_beta(k, priors.knowledge_mean, priors.knowledge_strength)) / (
                1 - g
            )
    return out / len(priors.guesses)


def fit(
    domain: int,
    answers: Iterable[Answers],
    first_sight: FirstSight | None = None,
    priors: Priors = Priors(),
) -> Posterior:
    """The posterior of (c, f) for one domain from its held-out answers and first sights."""
    groups = [a for a in answers if a.domain == domain and a.n > 0]
    cs, fs = _CS, _FS
    log_c = [_log_beta(c, priors.coverage_mean, priors.coverage_strength) for c in cs]
    log_f = [_floor_log_prior(f, priors, first_sight) for f in fs]
    logs = [
        (c, f, lp)
        for c, lc in zip(cs, log_c, strict=True)
        for f, lp in zip(fs, _log_row(c, lc, log_f, groups), strict=True)
        if lp > -math.inf
    ]
    top = max(lp for *_, lp in logs)
    weights = [(c, f, math.exp(lp - top)) for c, f, lp in logs]
    total = sum(w for *_, w in weights)
    points = tuple((c, f, w / total) for c, f, w in weights if w / total > 1e-9)
    norm = sum(w for *_, w in points)
    return Posterior(
        domain,
        tuple((c, f, w / norm) for c, f, w in points),
        sum(a.n for a in groups),
        sum(a.right for a in groups),
    )


def _floor_log_prior(f: float, priors: Priors, first: FirstSight | None) -> float:
    density = floor_prior(f, priors)
    if density <= 0:
        return -math.inf
    out = math.log(density)
    if first is not None and first.n > 0:
        weight = min(priors.first_sight_weight, priors.first_sight_cap / first.n)
        out += weight * (first.right * math.log(f) + (first.n - first.right) * math.log(1 - f))
    return out


def _log_row(
    c: float, log_c: float, log_f: Sequence[float], groups: Sequence[Answers]
) -> list[float]:
    """Log prior plus log likelihood of (c, f) for every f of the grid (one row of it)."""
    row = [log_c + lf for lf in log_f]
    for a in groups:
        cm = c * a.recall
        y, no = a.right, a.n - a.right
        base = no * math.log(1 - cm)
        row = [
            v + base + y * math.log(cm + (1 - cm) * f) + no * miss
            for v, f, miss in zip(row, _FS, _LOG_MISS, strict=True)
        ]
    return row


def fit_all(
    answers: Sequence[Answers],
    first_sight: Mapping[int, FirstSight] | None = None,
    priors: Priors = Priors(),
) -> dict[int, Posterior]:
    """Every domain's posterior (a domain without answers keeps its prior)."""
    first_sight = first_sight or {}
    return {d.id: fit(d.id, answers, first_sight.get(d.id), priors) for d in DOMAINS}


# ----- the raw score and the pass chance ---------------------------------------------------------
def binomial(n: int, p: float) -> list[float]:
    """P(k right of n) for k = 0..n, each right with probability p."""
    q = 1 - p
    up, down = [1.0] * (n + 1), [1.0] * (n + 1)
    for k in range(1, n + 1):
        up[k], down[k] = up[k - 1] * p, down[k - 1] * q
    return [c * up[k] * down[n - k] for k, c in enumerate(_combs(n))]


@functools.cache
def _combs(n: int) -> tuple[int, ...]:
    return tuple(math.comb(n, k) for k in range(n + 1))


def convolve(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """Distribution of the sum of two independent counts."""
    out = [0.0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return out


def domain_distribution(post: Posterior, recall: float, items: int) -> list[float]:
    """P(j of `items` right) at deck recall `recall`: the posterior's binomials, mixed (points
    with nearly the same p share one binomial at their mean p)."""
    buckets: dict[int, tuple[float, float]] = {}
    for p, w in post.p_right(recall):
        key = round(p * 500)
        sw, swp = buckets.get(key, (0.0, 0.0))
        buckets[key] = (sw + w, swp + w * p)
    out = [0.0] * (items + 1)
    for sw, swp in buckets.values():
        for j, q in enumerate(binomial(items, swp / sw)):
            out[j] += sw * q
    return out


def raw_distribution(
    posteriors: Mapping[int, Posterior], recall: Mapping[int, float]
) -> list[float]:
    """P(raw = j), j = 0..100, for 100 scored items in blueprint proportion at these recalls."""
    dist = [1.0]
    for d in DOMAINS:
        dist = convolve(
            dist, domain_distribution(posteriors[d.id], recall.get(d.id, 0.0), d.scored_items)
        )
    return dist


def pass_chance(dist: Sequence[float], cuts: Sequence[int] = CUTS) -> float:
    """P(raw >= cut) averaged over equally likely cuts."""
    return sum(sum(dist[c:]) for c in cuts) / len(cuts)


def expected(dist: Sequence[float]) -> float:
    return sum(j * p for j, p in enumerate(dist))


def raw_quantile(dist: Sequence[float], q: float) -> int:
    """The smallest raw score j with P(raw <= j) >= q."""
    acc = 0.0
    for j, p in enumerate(dist):
        acc += p
        if acc >= q - 1e-12:
            return j
    return len(dist) - 1


def shown(p: float) -> float:
    """A chance as shown: never below 1 % or above 99 %."""
    return min(SHOWN[1], max(SHOWN[0], p))


# ----- the forecast ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DomainForecast:
    """One domain: its held-out answers, what was learnt about it, and its expected share."""

    domain: int
    answers: int
    right: int
    coverage: float
    coverage_range: tuple[float, float]
    floor: float
    knowledge: float
    recall: float
    share: float
    """Expected share of the domain's exam items answered right."""
    items: int

    @property
    def points(self) -> float:
        return self.items * self.share


@dataclass(frozen=True)
class Forecast:
    """Expected raw score of 100, its 80 % range and the chance of passing (cut unknown)."""

    raw: float
    raw_low: int
    raw_high: int
    pass_probability: float
    """Unrounded, unclamped: what calibration is measured on. Show `shown_pass`."""
    pass_band: tuple[float, float]
    """The chance if the cut were CUTS[-1] (harder) or CUTS[0] (easier)."""
    domains: tuple[DomainForecast, ...]
    answers: int
    distribution: tuple[float, ...]

    @property
    def shown_pass(self) -> float:
        return shown(self.pass_probability)


def with_misfit(dist: Sequence[float], sd: float) -> list[float]:
    """The raw-score distribution widened by a normal model error of `sd` raw points (kept
    within 0..100: mass beyond an end stays at that end)."""
    if sd <= 0:
        return list(dist)
    reach = int(4 * sd) + 1
    kernel = [math.exp(-0.5 * (k / sd) ** 2) for k in range(-reach, reach + 1)]
    total = sum(kernel)
    out = [0.0] * len(dist)
    for j, p in enumerate(dist):
        if p:
            for k, w in enumerate(kernel):
                out[min(len(dist) - 1, max(0, j + k - reach))] += p * w / total
    return out


def forecast(
    posteriors: Mapping[int, Posterior],
    recalls: Sequence[Mapping[int, float]],
    misfit: float = MISFIT,
) -> Forecast:
    """The forecast at deck recall `recalls[0]`, or averaged over several equally likely
    futures (the projection's simulated runs), widened by the model error `misfit`."""
    dists = [raw_distribution(posteriors, r) for r in recalls]
    dist = with_misfit([sum(col) / len(dists) for col in zip(*dists, strict=True)], misfit)
    tail = (1 - LEVEL) / 2
    rows = tuple(_domain_forecast(posteriors[d.id], recalls, d.scored_items) for d in DOMAINS)
    return Forecast(
        raw=expected(dist),
        raw_low=raw_quantile(dist, tail),
        raw_high=raw_quantile(dist, 1 - tail),
        pass_probability=pass_chance(dist),
        pass_band=(pass_chance(dist, CUTS[-1:]), pass_chance(dist, CUTS[:1])),
        domains=rows,
        answers=sum(p.answers for p in posteriors.values()),
        distribution=tuple(dist),
    )


def _domain_forecast(
    post: Posterior, recalls: Sequence[Mapping[int, float]], items: int
) -> DomainForecast:
    shares = [sum(p * w for p, w in post.p_right(r.get(post.domain, 0.0))) for r in recalls]
    return DomainForecast(
        domain=post.domain,
        answers=post.answers,
        right=post.right,
        coverage=post.mean(0),
        coverage_range=post.interval(0),
        floor=post.mean(1),
        knowledge=post.knowledge,
        recall=sum(r.get(post.domain, 0.0) for r in recalls) / len(recalls),
        share=sum(shares) / len(shares),
        items=items,
    )


def too_few(answers: Sequence[Answers], pool: int | None = None) -> tuple[str, ...]:
    """Why there is no number yet (empty when there are enough held-out answers)."""
    if pool == 0:
        return (
            "Your collection has no held-out diagnostic items (the bundled deck has 300): "
            "the estimate needs answers to items you have not studied as flashcards.",
        )
    total = sum(a.n for a in answers)
    per = {d.id: sum(a.n for a in answers if a.domain == d.id) for d in DOMAINS}
    empty = [d.name for d in DOMAINS if not per[d.id]]
    out = []
    if total < MIN_ANSWERS:
        out.append(
            f"{total} answers to held-out diagnostic items: at least {MIN_ANSWERS} are needed. "
            "Take a full mock: its scored items come from the held-out pool."
        )
    if empty and total:
        out.append(
            "No held-out answers yet in " + ", ".join(empty) + ": take a full mock "
            "(it covers every domain)."
        )
    return tuple(out)
