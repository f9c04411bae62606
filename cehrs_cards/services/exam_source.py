"""The lazy item pool that mocks and blocks draw from (an ItemSource over the collection).

A draw first sees only card ids, never note fields: the multiple-choice cards (one light
query), and for pretest or generated slots random cards of a domain, found by probing random
ids on a big collection or from the domain's sorted id list on a small one. Fields are parsed
only for the cards the draw reaches, a growing chunk at a time, and generated options come from
a seeded sample of the domain's answers. A 125-item mock on a 100,000-card collection so parses
a few hundred notes instead of every one, with the same draw: least used first, uniformly
random within, one item per note.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Container, Iterator, Sequence
from dataclasses import replace
from itertools import islice

from cehrs_cards.core.exam import ExamItem
from cehrs_cards.core.exam_draw import (
    Candidate,
    answer_kind,
    can_generate_from,
    generated_item,
    normalized_answer,
    preference_ids,
    shuffled_lazily,
)
from cehrs_cards.db import exams as q
from cehrs_cards.db.repo import fields_dict
from cehrs_cards.db.session import Session
from cehrs_cards.services.exam_groups import group_column
from cehrs_cards.services.exam_pool import (
    GENERATABLE,
    Loaded,
    Source,
    answer_text,
    ids_of_kinds,
    mcq_item,
    note_types,
    parse_worthy,
    times_seen,
)

ANSWER_SAMPLE = 48  # distinct answers per domain and kind that generated options come from
FIRST_CHUNK, MAX_CHUNK = 32, 1024  # cards parsed per step of a lazy read (doubling)
PROBE_MIN = 20_000  # cards from which random ids are probed instead of listing a domain
PROBE_BATCH, PROBE_ROUNDS = 256, 16  # ids per probe query, queries before listing instead


class CardIds:
    """Unsuspended card ids by domain, read lightly: sorted id lists, or random probes."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self._span: tuple[int, int, bool] | None = None
        self._lists: dict[int | None, list[int]] = {}

    def span(self) -> tuple[int, int, bool]:
        """(lowest id, highest id, whether to probe), read when first needed: counting the
        cards walks the whole card index (3 ms at 100,000 cards), which a mock of authored
        items alone never needs."""
        if self._span is None:
            lo, hi, n = q.card_id_span(self.s)
            self._span = lo, hi, n >= PROBE_MIN and n * 10 >= hi - lo + 1
        return self._span

    @property
    def probing(self) -> bool:
        return self.span()[2]

    def of(self, domain: int | None) -> list[int]:
        """Sorted ids of the domain's unsuspended cards (None: of every domain)."""
        if domain not in self._lists:
            self._lists[domain] = q.unsuspended_ids(self.s, domain)
        return self._lists[domain]

    def shuffled(self, domain: int, rng: random.Random, skip: Container[int]) -> Iterator[int]:
        """The domain's unsuspended cards not in `skip`, in uniformly random order, lazily."""
        yielded: set[int] = set()
        if self.probing:
            for cid in self._probe(domain, rng, skip):
                yielded.add(cid)
                yield cid
        rest = [i for i in self.of(domain) if i not in skip and i not in yielded]
        yield from shuffled_lazily(rest, rng)

    def _probe(self, domain: int, rng: random.Random, skip: Container[int]) -> Iterator[int]:
        """Random ids without repeats, kept when they are such cards: each hit is uniform over
        the cards not yet hit (rejection sampling). Stops after a budget of probes."""
        tried: set[int] = set()
        lo, hi, _probing = self.span()
        span = hi - lo + 1
        for _ in range(PROBE_ROUNDS):
            batch: list[int] = []
            while len(batch) < PROBE_BATCH and len(tried) < span:
                x = rng.randint(lo, hi)
                if x not in tried:
                    tried.add(x)
                    batch.append(x)
            if not batch:
                return
            hits = q.probe(self.s, batch, domain)
            yield from (x for x in batch if x in hits and x not in skip)


class DbSource:
    """The collection's candidates for one draw (an ItemSource), read only as far as needed.

    `seen_kind` says which earlier attempts count as use (mock: only mocks); `generated`
    whether option-less cards may become items; `allowed` restricts to a block's filters.
    """

    def __init__(
        self,
        s: Session,
        seed: int,
        *,
        seen_kind: str | None,
        generated: bool,
        allowed: set[int] | None = None,
    ) -> None:
        self.s, self.seed, self.generated, self.allowed = s, seed, generated, allowed
        self.seen = times_seen(s, seen_kind)
        self.types = note_types(s)
        self.cards = CardIds(s)
        self.mcq = q.mcq_domains(s, ids_of_kinds(self.types, ("mcq",)))
        self.loaded: dict[int, Loaded | None] = {}
        self._answers: dict[int, str | None] = {}
        self._mcqs: dict[int, ExamItem | None] = {}
        self._samples: dict[int, _Sample] = {}
        self._group_column = group_column(s)
        self.parsed = 0  # notes whose fields were parsed: what the laziness saves

    # ----- the ItemSource protocol ---------------------------------------------------------
    def ordered(
        self,
        domains: Collection[int] | None,
        rng: random.Random,
        *,
        generated: bool,
        wanted: Callable[[int], bool] | None = None,
    ) -> Iterator[Candidate]:
        """Usable candidates, least used first and random within (see ItemSource).

        `wanted`, if given, says which card ids the caller keeps (held_out_draw.py: the
        held-out pool, or all but it): the others are passed over unread. The order, and so
        every draw from `rng`, is the same as without it; only the reading is saved."""
        gen = generated and self.generated
        if not gen:
            ids = [i for i, d in self.mcq.items() if domains is None or d in domains]
        elif domains is not None and len(domains) == 1 and self.allowed is None:
            return self._usable(self._preferred(next(iter(domains)), rng), self._skip(wanted, gen))
        elif domains is None:
            ids = self.cards.of(None)
        else:
            ids = sorted(i for d in set(domains) for i in self.cards.of(d))
        if self.allowed is not None:
            ids = [i for i in ids if i in self.allowed]
        return self._usable(preference_ids(ids, self.seen, rng), self._skip(wanted, gen))

    def _skip(self, wanted: Callable[[int], bool] | None, gen: bool) -> Callable[[int], bool]:
        """Which ids _usable may pass over unread: those not `wanted`, but with generated items
        on only multiple-choice ones, since judging an option-less card also reads the domain's
        answer sample (_sample), whose extent shapes the options of later generated items."""
        if wanted is None:
            return _never
        if not gen:
            return lambda i: not wanted(i)
        mcq = self.mcq
        return lambda i: i in mcq and not wanted(i)

    def _preferred(self, domain: int, rng: random.Random) -> Iterator[int]:
        """Every card of the domain, unseen first in random order, then by times seen."""
        yield from self.cards.shuffled(domain, rng, self.seen)
        if self.seen:
            again = [i for i in self.cards.of(domain) if i in self.seen]
            yield from preference_ids(again, self.seen, rng)

    def _usable(self, ids: Iterator[int], skip: Callable[[int], bool]) -> Iterator[Candidate]:
        """The usable candidates among `ids` but those to `skip`, in order, parsing notes a
        growing chunk at a time (a chunk is taken from `ids` whole, skipped ids included, so
        the order reads `rng` just as far as without skipping)."""
        size = FIRST_CHUNK
        while chunk := list(islice(ids, size)):
            chunk = [cid for cid in chunk if not skip(cid)]
            self._load(chunk)
            for cid in chunk:
                c = self._candidate(cid)
                if c is not None:
                    yield c
            size = min(size * 2, MAX_CHUNK)

    # ----- reading and checking cards --------------------------------------------------------
    def _load(self, ids: Sequence[int]) -> None:
        """Read and parse the notes of these cards (once): only usable kinds are parsed."""
        todo = [i for i in ids if i not in self.loaded]
        if not todo:
            return
        self.loaded.update(dict.fromkeys(todo))
        rows = q.item_rows(self.s, todo, self._group_column)
        for cid, nid, dom, ord_, raw, guid, ntid, stored_group in rows:
            nt = self.types.get(ntid)
            if nt is None or not parse_worthy(nt.kind, dom):
                continue
            self.parsed += 1
            src = Source(nt, fields_dict(nt, raw), ord_, guid)
            self.loaded[cid] = Loaded(nid, dom, src, stored_group)

    def _candidate(self, cid: int) -> Candidate | None:
        """The candidate of a loaded card, or None if it cannot be an item."""
        ld = self.loaded.get(cid)
        if ld is None:
            return None
        seen = self.seen.get(cid, 0)
        if ld.src.notetype.kind == "mcq":
            if cid not in self._mcqs:
                self._mcqs[cid] = mcq_item(ld.src, cid, ld.note_id, ld.domain)
            if self._mcqs[cid] is None:
                return None
            return Candidate(cid, ld.note_id, ld.domain, seen, group=ld.group)
        answer = self._answer(cid) if self.generated else None
        if answer is None:
            return None
        others = self._sample(ld.domain, answer_kind(answer))
        if len(others) - (normalized_answer(answer) in others) < 3:
            return None  # fewer than three other answers of its kind in the whole domain
        return Candidate(cid, ld.note_id, ld.domain, seen, generated=True, group=ld.group)

    def _answer(self, cid: int) -> str | None:
        """The plain answer of a loaded option-less card, if it can serve as an option."""
        if cid not in self._answers:
            ld = self.loaded.get(cid)
            answer = None
            if ld is not None and ld.src.notetype.kind in GENERATABLE:
                answer = answer_text(ld.src)
            usable = answer is not None and can_generate_from(answer)
            self._answers[cid] = answer if usable else None
        return self._answers[cid]

    def _sample(self, domain: int, kind: str) -> dict[str, str]:
        """Up to ANSWER_SAMPLE distinct answers (by normalized text) of one kind among the
        domain's option-less cards, read in a seeded random order: generated options are drawn
        from these. Fewer only when the whole domain has fewer of that kind."""
        if domain not in self._samples:
            rng = random.Random(f"{self.seed}:answers:{domain}")
            self._samples[domain] = _Sample(self.cards.shuffled(domain, rng, self.mcq))
        sample = self._samples[domain]
        while len(sample.of(kind)) < ANSWER_SAMPLE and not sample.done:
            chunk = list(islice(sample.order, ANSWER_SAMPLE))
            sample.done = not chunk
            self._load(chunk)
            for cid in chunk:
                answer = self._answer(cid)
                if answer is not None:
                    sample.add(answer)
        return sample.of(kind)

    def item(self, c: Candidate) -> ExamItem:
        """The ExamItem of a drawn candidate (generated options are fixed by seed and card)."""
        ld = self.loaded[c.card_id]
        assert ld is not None
        if not c.generated:
            item = self._mcqs[c.card_id]
            assert item is not None
            return item
        question = ld.src.notetype.render(ld.src.fields, ld.src.ord)[0]
        rng = random.Random(f"{self.seed}:{c.card_id}")
        answer = self._answers[c.card_id]
        assert answer is not None
        others = self._sample(c.domain, answer_kind(answer)).values()
        made = generated_item(c.card_id, c.note_id, c.domain, question, answer, others, rng)
        assert made is not None  # _candidate checked there are three other answers
        return replace(made, guid=ld.src.guid)


def _never(card_id: int) -> bool:
    return False


class _Sample:
    """A domain's answers read so far, by kind, and where the reading stands."""

    def __init__(self, order: Iterator[int]) -> None:
        self.order = order
        self.done = False
        self.by_kind: dict[str, dict[str, str]] = {}

    def of(self, kind: str) -> dict[str, str]:
        return self.by_kind.setdefault(kind, {})

    def add(self, answer: str) -> None:
        self.of(answer_kind(answer)).setdefault(normalized_answer(answer), answer)
