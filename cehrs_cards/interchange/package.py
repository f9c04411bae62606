"""What every reader produces and every writer consumes: a parsed deck package, no DB."""

from __future__ import annotations

from dataclasses import dataclass, field

from cehrs_cards.core.notetypes import BUILTINS, NoteTypeDef


class DeckFormatError(ValueError):
    """A deck file that cannot be read; the message says where and why, for the user."""


@dataclass
class NoteIn:
    guid: str
    notetype: str
    deck: str
    fields: dict[str, str]
    tags: list[str] = field(default_factory=list)
    domain: int | None = None
    task: str | None = None
    difficulty: str | None = None
    source: str | None = None


@dataclass
class Package:
    notes: list[NoteIn] = field(default_factory=list)
    notetypes: dict[str, NoteTypeDef] = field(default_factory=lambda: {n.name: n for n in BUILTINS})
    media: dict[str, bytes] = field(default_factory=dict)
