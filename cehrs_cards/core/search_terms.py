"""One search term (text, or key:value) as a syntax-tree node: Anki's keywords, its escapes
and its number rules (rslib/src/search/parser.rs), with this app's messages. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable

from cehrs_cards.core import search_nodes as q
from cehrs_cards.core.domains import DOMAINS, parse_domain

SearchError = q.SearchError
IS_VALUES = ("new", "due", "learn", "review", "suspended", "buried", "buried-manually",
             "buried-sibling", "leech", "flagged", "heldout")  # fmt: skip
PROPS = ("ivl", "due", "reps", "lapses", "ease", "pos", "rated", "resched", "s", "d", "r")
OPS = ("<=", ">=", "!=", "=", "<", ">")
MAX_DAYS = 100_000
_U32 = re.compile(r"\+?[0-9]+")
_I32 = re.compile(r"[+-]?[0-9]+")
_F32 = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_IDS = re.compile(r"(?:[0-9]+,)*[0-9]+")


def term(text: str) -> q.Node:
    """A term as typed (escapes in place): plain text, or key:value at the first bare ':'."""
    cut = _first_colon(text)
    if cut is None:
        return q.Text(glob(text))
    if cut == 0:
        raise SearchError(f"'{text}' starts with ':': put a keyword or field name before it, "
                          "or write \\: to search for a colon.")  # fmt: skip
    return term_with_value(text[:cut], text[cut + 1 :])


def _first_colon(text: str) -> int | None:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ":":
            return i
        i += 1
    return None


def term_with_value(key: str, val: str) -> q.Node:
    handler = _KEYWORDS.get(key.lower()) if key.isascii() else None
    if handler is not None:
        return handler(val)
    return _field(key, val)


# ----- text with wildcards and escapes -----------------------------------------------------------

_ESCAPABLE = '\\"*_:()-'


def glob(text: str, strict: bool = True) -> q.Pattern:
    """Anki's escaped text as a Pattern: * and _ wildcards, \\x literal. `strict` refuses an
    escape Anki does not know (\\f), as Anki does; otherwise \\x is x."""
    pieces: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1 : i + 2]
            if strict and (not nxt or nxt not in _ESCAPABLE):
                raise SearchError(
                    f"Unknown escape '\\{nxt}' in '{text}': only \\\\ \\\" \\* \\_ \\: \\( \\) "
                    "\\- have a meaning (write \\\\ for a backslash)."
                )
            pieces.append(nxt)
            i += 2
            continue
        pieces.append(q.ANY if ch == "*" else q.ONE if ch == "_" else ch)
        i += 1
    return q.Pattern(tuple(pieces))


def unescape_quotes(text: str) -> str:
    """Raw input (re:): only \\" means something (a quote)."""
    return text.replace('\\"', '"')


# ----- keywords -------------------------------------------------------------------------------


def _field(key: str, val: str) -> q.Node:
    name = glob(key)
    if val.startswith("re:"):
        return q.Field(name, "re", q.Pattern(()), _regex(unescape_quotes(val[3:])))
    if val.startswith("nc:"):
        return q.Field(name, "nc", glob(unescape_quotes(val[3:]), strict=False))
    return q.Field(name, "glob", glob(val))


def _regex(pattern: str) -> str:
    if not pattern:
        raise SearchError("re: needs a regular expression after it, e.g. re:\\d{3}.")
    return pattern


def _tag(val: str) -> q.Node:
    if val.startswith("re:"):
        return q.Tag(q.Pattern(()), _regex(unescape_quotes(val[3:])))
    nc = val.startswith("nc:")
    pat = glob(val[3:] if nc else val)
    literal = pat.literal()
    if literal == "none" and not pat.has_wildcards:
        return q.Tag(q.Pattern(()))
    if " " in literal:
        return q.Nothing()  # tags never contain spaces
    if not pat.pieces:
        raise SearchError("'tag:' needs a tag, e.g. tag:leech (tag:none: notes without tags).")
    return q.Tag(pat, None, nc)


def _template(val: str) -> q.Node:
    if _U32.fullmatch(val) and int(val) <= 65535:
        return q.Template(max(int(val), 1) - 1)
    return q.Template(None, glob(val))


def _flag(val: str) -> q.Node:
    if not (_U32.fullmatch(val) and int(val) <= 7):
        raise SearchError(f"Unknown 'flag:{val}': use flag:0 (no flag) to flag:7.")
    return q.Flag(int(val))


def _is(val: str) -> q.Node:
    if val not in IS_VALUES:
        raise SearchError(f"Unknown 'is:{val}' (these are lower case): use one of "
                          f"{', '.join(IS_VALUES)}.")  # fmt: skip
    return q.Is(val)


def _u32(num: str, context: str) -> int:
    if not _U32.fullmatch(num) or int(num) > 2**32 - 1:
        raise SearchError(f"'{context}' needs a whole number of 0 or more, not '{num}'.")
    return int(num)


def _i32(num: str, context: str, most: int = 2**31 - 1) -> int:
    if not _I32.fullmatch(num) or not -(2**31) <= int(num) <= most:
        kind = "a whole number" if most > 0 else "0 or a negative whole number"
        raise SearchError(f"'{context}' needs {kind}, not '{num}'.")
    return int(num)


def _number(num: str, context: str) -> float:
    if not _F32.fullmatch(num):
        raise SearchError(f"'{context}' needs a number, not '{num}'.")
    return float(num)


def _rating(num: str | None, context: str) -> int | None:
    if num is None:
        return None
    if not (num.isdigit() and num.isascii() and 1 <= int(num) <= 4):
        raise SearchError(f"'{context}': the answer must be 1-4 (Again, Hard, Good, Easy), "
                          f"not '{num}'.")  # fmt: skip
    return int(num)


def _prop(val: str) -> q.Node:
    context = f"prop:{val}"
    name = next((p for p in PROPS if val.startswith(p)), None)
    if val.startswith(("cdn:", "cds:")):
        raise SearchError(f"'{context}': this app keeps no custom card data to search.")
    if name is None:
        raise SearchError(f"Unknown property in '{context}': use one of {', '.join(PROPS)}.")
    tail = val[len(name) :]
    op = next((o for o in OPS if tail.startswith(o)), None)
    if op is None:
        raise SearchError(f"'{context}' needs a comparison after '{name}': < <= = != >= >.")
    num = tail[len(op) :]
    if name == "ease":
        raise SearchError("prop:ease: this app schedules with FSRS and keeps no ease factor; "
                          "use prop:d (difficulty 0-1) instead.")  # fmt: skip
    if name in ("rated", "resched"):
        days, _, button = num.partition(":")
        rating = _rating(button if ":" in num else None, context) if name == "rated" else None
        if name == "resched" and ":" in num:
            raise SearchError(f"'{context}' takes a number of days only, e.g. prop:resched=0.")
        return q.RatedOn(op, _i32(days, context, most=0), rating, name == "resched")
    if name == "due":
        return q.Prop(name, op, _i32(num, context))
    if name in ("s", "d", "r"):
        return q.Prop(name, op, _number(num, context))
    return q.Prop(name, op, _u32(num, context))


def _since(what: str) -> Callable[[str], q.Node]:
    def handler(val: str) -> q.Node:
        days_text, sep, button = val.partition(":") if what == "rated" else (val, "", "")
        days = min(max(_u32(days_text, f"{what}:"), 1), MAX_DAYS)
        rating = _rating(button if sep else None, f"{what}:{val}")
        return q.Since(what, days, rating)  # type: ignore[arg-type]

    return handler


def _ids(kind: str) -> Callable[[str], q.Node]:
    def handler(val: str) -> q.Node:
        key = "cid" if kind == "card" else "nid"
        if not _IDS.fullmatch(val):
            raise SearchError(f"'{key}:{val}': expected only digits and commas, e.g. {key}:12,15.")
        return q.Ids(kind, tuple(int(p) for p in val.split(",")))  # type: ignore[arg-type]

    return handler


def _whole(key: str) -> Callable[[str], int]:
    def read(val: str) -> int:
        if not _I32.fullmatch(val) or abs(int(val)) >= 2**63:
            raise SearchError(f"'{key}:' needs a note type id (a whole number), not '{val}'.")
        return int(val)

    return read


def _dupe(val: str) -> q.Node:
    ntid, sep, text = val.partition(",")
    number = _whole("dupe")(ntid)
    if not sep:
        raise SearchError("Write dupe:NOTE_TYPE_ID,text (a comma after the id).")
    return q.Dupe(number, text.replace('\\"', '"').replace("\\\\", "\\"))


def _domain(val: str) -> q.Node:
    dom = parse_domain(glob(val).literal())
    if dom is None:
        names = ", ".join(f"{d.id} {d.name}" for d in DOMAINS)
        raise SearchError(f"Unknown domain '{val}'. Use 1-5, 0 (unassigned) or a name: {names}.")
    return q.Domain(dom)


def _not_here(message: str) -> Callable[[str], q.Node]:
    def handler(_val: str) -> q.Node:
        raise SearchError(message)

    return handler


def _text(mode: q.TextMode) -> Callable[[str], q.Node]:
    def handler(val: str) -> q.Node:
        return q.Text(glob(val), mode)

    return handler


_KEYWORDS: dict[str, Callable[[str], q.Node]] = {
    "deck": lambda v: q.Deck(glob(v)),
    "note": lambda v: q.NoteType(glob(v)),
    "tag": _tag,
    "card": _template,
    "flag": _flag,
    "resched": _since("resched"),
    "prop": _prop,
    "added": _since("added"),
    "edited": _since("edited"),
    "introduced": _since("introduced"),
    "rated": _since("rated"),
    "is": _is,
    "did": _not_here("did: (deck ids) is not supported here: use deck:NAME."),
    "mid": lambda v: q.NoteTypeId(_whole("mid")(v)),
    "nid": _ids("note"),
    "cid": _ids("card"),
    "re": lambda v: q.Regex(_regex(unescape_quotes(v))),
    "nc": _text("nc"),
    "sc": _text("sc"),
    "w": _text("word"),
    "dupe": _dupe,
    "has-cd": _not_here("has-cd: this app keeps no custom card data to search."),
    "preset": lambda v: q.Preset(v),
    "domain": _domain,
}
