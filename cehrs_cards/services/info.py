"""Collection counts: `cehrs-cards info --json`, and the deck list (decks, domains, pace)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cehrs_cards.core.domains import DOMAIN_IDS, UNASSIGNED, domain_key
from cehrs_cards.core.records import Counts, DeckRow
from cehrs_cards.db import queue, repo
from cehrs_cards.services.held_out import held_out_count
from cehrs_cards.services.review import ReviewService


def collection_info(review: ReviewService) -> dict[str, Any]:
    """Counts as one JSON-ready dict: cards per domain, and today's new/learning/due/reviews
    (held-out diagnostic cards are counted apart: they are never studied)."""
    w = review.window()
    with review.col.read() as s:
        by_domain, totals = queue.counts_and_totals(s, w, "domain")
        today = sum(by_domain.values(), Counts())
        done = queue.reviews_today(s, w)
        held = held_out_count(s)
    limited = review.limited(today)
    per_domain = {domain_key(d): totals.get(d, 0) for d in (*DOMAIN_IDS, UNASSIGNED)}
    return {
        "cards_per_domain": per_domain,
        "cards": sum(totals.values()),
        "held_out_cards": held,
        "new": limited.new,
        "learning": limited.learning,
        "due_today": limited.due,
        "reviews_today": done,
    }


def domain_counts(review: ReviewService) -> dict[int, tuple[Counts, int]]:
    """Per domain: today's studyable counts (before limits) and total cards."""
    w = review.window()
    with review.col.read() as s:
        today, totals = queue.counts_and_totals(s, w, "domain")
    return {d: (today.get(d, Counts()), totals.get(d, 0)) for d in (*DOMAIN_IDS, UNASSIGNED)}


def deck_rows(review: ReviewService) -> list[DeckRow]:
    """Every deck with its subdecks' counts rolled up, then capped by today's limits."""
    w = review.window()
    with review.col.read() as s:
        decks = repo.deck_names(s)
        today, totals = queue.counts_and_totals(s, w, "deck_id")
    new_left, rev_left = review.limits_left()
    rows = []
    for deck_id, name in decks:
        assert deck_id is not None
        inside = [i for i, n in decks if n == name or n.startswith(name + "::")]
        counts = sum((today.get(i, Counts()) for i in inside), Counts())
        total = sum(totals.get(i, 0) for i in inside)
        capped = Counts(min(counts.new, new_left), counts.learning, min(counts.due, rev_left))
        rows.append(DeckRow(deck_id, name, name.count("::"), capped, total))
    return rows


@dataclass(frozen=True)
class DeckOverview:
    """Everything the deck list shows, read in one go on the database thread."""

    decks: list[DeckRow]
    by_domain: dict[int, tuple[Counts, int]]  # today's counts before limits, total cards
    total: Counts  # today, within the daily limits
    pace: str | None  # the exam-date pace, if an exam date is set
    pace_short: bool  # the daily limit cannot introduce every card in time


def overview(review: ReviewService) -> DeckOverview:
    by_domain = domain_counts(review)
    total = review.limited(sum((c for c, _ in by_domain.values()), Counts()))
    review.reload_settings()  # cards may have been added or suspended: replan
    pace = review.plan().pace
    return DeckOverview(
        deck_rows(review),
        by_domain,
        total,
        pace.message() if pace else None,
        bool(pace and not pace.feasible),
    )
