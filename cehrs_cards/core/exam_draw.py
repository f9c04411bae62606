"""Drawing forms, pure: a full mock exactly by the blueprint with pretest slots, practice blocks,
and generated four-option items for cards that have no options of their own."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cehrs_cards.core.domains import DOMAIN_BY_ID, DOMAINS, PRETEST_ITEMS, domain_name
from cehrs_cards.core.exam import LETTERS, ExamItem, NotEnoughItemsError

MAX_GENERATED_ANSWER = 200


# ----- drawing a form ------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """An item the draw may pick: its card, note, domain, and how often earlier mocks used it."""

    card_id: int
    note_id: int
    domain: int
    times_seen: int = 0
    generated: bool = False


@dataclass(frozen=True)
class FormSlot:
    candidate: Candidate
    pretest: bool


def preference_order(pool: Iterable[Candidate], rng: random.Random) -> list[Candidate]:
    """Random order with the least-used items first (unseen before seen once, and so on)."""
    ordered = sorted(pool, key=lambda c: c.card_id)
    rng.shuffle(ordered)
    return sorted(ordered, key=lambda c: c.times_seen)


def largest_remainder(total: int, weights: dict[int, float]) -> dict[int, int]:
    """Split `total` over keys in proportion to weights, whole numbers summing to `total`."""
    wsum = sum(weights.values())
    if total <= 0 or wsum <= 0:
        return {k: 0 for k in weights}
    exact = {k: total * w / wsum for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    by_remainder = sorted(weights, key=lambda k: (-(exact[k] - out[k]), k))
    for k in by_remainder[: total - sum(out.values())]:
        out[k] += 1
    return out


def _take(ordered: Sequence[Candidate], n: int, used_notes: set[int]) -> list[Candidate]:
    """The first `n` candidates whose notes are not used yet (one item per note)."""
    got: list[Candidate] = []
    for c in ordered:
        if len(got) == n:
            break
        if c.note_id not in used_notes:
            used_notes.add(c.note_id)
            got.append(c)
    return got


def draw_form(
    pool: Sequence[Candidate],
    rng: random.Random,
    *,
    generated_scored: bool = False,
    pretest: int = PRETEST_ITEMS,
) -> list[FormSlot]:
    """A full mock: exactly the blueprint's scored items per domain, then pretest, shuffled.

    Generated items go only to pretest slots unless `generated_scored`.
    """
    ordered = preference_order(pool, rng)
    used: set[int] = set()
    slots: list[FormSlot] = []
    short: list[str] = []
    for d in DOMAINS:
        eligible = [
            c for c in ordered if c.domain == d.id and (generated_scored or not c.generated)
        ]
        got = _take(eligible, d.scored_items, used)
        if len(got) < d.scored_items:
            short.append(f"domain {d.id} {d.name} has {len(got)} of the {d.scored_items} needed")
        slots += [FormSlot(c, False) for c in got]
    if short:
        raise NotEnoughItemsError(
            "Not enough multiple-choice items for the scored part of a mock: "
            + "; ".join(short)
            + ". Add or import more, or allow generated items in scored slots."
        )
    slots += [FormSlot(c, True) for c in _draw_pretest(ordered, pretest, used)]
    rng.shuffle(slots)
    return slots


def _draw_pretest(ordered: Sequence[Candidate], n: int, used: set[int]) -> list[Candidate]:
    """Pretest items spread over domains like the blueprint, topped up from anything left."""
    quota = largest_remainder(n, {d.id: d.weight for d in DOMAINS})
    got: list[Candidate] = []
    for dom, k in quota.items():
        got += _take([c for c in ordered if c.domain == dom], k, used)
    got += _take(ordered, n - len(got), used)
    if len(got) < n:
        raise NotEnoughItemsError(
            f"Not enough items left for the {n} pretest slots of a mock ({len(got)} found). "
            "Import more cards, or take a practice block instead."
        )
    return got


def draw_block(
    pool: Sequence[Candidate], rng: random.Random, size: int, domains: Sequence[int]
) -> list[Candidate]:
    """A practice block: `size` items from `domains` in blueprint proportion, least used first."""
    ordered = [c for c in preference_order(pool, rng) if c.domain in domains]
    weights = {d: DOMAIN_BY_ID[d].weight if d in DOMAIN_BY_ID else 0.05 for d in domains}
    used: set[int] = set()
    got: list[Candidate] = []
    for dom, k in largest_remainder(size, weights).items():
        got += _take([c for c in ordered if c.domain == dom], k, used)
    got += _take(ordered, size - len(got), used)
    if not got:
        raise NotEnoughItemsError("No items match this block's domains and filters.")
    rng.shuffle(got)
    return got


# ----- generated-option items -----------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" .;:,!?").casefold()


def can_generate_from(answer_text: str) -> bool:
    """Whether a card's plain-text answer is short enough to serve as an option."""
    return len(_norm(answer_text)) > 0 and len(answer_text) <= MAX_GENERATED_ANSWER


def generated_item(
    card_id: int,
    note_id: int,
    domain: int,
    question_html: str,
    answer_text: str,
    others: Iterable[str],
    rng: random.Random,
) -> ExamItem | None:
    """A four-option item from a card without options: three distractors are other cards'
    answers in the same domain. None when fewer than three distinct answers exist."""
    taken = {_norm(answer_text)}
    pool = sorted({a for a in others if can_generate_from(a)})
    rng.shuffle(pool)
    picks: list[str] = []
    for a in pool:
        if len(picks) == 3:
            break
        if _norm(a) not in taken:
            taken.add(_norm(a))
            picks.append(a)
    if len(picks) < 3:
        return None
    pos = rng.randrange(4)
    options = [html.escape(o) for o in (*picks[:pos], answer_text, *picks[pos:])]
    why = (
        f"Generated item: {LETTERS[pos]} is this card's own answer. The other options are "
        f"answers of other cards in {domain_name(domain)}, so they may not be plausible."
    )
    return ExamItem(card_id, note_id, domain, question_html, tuple(options), pos, why, (), True)
