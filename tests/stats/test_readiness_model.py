"""The held-out readiness model (core/readiness_model.py): the posterior, the raw score, the
pass chance over the unknown cut, and when it refuses to give a number."""

from __future__ import annotations

import math
import random

import pytest

from cehrs_cards.core import readiness_model as rm
from cehrs_cards.core.domains import DOMAINS


def _answers(c: float, f: float, recalls: list[float], rng: random.Random) -> list[rm.Answers]:
    """Simulated mocks: every domain's blueprint items at each recall, right with the model's p."""
    out = []
    for m in recalls:
        p = c * m + (1 - c * m) * f
        for d in DOMAINS:
            n = d.scored_items
            out.append(rm.Answers(d.id, m, n, sum(rng.random() < p for _ in range(n))))
    return out


def test_no_answers_keeps_the_prior() -> None:
    post = rm.fit(1, [])
    assert post.answers == 0
    assert post.mean(0) == pytest.approx(rm.Priors().coverage_mean, abs=0.01)
    low, high = post.interval(0)
    assert low < 0.45 and high > 0.85
    # the floor's prior: k mean 0.2, g in 0.25..0.33 -> f = k + (1-k) g about 0.43
    assert post.mean(1) == pytest.approx(0.2 + 0.8 * 0.29, abs=0.02)
    assert sum(w for *_, w in post.points) == pytest.approx(1.0)


def test_many_answers_recover_coverage_and_floor() -> None:
    rng = random.Random(7)
    answers = _answers(0.6, 0.4, [0.1, 0.5, 0.9] * 6, rng)
    posts = [rm.fit(d.id, answers) for d in DOMAINS]
    # each domain: the truth inside its 99 % interval; all five: close on average
    for post in posts:
        assert post.interval(0, 0.99)[0] <= 0.6 <= post.interval(0, 0.99)[1]
        assert post.interval(1, 0.99)[0] <= 0.4 <= post.interval(1, 0.99)[1]
    assert sum(p.mean(0) for p in posts) / 5 == pytest.approx(0.6, abs=0.05)
    assert sum(p.mean(1) for p in posts) / 5 == pytest.approx(0.4, abs=0.03)
    big = rm.fit(2, [rm.Answers(2, a.recall, a.n * 10, a.right * 10) for a in answers])
    assert big.interval(0, 0.95)[1] - big.interval(0, 0.95)[0] < 0.15


def test_more_right_answers_raise_coverage() -> None:
    few = rm.fit(2, [rm.Answers(2, 0.8, 32, 16)])
    more = rm.fit(2, [rm.Answers(2, 0.8, 32, 28)])
    assert more.mean(0) > few.mean(0)


def test_first_sight_answers_move_the_floor() -> None:
    lucky = rm.fit(1, [], rm.FirstSight(1, 200, 150))
    unlucky = rm.fit(1, [], rm.FirstSight(1, 200, 50))
    assert lucky.mean(1) > 0.5 > unlucky.mean(1)
    # capped: 200 first sights count as at most 20 answers, so the prior still shows
    assert lucky.mean(1) < 0.72


def test_raw_distribution_is_a_distribution_and_rises_with_recall() -> None:
    posts = rm.fit_all(_answers(0.8, 0.35, [0.3, 0.7], random.Random(3)))
    low = rm.raw_distribution(posts, {d.id: 0.2 for d in DOMAINS})
    high = rm.raw_distribution(posts, {d.id: 0.9 for d in DOMAINS})
    assert len(low) == 101 and sum(low) == pytest.approx(1.0)
    assert rm.expected(high) > rm.expected(low) + 20
    assert rm.pass_chance(high) > rm.pass_chance(low)


def test_pass_chance_averages_over_the_cuts() -> None:
    at_70 = [0.0] * 101
    at_70[70] = 1.0
    # cuts 65..70 pass, 71..75 fail: 6 of 11
    assert rm.pass_chance(at_70) == pytest.approx(6 / 11)
    assert rm.pass_chance(at_70, (70,)) == 1.0
    assert rm.pass_chance(at_70, (71,)) == 0.0


def test_shown_chance_is_never_0_or_100_percent() -> None:
    assert rm.shown(0.0) == 0.01
    assert rm.shown(1.0) == 0.99
    assert rm.shown(0.5) == 0.5
    posts = rm.fit_all(_answers(0.95, 0.5, [0.95] * 3, random.Random(1)))
    sure = rm.forecast(posts, [{d.id: 1.0 for d in DOMAINS}])
    assert sure.pass_probability > 0.99
    assert sure.shown_pass == 0.99


def test_forecast_range_and_domains() -> None:
    posts = rm.fit_all(_answers(0.7, 0.35, [0.5, 0.8], random.Random(5)))
    f = rm.forecast(posts, [{d.id: 0.8 for d in DOMAINS}])
    assert f.raw_low < f.raw < f.raw_high
    assert f.answers == 200
    assert sum(d.points for d in f.domains) == pytest.approx(f.raw, abs=0.01)
    assert [d.items for d in f.domains] == [28, 32, 15, 15, 10]
    band_hard, band_easy = f.pass_band
    assert band_hard < f.pass_probability < band_easy


def test_forecast_over_several_futures_is_their_mixture() -> None:
    posts = rm.fit_all(_answers(0.7, 0.35, [0.5], random.Random(5)))
    a, b = {d.id: 0.3 for d in DOMAINS}, {d.id: 0.9 for d in DOMAINS}
    both = rm.forecast(posts, [a, b])
    one, other = rm.forecast(posts, [a]), rm.forecast(posts, [b])
    assert both.raw == pytest.approx((one.raw + other.raw) / 2)
    assert both.pass_probability == pytest.approx(
        (one.pass_probability + other.pass_probability) / 2
    )


def test_too_few_answers_say_what_to_do() -> None:
    assert rm.too_few([], pool=0)[0].startswith("Your collection has no held-out")
    few = rm.too_few([rm.Answers(1, 0.5, 20, 10)])
    assert "20 answers" in few[0] and "Take a full mock" in few[0]
    assert "Clinical Operations" in few[1]
    one_mock = [rm.Answers(d.id, 0.5, d.scored_items, 5) for d in DOMAINS]
    assert rm.too_few(one_mock) == ()


def test_predictions_are_calibrated_when_the_world_follows_the_prior() -> None:
    """Candidates drawn from the prior: the predicted pass chance matches the pass rate."""
    rng = random.Random(11)
    prior = rm.Priors()
    a, b = (
        prior.coverage_mean * prior.coverage_strength,
        (1 - prior.coverage_mean) * prior.coverage_strength,
    )
    pred, passed = [], []
    for _ in range(150):
        c = rng.betavariate(a, b)
        k, g = rng.betavariate(1.2, 4.8), rng.choice(rm.GUESSES)
        f = k + (1 - k) * g
        m_mock, m_exam = rng.uniform(0.2, 0.9), rng.uniform(0.3, 1.0)
        posts = rm.fit_all(_answers(c, f, [m_mock], rng))
        pred.append(rm.forecast(posts, [{d.id: m_exam for d in DOMAINS}]).pass_probability)
        p = c * m_exam + (1 - c * m_exam) * f
        raw = sum(rng.random() < p for _ in range(100))
        passed.append(raw >= rng.randint(65, 75))
    assert sum(pred) / len(pred) == pytest.approx(sum(passed) / len(passed), abs=0.06)
    brier = sum((p - y) ** 2 for p, y in zip(pred, passed, strict=True)) / len(pred)
    assert brier < 0.15


def test_model_error_widens_the_raw_score_but_keeps_its_mass_and_mean() -> None:
    point = [0.0] * 101
    point[70] = 1.0
    wide = rm.with_misfit(point, 3.0)
    assert sum(wide) == pytest.approx(1.0)
    assert rm.expected(wide) == pytest.approx(70.0)
    assert rm.raw_quantile(wide, 0.1) < 70 < rm.raw_quantile(wide, 0.9)
    edge = [0.0] * 101
    edge[100] = 1.0
    assert sum(rm.with_misfit(edge, 3.0)) == pytest.approx(1.0)  # nothing falls off the end
    assert rm.with_misfit(point, 0.0) == point


def _extrapolation_bias(model: rm.Priors, rng: random.Random) -> float:
    """Mean forecast share minus the true share at exam-day recall after one early mock (one
    domain of 28 items), for candidates whose coverage follows the default prior, fitted with
    the prior `model`."""
    world, gaps = rm.Priors(), []
    a = world.coverage_mean * world.coverage_strength
    for _ in range(150):
        c = rng.betavariate(a, world.coverage_strength - a)
        k, g = rng.betavariate(1.2, 4.8), rng.choice(rm.GUESSES)
        f = k + (1 - k) * g
        m_mock, m_exam = rng.uniform(0.3, 0.5), rng.uniform(0.7, 0.9)
        first = {
            d.id: rm.FirstSight(d.id, 80, sum(rng.random() < f for _ in range(80))) for d in DOMAINS
        }
        posts = {1: rm.fit(1, _answers(c, f, [m_mock], rng), first[1], model)}
        share = sum(p * w for p, w in posts[1].p_right(m_exam))
        gaps.append(share - (c * m_exam + (1 - c * m_exam) * f))
    return sum(gaps) / len(gaps)


def test_an_early_mock_extrapolates_to_exam_day_without_bias() -> None:
    """Recall grows after an early mock, and one mock at low recall says little about coverage
    (an answer tells about c only through c·m·(1 − f)), so the coverage prior carries into the
    exam-day forecast: matching the candidates it is unbiased; a prior 8 points too high (the
    model's old 0.75) is optimistic."""
    matched = _extrapolation_bias(rm.Priors(), random.Random(21))
    too_high = _extrapolation_bias(rm.Priors(0.75, 8.0), random.Random(21))  # same candidates
    assert abs(matched) < 0.015
    assert too_high - matched > 0.02


@pytest.mark.parametrize("n", [0, 1, 10, 15, 28, 32])
@pytest.mark.parametrize("p", [0.0, 0.07, 0.25, 0.5, 0.93, 1.0])
def test_binomial_matches_the_formula(n: int, p: float) -> None:
    got = rm.binomial(n, p)
    want = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    assert got == pytest.approx(want, rel=1e-12, abs=1e-300)
    assert sum(got) == pytest.approx(1.0)


def test_posterior_weights_are_prior_times_likelihood() -> None:
    """Any two grid points' weights differ by exactly their prior and likelihood ratio."""
    answers = [rm.Answers(3, 0.35, 15, 9), rm.Answers(3, 0.8, 15, 13), rm.Answers(3, 0.6, 15, 0)]
    first = rm.FirstSight(3, 40, 14)
    post = rm.fit(3, answers, first)
    prior = rm.Priors()

    def log_density(c: float, f: float) -> float:
        out = (prior.coverage_mean * prior.coverage_strength - 1) * math.log(c)
        out += ((1 - prior.coverage_mean) * prior.coverage_strength - 1) * math.log(1 - c)
        out += math.log(rm.floor_prior(f, prior))
        weight = min(prior.first_sight_weight, prior.first_sight_cap / first.n)
        out += weight * (14 * math.log(f) + 26 * math.log(1 - f))
        for a in answers:
            p = c * a.recall + (1 - c * a.recall) * f
            out += a.right * math.log(p) + (a.n - a.right) * math.log(1 - p)
        return out

    pts = sorted(post.points, key=lambda pt: -pt[2])
    top = pts[0]
    for c, f, w in pts[1:200:7]:
        assert math.log(w / top[2]) == pytest.approx(
            log_density(c, f) - log_density(top[0], top[1]), abs=1e-9
        )
