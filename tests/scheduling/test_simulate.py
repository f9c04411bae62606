"""The simulation: seeded and pure, scored by the EXAM.md model, and the weighted advantage."""

import json

import pytest

from cehrs_cards.cli import main
from cehrs_cards.core.simulate import (
    SimConfig,
    compare,
    deck_domains,
    learner_parameters,
    paired_difference,
    raw_distribution,
    scaled_score,
    simulate,
    with_mix,
)

TIGHT = with_mix(SimConfig(days=30, cards=150, daily_minutes=4.0), "skewed")


def test_scaled_score_follows_the_exam_model():
    assert scaled_score(0) == 200 and scaled_score(70) == 390 and scaled_score(100) == 500
    assert scaled_score(35) == pytest.approx(295)
    assert scaled_score(85, cut=65) == pytest.approx(390 + 110 * 20 / 35)


def test_raw_distribution_is_a_distribution_with_the_right_mean():
    dist = raw_distribution([(0.9, 28), (0.5, 32), (0.25, 40)])
    assert len(dist) == 101 and sum(dist) == pytest.approx(1.0)
    mean = sum(k * p for k, p in enumerate(dist))
    assert mean == pytest.approx(0.9 * 28 + 0.5 * 32 + 0.25 * 40)


def test_deck_and_learner_are_seeded():
    assert deck_domains(10, (0.5, 0.5, 0, 0, 0)) == [1] * 5 + [2] * 5
    assert learner_parameters(3, 0.25) == learner_parameters(3, 0.25)
    assert learner_parameters(3, 0.25) != learner_parameters(4, 0.25)


def test_a_run_is_deterministic_and_its_numbers_are_consistent():
    a, b = simulate(TIGHT, "weighted", 5), simulate(TIGHT, "weighted", 5)
    assert a == b
    assert a.minutes <= TIGHT.days * (TIGHT.daily_minutes + 20 / 60)  # last answer may overrun
    assert 0 < a.new_cards < TIGHT.cards  # tight: not every card can be introduced
    assert 25 <= a.expected_raw <= 100  # 25 = guessing every item
    assert a.expected_scaled == pytest.approx(
        sum(scaled_score(k) * p for k, p in enumerate(_dist(a))), rel=1e-4
    )


def _dist(result):
    from cehrs_cards.core.domains import DOMAINS

    groups = []
    for d in DOMAINS:
        r = result.retrievability[str(d.id)]
        groups.append((r + (1 - r) * TIGHT.guess, d.scored_items))
    return raw_distribution(groups)


def test_weighted_beats_plain_when_time_is_tight():
    seeds = [1, 2, 3, 4]
    runs = compare(TIGHT, seeds)
    diff = paired_difference(runs["weighted"], runs["plain"])
    gain, se = diff["expected_scaled"]["mean"], diff["expected_scaled"]["se"]
    assert gain > 3 * se and gain > 2.0
    assert abs(diff["minutes"]["mean"]) < 0.02 * TIGHT.days * TIGHT.daily_minutes  # equal work
    assert all(w.expected_raw > p.expected_raw for w, p in zip(*runs.values(), strict=True))


def test_cli_simulate_json(capsys):
    args = "simulate --policy plain --days 20 --cards 60 --daily-minutes 3 --seeds 2"
    code = main([*args.split(), "--deck-mix", "skewed", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["policy"] == "plain" and len(out["per_seed"]) == 2
    assert set(out["per_seed"][0]["retrievability"]) == {"1", "2", "3", "4", "5"}
    assert out["paired_difference"]["of"] == "weighted minus plain"
    assert {"mean", "se"} <= set(out["paired_difference"]["expected_scaled"])
    assert main(["simulate", "--deck-mix", "1 2 3", "--seeds", "1"]) == 2  # bad mix refused
