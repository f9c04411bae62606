r"""The browser's search language, Anki's, parsed into a small immutable syntax tree.

    hipaa breach          both, anywhere in the note;  "a phrase";  a or b;  (a or b) c
    -tag:leech            not;  'and' may be written;  quote "and" / "or" to find the words
    d*g  d_g              wildcards: any run / one character
    \* \_ \" \\ \: \( \) \-   the character itself;  3\:30 finds 3:30
    w:dog  w:dog*         whole words;  nc:uber finds über (accents ignored)
    sc:"capital of"       cloze notes, cloze markers ignored ({{c1::capital}} of)
    re:\d{3}              regular expression on the raw fields (any case; (?-i) for exact)
    front:CPOE*           a field, whole: front:*x* contains, front: empty, front:_* not
                          empty; fr*:x fields starting fr; *:x any field; front:re:...
                          front:nc:...;  "back extra:a b" (quote names with spaces)
    tag:x (also x::child)  tag:none  tag:x*  tag:re:^x$    deck:x (and its subdecks)
    note:Basic  card:1  card:"Card 2"  mid:ID  nid:ID,ID  cid:ID  dupe:NOTE_TYPE_ID,text
    is:new|due|learn|review|suspended|buried|buried-manually|buried-sibling  flag:0..7
    prop:ivl>=10 (days)  prop:due=1  prop:due<=-1  prop:reps<10  prop:lapses>3
    prop:pos<=100  prop:s>21  prop:d>0.3  prop:r<0.9  prop:rated=-1  prop:resched=0
    added:7  edited:7  rated:7  rated:7:1 (Again)  introduced:30  resched:7
    preset:NAME           your saved search NAME
    This app only: domain:1..5 or a name, is:leech, is:flagged, is:heldout (the held-out
                          diagnostic items: kept out of study so the readiness estimate
                          stays honest; opening one spoils it as a diagnostic).

Where this app differs from Anki on purpose:
  - Plain words, phrases, w: and nc: search the note's text without its common markup:
    the tags b i u strong em sub br div p li, the entities &amp; &lt; &gt; &quot;, no-break
    spaces and cloze markers {{c1::...}} (c1-c9), so "60 days" finds {{c1::60}} days and
    <b> or c1 find nothing. Search the raw fields with re:, field searches (front:...), sc:.
  - Letters of every alphabet match in any case (Anki: only a-z): CAFÉ finds café and ελ
    finds Ελ, however short the search.
  - A field no note type has is an error naming the fields (Anki finds nothing); so is
    an empty re: (Anki: every note).
  - prop:ease is refused: this app schedules with FSRS only and keeps no ease (prop:d).
  - has-cd:, prop:cdn:, prop:cds: are refused: there is no custom card data here.
  - preset:NAME runs your saved search NAME (there are no deck option presets here;
    preset:Default finds every card, as every deck uses the one set of options).
  - is:buried-sibling finds nothing and is:buried-manually finds every buried card: a bury
    does not record here whether you or a sibling's answer made it (is:buried finds both).
  - resched: and prop:resched find nothing: due date changes are not logged here.
  - mid: and dupe: take this app's note type ids: note types are numbered here, and an
    imported one joins a note type you have with the same name and fields, so Anki's note
    type id is not kept (notes and cards keep Anki's ids: nid: and cid: find them).
  - prop:pos counts new cards' notes in the order they will be studied (1 = next).
  - prop:ivl is 0 for relearning cards (Anki keeps the interval they will return to).
  - re: runs on RE2 (no search can hang the window); \b there is an ASCII word boundary.
  - deck:filtered finds nothing (no filtered decks); deck:current is a deck called current.

Pure: no SQL here. db/search_sql.py turns the tree into parameterised SQL. The grammar
follows Anki's: rslib/src/search/parser.rs. Keywords are read in core/search_terms.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cehrs_cards.core.search_nodes import *  # the syntax tree, re-exported
from cehrs_cards.core.search_nodes import __all__ as _NODES
from cehrs_cards.core.search_terms import term, term_with_value

__all__ = [*_NODES, "SORT_KEYS", "parse"]


# ----- parser -------------------------------------------------------------------------------
# One class per query; methods follow Anki's grammar: group_inner, node, group, text.

_STOP = '"() \u3000'


@dataclass
class _Op:
    word: Literal["and", "or"]


class _Parser:
    def __init__(self, query: str) -> None:
        self.s = query
        self.i = 0
        self.depth = 0

    def fail(self, message: str) -> SearchError:
        return SearchError(message)

    def at(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def skip_space(self) -> None:
        while self.at() in (" ", "\u3000") and self.at():
            self.i += 1

    def group_inner(self) -> Node | None:
        """Terms up to a ')' or the end, with implicit and; None when there are none."""
        items: list[Node | _Op] = []
        while True:
            self.skip_space()
            if not self.at() or self.at() == ")":
                break
            item = self.node()
            if isinstance(item, _Op) == (len(items) % 2 == 0):
                if isinstance(item, _Op):
                    raise self.fail(_misplaced(item.word))
                items.append(_Op("and"))
            items.append(item)
        if items and isinstance(items[-1], _Op):
            raise self.fail(_misplaced(items[-1].word))
        return _combine(items) if items else None

    def node(self) -> Node | _Op:
        if self.at() == "-" and self.at(1) and self.at(1) not in " \u3000)":
            self.i += 1
            item = self.group() if self.at() == "(" else self.text()
            if isinstance(item, _Op):
                raise self.fail(f"'-{item.word}': '{item.word}' cannot be negated; quote it.")
            return Not(item)
        return self.group() if self.at() == "(" else self.text()

    def group(self) -> Node:
        start = self.i
        self.i += 1
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"The brackets are nested too deeply (more than {MAX_DEPTH} levels).")
        inner = self.group_inner()
        if self.at() != ")":
            raise self.fail(f"The '(' at position {start + 1} is never closed; add a ')'.")
        if inner is None:
            raise self.fail(f"The brackets at position {start + 1} are empty.")
        self.i += 1
        self.depth -= 1
        return inner

    def text(self) -> Node | _Op:

        if self.at() == '"':
            return term(self.quoted())
        key_end = self._key_before_quote()
        if key_end is not None:
            key = self.s[self.i : key_end]
            self.i = key_end + 1
            return term_with_value(key, self.quoted())
        word = self.unquoted()
        if word.lower() in ("and", "or"):
            return _Op(word.lower())  # type: ignore[arg-type]
        return term(word)

    def quoted(self) -> str:
        """The inside of "...", escapes kept (the term reader checks them)."""
        start = self.i
        j = start + 1
        while j < len(self.s) and self.s[j] != '"':
            j += 2 if self.s[j] == "\\" else 1
        if j >= len(self.s):
            raise self.fail(f'The quote at position {start + 1} is never closed; add a ".')
        if j == start + 1:
            raise self.fail(f'Empty quotes ("") at position {start + 1}: put text between them.')
        self.i = j + 1
        return self.s[start + 1 : j]

    def _key_before_quote(self) -> int | None:
        """The index of ':' in key:"value" (a key with no space, quote, bracket or colon)."""
        j = self.i
        while j < len(self.s) and self.s[j] not in '"():' + " \u3000":
            if self.s[j] == "\\":
                if self.s[j + 1 : j + 2] in ("", " ", "\u3000"):
                    return None
                j += 1
            j += 1
        if j > self.i and self.s[j : j + 2] == ':"':
            return j
        return None

    def unquoted(self) -> str:
        start = j = self.i
        while j < len(self.s) and self.s[j] not in _STOP:
            if self.s[j] == "\\":
                if self.s[j + 1 : j + 2] in ("", " ", "\u3000"):
                    raise self.fail(
                        "A search cannot end in a single \\ (write \\\\ for a backslash)."
                    )
                j += 1
            j += 1
        self.i = j
        return self.s[start:j]


def _misplaced(word: str) -> str:
    return f"'{word}' needs a search on both sides (quote it to search for the word)."


def _combine(items: list[Node | _Op]) -> Node:
    """Terms joined by and / or, and binding tighter, as in SQL (and as Anki writes it)."""
    ors: list[Node] = []
    ands: list[Node] = []
    for k, item in enumerate(items):
        if k % 2:
            assert isinstance(item, _Op)
            if item.word == "or":
                ors.append(ands[0] if len(ands) == 1 else And(tuple(ands)))
                ands = []
        else:
            assert not isinstance(item, _Op)
            ands.append(item)
    ors.append(ands[0] if len(ands) == 1 else And(tuple(ands)))
    return ors[0] if len(ors) == 1 else Or(tuple(ors))


def parse(query: str) -> Node:
    """The syntax tree of a search; raises SearchError with a message for the user."""
    if len(query) > MAX_QUERY:
        raise SearchError(f"The search is too long (over {MAX_QUERY} characters).")
    text = SPACE.sub(" ", query.replace("\x00", "")).strip()
    if not text:
        return All()
    p = _Parser(text)
    node = p.group_inner()
    if p.i < len(text):
        raise SearchError(f"Unexpected ')' at position {p.i + 1}; remove it or add a '('.")
    assert node is not None
    return node


def quote(text: str) -> str:
    """Text as a search term matching it literally (for sidebar items and the CLI's --deck)."""
    escaped = "".join("\\" + ch if ch in '\\"*_:' else ch for ch in text)
    return f'"{escaped}"'


SORT_KEYS = (
    "front",
    "domain",
    "deck",
    "tags",
    "due",
    "interval",
    "stability",
    "retrievability",
    "lapses",
    "reps",
    "created",
)
"""The browser's sort columns (the SQL for each is db/search_sql.py SORTS)."""
