"""Drawing forms, pure: a full mock exactly by the blueprint with pretest slots, practice blocks,
and generated four-option items for cards that have no options of their own.

A draw reads its candidates from an ItemSource, in preference order and only as far as it needs:
a source backed by a 100,000-card collection then parses the few notes a form uses, not all.
A form or block never holds two items of one note, nor two of one same-fact group (items that
test the same fact: one would give the other away). Generated items stay out of a form while
authored multiple-choice items can fill it, unless the user turns them on.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from cehrs_cards.core.domains import DOMAIN_BY_ID, DOMAINS, PRETEST_ITEMS, domain_name
from cehrs_cards.core.exam import LETTERS, ExamItem, NotEnoughItemsError

MAX_GENERATED_ANSWER = 200
T = TypeVar("T")


# ----- drawing a form ------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """An item the draw may pick: its card, note, domain, and how often earlier mocks used it."""

    card_id: int
    note_id: int
    domain: int
    times_seen: int = 0
    generated: bool = False
    group: str | None = None  # same-fact group of its note (decks/FORMAT.md `group`)


@dataclass(frozen=True)
class FormSlot:
    candidate: Candidate
    pretest: bool


class ItemSource(Protocol):
    """Where a draw gets its candidates: usable ones only, least used first, random within."""

    def ordered(
        self, domains: Collection[int] | None, rng: random.Random, *, generated: bool
    ) -> Iterator[Candidate]:
        """Candidates of `domains` (None: any), generated ones too if `generated`, in a fresh
        preference order drawn from `rng` and produced only as far as it is read."""
        ...


def shuffled_lazily(items: Sequence[T], rng: random.Random) -> Iterator[T]:
    """A uniformly random order of `items`; each Fisher-Yates step runs only when read."""
    pool = list(items)
    for i in range(len(pool)):
        j = rng.randrange(i, len(pool))
        pool[i], pool[j] = pool[j], pool[i]
        yield pool[i]


def preference_ids(
    ids: Sequence[int], seen: Mapping[int, int], rng: random.Random
) -> Iterator[int]:
    """Card ids least used first (unseen, then seen once, ...), in random order within each."""
    if not seen:
        yield from shuffled_lazily(ids, rng)
        return
    tiers: dict[int, list[int]] = {0: [i for i in ids if i not in seen]}
    for i in ids:
        if i in seen:
            tiers.setdefault(seen[i], []).append(i)
    for n in sorted(tiers):
        yield from shuffled_lazily(tiers[n], rng)


class ListSource:
    """An ItemSource over candidates already in memory (small pools, tests)."""

    def __init__(self, pool: Iterable[Candidate]) -> None:
        self.by_id = {c.card_id: c for c in pool}
        self.seen = {c.card_id: c.times_seen for c in self.by_id.values() if c.times_seen}

    def ordered(
        self, domains: Collection[int] | None, rng: random.Random, *, generated: bool
    ) -> Iterator[Candidate]:
        ids = sorted(
            c.card_id
            for c in self.by_id.values()
            if (domains is None or c.domain in domains) and (generated or not c.generated)
        )
        return (self.by_id[i] for i in preference_ids(ids, self.seen, rng))


def _source(pool: Sequence[Candidate] | ItemSource) -> ItemSource:
    return ListSource(pool) if isinstance(pool, Sequence) else pool


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


class Used:
    """What a form or block holds so far: its notes and its same-fact groups."""

    def __init__(self) -> None:
        self.notes: set[int] = set()
        self.groups: set[str] = set()

    def take(self, c: Candidate) -> bool:
        """Add `c` unless its note or its group is already in; whether it was added."""
        if c.note_id in self.notes or (c.group is not None and c.group in self.groups):
            return False
        self.notes.add(c.note_id)
        if c.group is not None:
            self.groups.add(c.group)
        return True


def _take(ordered: Iterable[Candidate], n: int, used: Used) -> list[Candidate]:
    """The first `n` candidates of notes and groups not used yet (one item per note, one per
    same-fact group); reads no further than it must, so a lazy source loads no more."""
    got: list[Candidate] = []
    if n <= 0:
        return got
    for c in ordered:
        if used.take(c):
            got.append(c)
            if len(got) == n:
                break
    return got


def draw_form(
    pool: Sequence[Candidate] | ItemSource,
    rng: random.Random,
    *,
    generated: bool = False,
    pretest: int = PRETEST_ITEMS,
    scored: ItemSource | None = None,
) -> list[FormSlot]:
    """A full mock: exactly the blueprint's scored items per domain, then pretest, shuffled.

    Without `generated` (the default) every item is an authored one while authored items can
    fill the form; generated items then only top up pretest slots the authored ones cannot
    fill. With it, generated items compete for every slot. `scored`, if given, is where the
    scored items come from (the held-out pool first); pretest uses `pool`.
    """
    source = _source(pool)
    used = Used()
    slots: list[FormSlot] = []
    short: list[str] = []
    for d in DOMAINS:
        eligible = (scored or source).ordered((d.id,), rng, generated=generated)
        got = _take(eligible, d.scored_items, used)
        if len(got) < d.scored_items:
            short.append(f"domain {d.id} {d.name} has {len(got)} of the {d.scored_items} needed")
        slots += [FormSlot(c, False) for c in got]
    if short:
        raise NotEnoughItemsError(
            "Not enough multiple-choice items for the scored part of a mock: "
            + "; ".join(short)
            + ". Add or import more, or turn on generated items (built from flashcards)."
        )
    slots += [FormSlot(c, True) for c in _draw_pretest(source, rng, pretest, used, generated)]
    rng.shuffle(slots)
    return slots


def _draw_pretest(
    source: ItemSource, rng: random.Random, n: int, used: Used, generated: bool
) -> list[Candidate]:
    """Pretest items spread over domains like the blueprint, topped up from anything left
    (generated items last, when authored ones cannot fill the slots and `generated` is off)."""
    quota = largest_remainder(n, {d.id: d.weight for d in DOMAINS})
    got: list[Candidate] = []
    for dom, k in quota.items():
        got += _take(source.ordered((dom,), rng, generated=generated), k, used)
    for gen in dict.fromkeys((generated, True)):  # generated last, once
        if len(got) < n:
            got += _take(source.ordered(None, rng, generated=gen), n - len(got), used)
    if len(got) < n:
        raise NotEnoughItemsError(
            f"Not enough items left for the {n} pretest slots of a mock ({len(got)} found). "
            "Import more cards, or take a practice block instead."
        )
    return got


def draw_block(
    pool: Sequence[Candidate] | ItemSource,
    rng: random.Random,
    size: int,
    domains: Sequence[int],
) -> list[Candidate]:
    """A practice block: `size` items from `domains` in blueprint proportion, least used first,
    one per note and per same-fact group. Generated items take part if the source offers them
    (a block's source holds them only when the user included them)."""
    source = _source(pool)
    weights = {d: DOMAIN_BY_ID[d].weight if d in DOMAIN_BY_ID else 0.05 for d in domains}
    used = Used()
    got: list[Candidate] = []
    for dom, k in largest_remainder(size, weights).items():
        got += _take(source.ordered((dom,), rng, generated=True), k, used)
    if len(got) < size:
        got += _take(source.ordered(tuple(domains), rng, generated=True), size - len(got), used)
    if not got:
        raise NotEnoughItemsError("No items match this block's domains and filters.")
    rng.shuffle(got)
    return got


# ----- generated-option items -----------------------------------------------------------------
def normalized_answer(text: str) -> str:
    """An answer as compared for sameness: spaces collapsed, edge punctuation gone, casefolded."""
    return re.sub(r"\s+", " ", text).strip(" .;:,!?").casefold()


def can_generate_from(answer_text: str) -> bool:
    """Whether a card's plain-text answer is short enough to serve as an option."""
    return len(normalized_answer(answer_text)) > 0 and len(answer_text) <= MAX_GENERATED_ANSWER


_NUMBER = re.compile(r"^[-+~≈<>≤≥$€£]?\s?\d")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-/+]*$")
KINDS = ("number", "code", "list", "term", "phrase", "sentence")


def answer_kind(text: str) -> str:
    """What sort of answer this is, so generated options match their key: a code ("837P",
    "HL7", "A40"), a number ("30 days", "$1,000", "0.5%"), a list ("Subjective, Objective,
    Assessment, Plan"), a sentence (10 words or more, or a full stop inside), a term (up to 3
    words) or a phrase (4 to 9)."""
    t = re.sub(r"\s+", " ", text).strip()
    words = len(t.split())
    digits_and_letters = any(c.isdigit() for c in t) and any(c.isalpha() for c in t)
    if words == 1 and len(t) <= 15 and _CODE.match(t) and digits_and_letters:
        return "code"
    if _NUMBER.match(t) and words <= 4:
        return "number"
    if words >= 10 or re.search(r"[.;!?] \w", t):
        return "sentence"
    if t.count(",") >= 2 or (t.count(",") == 1 and " and " in t):
        return "list"
    return "term" if words <= 3 else "phrase"


def similar_answers(
    answer: str, others: Iterable[str], rng: random.Random, k: int = 3
) -> list[str]:
    """Up to `k` answers of the same kind as `answer`, distinct from it and from each other,
    the closest in length first (random among equals): distractors a reader cannot reject for
    their form alone ("5" beside a list of four names, a sentence beside single words)."""
    kind, size = answer_kind(answer), len(answer)
    taken = {normalized_answer(answer)}
    pool = sorted({a for a in others if can_generate_from(a) and answer_kind(a) == kind})
    rng.shuffle(pool)
    pool.sort(key=lambda a: abs(len(a) - size) / max(len(a), size, 1))
    picks: list[str] = []
    for a in pool:
        if len(picks) == k:
            break
        if normalized_answer(a) not in taken:
            taken.add(normalized_answer(a))
            picks.append(a)
    return picks


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
    answers in the same domain, of the same kind and close in length (similar_answers). None
    when fewer than three such answers exist."""
    picks = similar_answers(answer_text, others, rng)
    if len(picks) < 3:
        return None
    pos = rng.randrange(4)
    options = [html.escape(o) for o in (*picks[:pos], answer_text, *picks[pos:])]
    why = (
        f"Generated item: {LETTERS[pos]} is this card's own answer. The other options are "
        f"answers of other cards in {domain_name(domain)} of the same kind, so they may still "
        "not be plausible."
    )
    return ExamItem(card_id, note_id, domain, question_html, tuple(options), pos, why, (), True)
