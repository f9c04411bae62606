"""The browser's search language (Anki-like), parsed into a small immutable syntax tree.

    hipaa breach          both words, anywhere in the note's text (substring, any case)
    "minimum necessary"   a phrase;  d*g and d_g are wildcards (any run / one character)
    -tag:leech            negation;  a or b, (a or b) c: grouping; 'and' may be written
    front:CPOE*           field search: the whole field matches the pattern
    tag:  deck:  note:  domain:1..5 or a name  is:new|due|learn|review|suspended|buried|
    flagged|leech  flag:0..4  prop:r<0.8 prop:lapses>3 prop:ivl>=10 (also s, d, reps, due)
    rated:7 (rated:7:1 = answered Again)  added:7  edited:7  cid:1,2  nid:3

Pure: no SQL here. db/search_sql.py turns the tree into parameterised SQL. (Over 400 lines:
the tree, the tokenizer and the parser of one small language read best side by side.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from cehrs_cards.core.domains import DOMAINS, parse_domain

ANY = "\x00*"
"""Wildcard piece: any run of characters."""
ONE = "\x00_"
"""Wildcard piece: exactly one character."""
MAX_QUERY = 2000
IS_VALUES = ("new", "due", "learn", "review", "suspended", "buried", "flagged", "leech")
PROP_NAMES = dict(
    r="r", retrievability="r", s="s", stability="s", d="d", difficulty="d",
    lapses="lapses", reps="reps", ivl="ivl", interval="ivl", due="due",
)  # fmt: skip
PROP_OPS = ("<=", ">=", "!=", "<", ">", "=")
KEYWORDS = frozenset(
    "tag deck note domain is flag prop rated added edited cid nid".split()
)  # anything else before ':' names a field


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

    def like(self, anywhere: bool = False) -> str:
        """A LIKE pattern (escape character backslash); `anywhere` adds % at both ends."""
        body = "".join(
            {ANY: "%", ONE: "_"}.get(p)
            or p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            for p in self.pieces
        )
        return f"%{body}%" if anywhere else body


def pattern(text: str) -> Pattern:
    """A Pattern from plain text where * and _ are wildcards (no escapes)."""
    return Pattern(tuple({"*": ANY, "_": ONE}.get(ch, ch) for ch in text))


# ----- the syntax tree --------------------------------------------------------------------------


@dataclass(frozen=True)
class All:
    """The empty search: every card."""


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class Text:
    """Plain words or a quoted phrase, matched anywhere in the note's text."""

    pat: Pattern


@dataclass(frozen=True)
class Field:
    """field:value, the whole named field matching the pattern."""

    name: str
    pat: Pattern


@dataclass(frozen=True)
class Tag:
    pat: Pattern  # tag:none has no pieces


@dataclass(frozen=True)
class Deck:
    pat: Pattern


@dataclass(frozen=True)
class NoteType:
    pat: Pattern


@dataclass(frozen=True)
class Domain:
    domain: int


@dataclass(frozen=True)
class Is:
    what: str  # one of IS_VALUES


@dataclass(frozen=True)
class Flag:
    flag: int


@dataclass(frozen=True)
class Prop:
    name: str  # a value of PROP_NAMES
    op: str  # one of PROP_OPS
    value: float


@dataclass(frozen=True)
class Since:
    """rated:N[:R], added:N, edited:N: within the last N study days (1 = today)."""

    what: Literal["rated", "added", "edited"]
    days: int
    rating: int | None = None


@dataclass(frozen=True)
class Ids:
    kind: Literal["card", "note"]
    ids: tuple[int, ...]


Node = (
    All
    | And
    | Or
    | Not
    | Text
    | Field
    | Tag
    | Deck
    | NoteType
    | Domain
    | Is
    | Flag
    | Prop
    | Since
    | Ids
)
_Handler = Callable[[str], Node]


# ----- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: Literal["word", "(", ")", "-"]
    pieces: tuple[str, ...] = ()  # for words: literal text, wildcards, and ":" separators
    quoted: bool = False
    pos: int = 0


COLON = "\x00:"


def tokenize(query: str) -> list[_Tok]:
    """Split a query into words, parentheses and negation marks, honouring quotes and escapes."""
    if len(query) > MAX_QUERY:
        raise SearchError(f"The search is too long (over {MAX_QUERY} characters).")
    q = query.replace("\x00", "")
    out: list[_Tok] = []
    i = 0
    while i < len(q):
        ch = q[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Tok(ch, pos=i))  # type: ignore[arg-type]
            i += 1
        elif ch == "-" and i + 1 < len(q) and not q[i + 1].isspace():
            out.append(_Tok("-", pos=i))
            i += 1
        else:
            tok, i = _word(q, i)
            out.append(tok)
    return out


def _word(q: str, start: int) -> tuple[_Tok, int]:
    """One word from `start`: unquoted runs and "quoted" runs glued together (tag:"a b")."""
    pieces: list[str] = []
    quoted = q[start] == '"'  # "key:value" quoted whole; key:"value" is not
    i = start
    while i < len(q) and not q[i].isspace() and q[i] not in "()":
        if q[i] == '"':
            i = _quoted(q, i, pieces)
            continue
        i = _piece(q, i, pieces)
    return _Tok("word", tuple(pieces), quoted, start), i


def _quoted(q: str, start: int, pieces: list[str]) -> int:
    i = start + 1
    while i < len(q) and q[i] != '"':
        i = _piece(q, i, pieces)
    if i >= len(q):
        raise SearchError(f'The quote at position {start + 1} is never closed; add a closing ".')
    return i + 1


def _piece(q: str, i: int, pieces: list[str]) -> int:
    """Append the piece at q[i] (an escape, wildcard, colon or character); return the next i."""
    ch = q[i]
    if ch == "\\" and i + 1 < len(q):
        pieces.append(q[i + 1])
        return i + 2
    if ch == "*":
        pieces.append(ANY)
    elif ch == "_":
        pieces.append(ONE)
    elif ch == ":":
        pieces.append(COLON)
    else:
        pieces.append(ch)
    return i + 1


# ----- parser -------------------------------------------------------------------------------


def parse(query: str) -> Node:
    """The syntax tree of a search; raises SearchError with a message for the user."""
    p = _Parser(tokenize(query))
    if not p.toks:
        return All()
    node = p.or_expr()
    if p.i < len(p.toks):
        tok = p.toks[p.i]
        raise SearchError(f"Unexpected ')' at position {tok.pos + 1}; remove it or add a '('.")
    return node


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _is_op(self, tok: _Tok | None, word: str) -> bool:
        return (
            tok is not None
            and tok.kind == "word"
            and not tok.quoted
            and "".join(tok.pieces).lower() == word
        )

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self._is_op(self.peek(), "or"):
            self.i += 1
            if self.peek() is None or self.peek().kind == ")":  # type: ignore[union-attr]
                raise SearchError("'or' needs a search on both sides.")
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while True:
            tok = self.peek()
            if tok is None or tok.kind == ")" or self._is_op(tok, "or"):
                break
            if self._is_op(tok, "and"):
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt.kind == ")" or self._is_op(nxt, "or"):
                    raise SearchError("'and' needs a search on both sides.")
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise SearchError("The search ends too early.")
        if self._is_op(tok, "or") or self._is_op(tok, "and"):
            raise SearchError(f"'{''.join(tok.pieces)}' needs a search on both sides.")
        self.i += 1
        if tok.kind == "-":
            nxt = self.peek()
            if nxt is None or nxt.kind == ")":
                raise SearchError("'-' must be followed by what to leave out, e.g. -tag:leech.")
            return Not(self.unary())
        if tok.kind == "(":
            return self._group(tok)
        if tok.kind == ")":
            raise SearchError(f"Unexpected ')' at position {tok.pos + 1}; remove it or add a '('.")
        return term(tok.pieces, tok.quoted)

    def _group(self, opening: _Tok) -> Node:
        if self.peek() is not None and self.peek().kind == ")":  # type: ignore[union-attr]
            raise SearchError(f"The brackets at position {opening.pos + 1} are empty.")
        node = self.or_expr()
        closing = self.peek()
        if closing is None or closing.kind != ")":
            raise SearchError(f"The '(' at position {opening.pos + 1} is never closed.")
        self.i += 1
        return node


# ----- terms ----------------------------------------------------------------------------------


def term(pieces: tuple[str, ...], quoted: bool) -> Node:
    """One word: plain text, or key:value when it has an unescaped colon."""
    if COLON in pieces:
        cut = pieces.index(COLON)
        key = "".join(pieces[:cut]).lower()
        value = pieces[cut + 1 :]
        # Quoted, only keywords qualify, written without a space: "deck:My Deck", not "Note: x".
        spaced = bool(value) and value[0].isspace()
        plain_key = bool(key) and not any(p in (ANY, ONE) for p in pieces[:cut])
        if plain_key and (not quoted or (key in KEYWORDS and not spaced)):
            return _qualified(key, _unmark(value))
    return Text(_unmark(pieces))


def _unmark(pieces: tuple[str, ...]) -> Pattern:
    """Colons become literal text again."""
    return Pattern(tuple(":" if p == COLON else p for p in pieces))


def _qualified(key: str, pat: Pattern) -> Node:
    value = pat.literal()
    if key in ("tag", "deck", "note"):
        if not value:
            raise SearchError(f"'{key}:' needs a value, e.g. {key}:{_EXAMPLE[key]}.")
        if key == "tag":
            return Tag(Pattern(()) if value.lower() == "none" else pat)
        return Deck(pat) if key == "deck" else NoteType(pat)
    handler = _HANDLERS.get(key)
    if handler is not None:
        return handler(value)
    return Field(key, pat)


_EXAMPLE = {"tag": "leech", "deck": "CEHRS", "note": "Cloze"}


def _domain(value: str) -> Node:
    dom = parse_domain(value)
    if dom is None:
        names = ", ".join(f"{d.id} {d.name}" for d in DOMAINS)
        raise SearchError(f"Unknown domain '{value}'. Use 1-5, 0 (unassigned) or a name: {names}.")
    return Domain(dom)


def _is(value: str) -> Node:
    v = value.lower()
    if v not in IS_VALUES:
        raise SearchError(f"Unknown 'is:{value}'. Use one of: {', '.join(IS_VALUES)}.")
    return Is(v)


def _flag(value: str) -> Node:
    if value not in ("0", "1", "2", "3", "4"):
        raise SearchError(f"Unknown 'flag:{value}'. Use flag:0 (no flag) to flag:4.")
    return Flag(int(value))


def _prop(value: str) -> Node:
    v = value.lower().replace(" ", "")
    for op in PROP_OPS:
        name, sep, number = v.partition(op)
        if sep:
            break
    if not sep or name not in PROP_NAMES:
        raise SearchError(
            f"Cannot read 'prop:{value}'. Write e.g. prop:r<0.8, prop:lapses>3, prop:ivl>=10 "
            f"(properties: {', '.join(sorted(set(PROP_NAMES.values())))})."
        )
    try:
        num = float(number)
    except ValueError:
        raise SearchError(f"'prop:{value}' needs a number after '{op}'.") from None
    if PROP_NAMES[name] == "due" and num != int(num):
        raise SearchError("prop:due counts whole days, e.g. prop:due<=1.")
    return Prop(PROP_NAMES[name], op, num)


def _since(what: Literal["rated", "added", "edited"]) -> _Handler:
    def handler(value: str) -> Node:
        days, _, rating = value.partition(":")
        if not days.isdigit() or not 1 <= int(days) <= 36500:
            raise SearchError(f"'{what}:' needs a number of days (1 = today), e.g. {what}:7.")
        if rating and (what != "rated" or rating not in ("1", "2", "3", "4")):
            raise SearchError("Use rated:DAYS:RATING with a rating of 1-4, e.g. rated:7:1.")
        return Since(what, int(days), int(rating) if rating else None)

    return handler


def _ids(kind: Literal["card", "note"]) -> _Handler:
    def handler(value: str) -> Node:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or not all(p.isdigit() and len(p) < 19 for p in parts):
            key = "cid" if kind == "card" else "nid"
            raise SearchError(f"'{key}:' needs ids separated by commas, e.g. {key}:12,15.")
        return Ids(kind, tuple(int(p) for p in parts))

    return handler


_HANDLERS = {
    "domain": _domain,
    "is": _is,
    "flag": _flag,
    "prop": _prop,
    "rated": _since("rated"),
    "added": _since("added"),
    "edited": _since("edited"),
    "cid": _ids("card"),
    "nid": _ids("note"),
}


def quote(text: str) -> str:
    """Text as a search term matching it literally (for sidebar items and the CLI's --deck)."""
    escaped = "".join("\\" + ch if ch in '\\"*_:' else ch for ch in text)
    return f'"{escaped}"'
