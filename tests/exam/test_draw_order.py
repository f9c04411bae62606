"""The lazy preference order a draw reads: a fair shuffle, least used first, read on demand."""

from __future__ import annotations

import random
from collections import Counter
from itertools import islice

from cehrs_cards.core.exam_draw import (
    Candidate,
    ListSource,
    draw_form,
    preference_ids,
    shuffled_lazily,
)


def test_a_lazy_shuffle_is_a_fair_permutation():
    items = list(range(10))
    firsts: Counter[int] = Counter()
    thirds: Counter[int] = Counter()
    for seed in range(5000):
        order = list(shuffled_lazily(items, random.Random(seed)))
        assert sorted(order) == items
        firsts[order[0]] += 1
        thirds[order[2]] += 1
    for counts in (firsts, thirds):  # about 500 each
        assert (
            set(counts) == set(items) and 400 < min(counts.values()) <= max(counts.values()) < 600
        )
    assert list(shuffled_lazily([], random.Random(1))) == []


def test_a_lazy_shuffle_consumes_randomness_only_as_far_as_read():
    rng = random.Random(3)
    first_two = list(islice(shuffled_lazily(range(100_000), rng), 2))
    assert len(set(first_two)) == 2
    assert rng.getstate() != random.Random(3).getstate()
    after = rng.random()
    rng2 = random.Random(3)
    list(islice(shuffled_lazily(range(100_000), rng2), 2))
    assert rng2.random() == after  # two steps drawn, not 100,000


def test_preference_puts_unseen_first_then_by_times_seen():
    seen = {5: 2, 6: 1, 7: 1, 8: 3}
    for seed in range(50):
        order = list(preference_ids(list(range(10)), seen, random.Random(seed)))
        assert sorted(order) == list(range(10))
        assert set(order[:6]) == {0, 1, 2, 3, 4, 9}
        assert set(order[6:8]) == {6, 7} and order[8:] == [5, 8]


def test_a_list_source_gives_every_matching_candidate_and_a_seed_repeats_its_form():
    pool = [Candidate(d * 100 + i, d * 100 + i, d) for d in range(1, 6) for i in range(40)]
    pool += [Candidate(900 + i, 900 + i, 2, generated=True) for i in range(5)]
    src = ListSource(pool)
    got = list(src.ordered((2,), random.Random(1), generated=False))
    assert {c.card_id for c in got} == {200 + i for i in range(40)}
    with_gen = list(src.ordered((2, 3), random.Random(1), generated=True))
    assert len(with_gen) == 85
    assert draw_form(pool, random.Random(4)) == draw_form(ListSource(pool), random.Random(4))
