"""The search language's syntax tree: the nodes a query parses into, and the wildcard
pattern of a text term. Pure; shared by the parser (search.py), the keyword readers
(search_terms.py) and the SQL writer (db/search_sql.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ANY = "\x00*"
"""Wildcard piece: any run of characters."""
ONE = "\x00_"
"""Wildcard piece: exactly one character."""
MAX_QUERY = 4000
MAX_DEPTH = 40
"""Brackets nested deeper than this are refused (the SQL for them would not compile)."""
SPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
"""Unicode White_Space: every one reads as a plain space, as in Anki."""


class SearchError(ValueError):
    """A search the user typed that cannot be understood; the message says why, for the user."""


@dataclass(frozen=True)
class Pattern:
    """Text with wildcards: literal strings interleaved with ANY / ONE markers."""

    pieces: tuple[str, ...]

    @property
    def has_wildcards(self) -> bool:
        return any(p in (ANY, ONE) for p in self.pieces)

    def literal(self) -> str:
        """The text with wildcards shown as * and _ (exact when has_wildcards is False)."""
        return "".join({ANY: "*", ONE: "_"}.get(p, p) for p in self.pieces)

    def chunks(self) -> list[str]:
        """The literal runs between wildcards."""
        out, run = [], ""
        for p in self.pieces:
            if p in (ANY, ONE):
                out.append(run)
                run = ""
            else:
                run += p
        return [c for c in [*out, run] if c]

    def regex(self, any_run: str = ".*", one: str = ".") -> str:
        """A Python/RE2 regular expression for the pattern (not anchored)."""
        return "".join(
            any_run if p == ANY else one if p == ONE else re.escape(p) for p in self.pieces
        )

    def like(self) -> str:
        """A LIKE pattern (escape character backslash)."""
        return "".join(
            {ANY: "%", ONE: "_"}.get(p)
            or p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            for p in self.pieces
        )


def pattern(text: str) -> Pattern:
    """A Pattern from plain text where * and _ are wildcards (no escapes)."""
    return Pattern(tuple({"*": ANY, "_": ONE}.get(ch, ch) for ch in text))


# ----- the syntax tree --------------------------------------------------------------------------


@dataclass(frozen=True)
class All:
    """The empty search: every card."""


@dataclass(frozen=True)
class Nothing:
    """A search that can match no card (e.g. tag:"a b": tags have no spaces)."""


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


TextMode = Literal["plain", "nc", "sc", "word"]


@dataclass(frozen=True)
class Text:
    """Text anywhere in the note: plain, nc: (no accents), sc: (no cloze markers), w: (word)."""

    pat: Pattern
    mode: TextMode = "plain"


@dataclass(frozen=True)
class Regex:
    """re:PATTERN over the note's raw fields (Anki: case-insensitive unless (?-i))."""

    pattern: str


FieldMode = Literal["glob", "re", "nc"]


@dataclass(frozen=True)
class Field:
    """field:value: the whole field matching (glob, nc) or a regex found in it (re)."""

    name: Pattern
    mode: FieldMode
    pat: Pattern
    regex: str = ""


@dataclass(frozen=True)
class Tag:
    pat: Pattern  # tag:none has no pieces
    regex: str | None = None  # tag:re:...
    nc: bool = False


@dataclass(frozen=True)
class Deck:
    pat: Pattern


@dataclass(frozen=True)
class NoteType:
    pat: Pattern


@dataclass(frozen=True)
class NoteTypeId:
    id: int


@dataclass(frozen=True)
class Template:
    """card:N (1-based ordinal; 0 reads as 1) or card:NAME (glob)."""

    ordinal: int | None
    name: Pattern | None = None


@dataclass(frozen=True)
class Dupe:
    """dupe:NOTETYPE_ID,text: notes of that type whose first field is that text."""

    notetype_id: int
    text: str


@dataclass(frozen=True)
class Preset:
    name: str


@dataclass(frozen=True)
class Domain:
    domain: int


@dataclass(frozen=True)
class Is:
    what: str


@dataclass(frozen=True)
class Flag:
    flag: int


@dataclass(frozen=True)
class Prop:
    name: str  # ivl due reps lapses pos s d r
    op: str
    value: float


@dataclass(frozen=True)
class Since:
    """added: edited: introduced: rated: resched:, within the last N study days (1 = today)."""

    what: Literal["rated", "added", "edited", "introduced", "resched"]
    days: int
    rating: int | None = None


@dataclass(frozen=True)
class RatedOn:
    """prop:rated / prop:resched: answered (rescheduled) `days` study days from today (<= 0)."""

    op: str
    days: int
    rating: int | None = None
    resched: bool = False


@dataclass(frozen=True)
class Ids:
    kind: Literal["card", "note"]
    ids: tuple[int, ...]


Node = (
    All | Nothing | And | Or | Not | Text | Regex | Field | Tag | Deck | NoteType | NoteTypeId
    | Template | Dupe | Preset | Domain | Is | Flag | Prop | Since | RatedOn | Ids
)  # fmt: skip

__all__ = [
    "ANY",
    "MAX_DEPTH",
    "MAX_QUERY",
    "ONE",
    "SPACE",
    "All",
    "And",
    "Deck",
    "Domain",
    "Dupe",
    "Field",
    "FieldMode",
    "Flag",
    "Ids",
    "Is",
    "Node",
    "Not",
    "NoteType",
    "NoteTypeId",
    "Nothing",
    "Or",
    "Pattern",
    "Preset",
    "Prop",
    "RatedOn",
    "Regex",
    "SearchError",
    "Since",
    "Tag",
    "Template",
    "Text",
    "TextMode",
    "pattern",
]
