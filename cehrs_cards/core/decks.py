"""Deck paths: the one definition. A deck's full name joins its levels with '::' (as Anki
shows them); a deck contains itself and every deck below it."""

from __future__ import annotations

from collections.abc import Iterable

DECK_SEP = "::"
DEFAULT_DECK = "Default"
MAX_DEPTH = 100
"""Levels kept from a deck name; deeper levels are joined into the last one (a hostile
name's 5,000 levels must not cost a table row, or a recursion, each). Package readers refuse
such names outright (interchange/package.py, the same limit)."""


def normalise(name: str) -> str:
    """Levels trimmed, empty levels dropped, at most MAX_DEPTH levels; "Default" if empty."""
    parts = [p.strip() for p in name.split(DECK_SEP) if p.strip()]
    if len(parts) > MAX_DEPTH:
        parts = [*parts[: MAX_DEPTH - 1], " ".join(parts[MAX_DEPTH - 1 :])]
    return DECK_SEP.join(parts) or DEFAULT_DECK


def levels(name: str) -> list[str]:
    return name.split(DECK_SEP)


def depth(name: str) -> int:
    """0 for a top-level deck."""
    return name.count(DECK_SEP)


def leaf(name: str) -> str:
    return name.rpartition(DECK_SEP)[2]


def parent(name: str) -> str | None:
    head, sep, _ = name.rpartition(DECK_SEP)
    return head if sep else None


def lineage(name: str) -> list[str]:
    """The deck and every deck above it, top first: A, A::B, A::B::C."""
    parts = levels(name)
    return [DECK_SEP.join(parts[: i + 1]) for i in range(len(parts))]


def contains(root: str, name: str) -> bool:
    """Whether deck `name` is `root` or below it."""
    return name == root or name.startswith(root + DECK_SEP)


def within(root: str, decks: Iterable[tuple[int, str]]) -> list[int]:
    """Ids of the (id, name) decks that `root` contains."""
    return [i for i, n in decks if contains(root, n)]
