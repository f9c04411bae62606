"""Drawing mocks and blocks around the held-out pool (services/held_out.py).

- A mock's scored items come from the held-out pool, items no earlier mock used first; when
  the pool of a domain is used up, studied items fill the rest and the attempt is marked as
  not a clean diagnostic.
- Pretest slots and practice blocks never use held-out items.
- No two items of one same-fact group appear in one form or block.

Each wrapper is an ItemSource (core/exam_draw.py) around the collection's DbSource.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Protocol

from cehrs_cards.core.exam_draw import Candidate, FormSlot


class Source(Protocol):
    """An ItemSource (core/exam_draw.py) that can pass over ids the caller would drop anyway
    without reading their notes (services/exam_source.py DbSource)."""

    def ordered(
        self,
        domains: Collection[int] | None,
        rng: random.Random,
        *,
        generated: bool,
        wanted: Callable[[int], bool] | None = None,
    ) -> Iterator[Candidate]: ...


class OneGroup:
    """Shared by every source of one draw: the same-fact groups already offered.

    The group is the candidate's own (read with its note by the source), so a draw needs no
    list of every grouped card up front: reading that list joined every card to its note
    (27 ms on the heavy benchmark collection, more than half a mock's assembly)."""

    def __init__(self) -> None:
        self.used = set[str]()

    def keep(self, c: Candidate) -> bool:
        """True (and the group is now used) unless another item of c's group was drawn."""
        g = c.group
        if not g:
            return True
        if g in self.used:
            return False
        self.used.add(g)
        return True


class Excluding:
    """Candidates of `inner` except the held-out ones (pretest slots, practice blocks)."""

    def __init__(self, inner: Source, skip: Collection[int], group: OneGroup) -> None:
        self.inner, self.skip, self.group = inner, skip, group

    def ordered(
        self, domains: Collection[int] | None, rng: random.Random, *, generated: bool
    ) -> Iterator[Candidate]:
        wanted = self.wanted
        for c in self.inner.ordered(domains, rng, generated=generated, wanted=wanted):
            if wanted(c.card_id) and self.group.keep(c):
                yield c

    def wanted(self, card_id: int) -> bool:
        return card_id not in self.skip


class PoolFirst:
    """A mock's scored items: held-out items no mock used yet, then studied items, then
    held-out items again (each later kind only when the earlier ones are used up)."""

    def __init__(
        self,
        inner: Source,
        pool: Collection[int],
        seen: Mapping[int, int],
        group: OneGroup,
    ) -> None:
        self.inner, self.pool, self.seen, self.group = inner, pool, seen, group

    def ordered(
        self, domains: Collection[int] | None, rng: random.Random, *, generated: bool
    ) -> Iterator[Candidate]:
        # the held-out items no mock used, then studied items, then held-out items again (a
        # held-out item again: only when nothing else is left)
        for wanted in (self.fresh, self.studied, self.reused):
            for c in self.inner.ordered(domains, rng, generated=generated, wanted=wanted):
                if wanted(c.card_id) and self.group.keep(c):
                    yield c

    def fresh(self, card_id: int) -> bool:
        """A held-out item no earlier mock showed."""
        return card_id in self.pool and not self.seen.get(card_id)

    def studied(self, card_id: int) -> bool:
        return card_id not in self.pool

    def reused(self, card_id: int) -> bool:
        """A held-out item an earlier mock showed."""
        return card_id in self.pool and not self.fresh(card_id)


def clean(slots: list[FormSlot], source: PoolFirst) -> bool:
    """Every scored item is a fresh held-out item: the mock is a clean diagnostic."""
    return all(source.fresh(f.candidate.card_id) for f in slots if not f.pretest)
