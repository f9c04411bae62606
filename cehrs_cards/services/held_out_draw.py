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
from collections.abc import Collection, Iterator, Mapping

from cehrs_cards.core.exam_draw import Candidate, FormSlot, ItemSource


class OneGroup:
    """Shared by every source of one draw: the same-fact groups already drawn."""

    def __init__(self, groups: Mapping[int, str]) -> None:
        self.groups, self.used = groups, set[str]()

    def keep(self, c: Candidate) -> bool:
        """True (and the group is now used) unless another item of c's group was drawn."""
        g = self.groups.get(c.card_id)
        if g is None:
            return True
        if g in self.used:
            return False
        self.used.add(g)
        return True


class Excluding:
    """Candidates of `inner` except the held-out ones (pretest slots, practice blocks)."""

    def __init__(self, inner: ItemSource, skip: Collection[int], group: OneGroup) -> None:
        self.inner, self.skip, self.group = inner, skip, group

    def ordered(
        self, domains: Collection[int] | None, rng: random.Random, *, generated: bool
    ) -> Iterator[Candidate]:
        for c in self.inner.ordered(domains, rng, generated=generated):
            if c.card_id not in self.skip and self.group.keep(c):
                yield c


class PoolFirst:
    """A mock's scored items: held-out items no mock used yet, then studied items, then
    held-out items again (each later kind only when the earlier ones are used up)."""

    def __init__(
        self,
        inner: ItemSource,
        pool: Collection[int],
        seen: Mapping[int, int],
        group: OneGroup,
    ) -> None:
        self.inner, self.pool, self.seen, self.group = inner, pool, seen, group

    def ordered(
        self, domains: Collection[int] | None, rng: random.Random, *, generated: bool
    ) -> Iterator[Candidate]:
        for c in self.inner.ordered(domains, rng, generated=generated):
            if self.fresh(c.card_id) and self.group.keep(c):
                yield c
        for c in self.inner.ordered(domains, rng, generated=generated):
            if c.card_id not in self.pool and self.group.keep(c):
                yield c
        for c in self.inner.ordered(domains, rng, generated=generated):
            if c.card_id in self.pool and not self.fresh(c.card_id) and self.group.keep(c):
                yield c  # a held-out item again: only when nothing else is left

    def fresh(self, card_id: int) -> bool:
        """A held-out item no earlier mock showed."""
        return card_id in self.pool and not self.seen.get(card_id)


def clean(slots: list[FormSlot], source: PoolFirst) -> bool:
    """Every scored item is a fresh held-out item: the mock is a clean diagnostic."""
    return all(source.fresh(f.candidate.card_id) for f in slots if not f.pretest)
