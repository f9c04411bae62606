"""Collections with many cards per domain, made by the real importer from a generated deck."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w

from cehrs_cards.core.domains import task_areas_of
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.review import ReviewService


def write_deck(folder: Path, counts: dict[int, int]) -> Path:
    """A native TOML deck with `counts[d]` basic notes in domain d, domain after domain."""
    folder.mkdir(parents=True, exist_ok=True)
    for dom, n in counts.items():
        task = task_areas_of(dom)[0].id
        notes = [
            {
                "id": f"sim-d{dom}-{i:04d}",
                "type": "basic",
                "domain": dom,
                "task": task,
                "difficulty": "medium",
                "source": "test",
                "front": f"Question {i} of domain {dom}",
                "back": f"Answer {i}",
            }
            for i in range(n)
        ]
        deck = {"format": 1, "deck": f"Sim::D{dom}", "notes": notes}
        (folder / f"d{dom}.toml").write_bytes(tomli_w.dumps(deck).encode())
    return folder


def deck_collection(col: Collection, tmp_path: Path, counts: dict[int, int]) -> ReviewService:
    """`col` with the generated deck imported; a fresh ReviewService on it."""
    import_package(col, read_native(write_deck(tmp_path / "deck", counts)))
    return ReviewService(col)


def set_settings(review: ReviewService, **values: object) -> None:
    review.col.save_settings(replace(review.col.settings(), **values))
    review.reload_settings()


SKEWED = {1: 12, 2: 12, 3: 40, 4: 40, 5: 10}
"""Domains 1 and 2 (60% of the exam) have few cards: each of their cards is worth the most."""


@pytest.fixture
def skewed(col: Collection, tmp_path: Path) -> ReviewService:
    return deck_collection(col, tmp_path, SKEWED)


def at(day: int, hour: int = 12) -> datetime:
    """A fixed UTC time on day `day` of March 2026."""
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def study_days(review: ReviewService, clock, days: int, seed: int = 7, spread: float = 0.4) -> int:
    """A synthetic learner answers everything the queue offers, once a day at noon.

    Its true memory follows FSRS with perturbed parameters (core.simulate's learner); returns
    the number of answers given.
    """
    import random

    import fsrs

    from cehrs_cards.core.records import Rating
    from cehrs_cards.core.simulate import learner_parameters, true_recall

    params = learner_parameters(seed, spread)
    truth = fsrs.Scheduler(parameters=params, enable_fuzzing=False)
    rng = random.Random(seed)
    shadow: dict[int, fsrs.Card] = {}
    answers = 0
    for _ in range(days):
        while (card := review.next_card()) is not None:
            true = shadow.get(card.card_id) or fsrs.Card(card_id=card.card_id, due=clock.now())
            if true.last_review is None:
                rating = rng.choices([1, 2, 3, 4], [0.24, 0.094, 0.495, 0.171])[0]
            elif rng.random() >= true_recall(params, true, clock.now()):
                rating = 1
            else:
                rating = rng.choices([2, 3, 4], [0.224, 0.631, 0.145])[0]
            shadow[card.card_id], _ = truth.review_card(true, fsrs.Rating(rating), clock.now())
            review.answer(card, Rating(rating), 8000)
            clock.advance(timedelta(seconds=30))
            answers += 1
        clock.set(clock.now().replace(hour=12, minute=0, second=0) + timedelta(days=1))
    return answers
