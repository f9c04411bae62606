"""A search tree (core/search.py) as a WHERE fragment over card c JOIN note n.

Every value the user typed is bound as a parameter (:p0, :p1 ...); the SQL text is built only
from fixed fragments, so a search can never alter a statement. Names (decks, note types,
fields, templates) are resolved here against the catalogue in the context, as Anki does.
The meaning of each keyword follows Anki's rslib/src/search/sqlwriter.rs on our schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cehrs_cards.core import search as q
from cehrs_cards.core import search_text as st
from cehrs_cards.db.notes import HELDOUT_NOTES
from cehrs_cards.db.search_context import name_matches
from cehrs_cards.db.search_funcs import user_regex
from cehrs_cards.db.timefmt import to_db, to_ms

if TYPE_CHECKING:
    from cehrs_cards.db.search_context import SearchContext

MIN_TRIGRAM = 3
"""The trigram index answers substrings of at least three characters; shorter ones scan."""
MAX_PRESET_DEPTH = 5
RAW_FIELDS = "cc_flds(n.fields)"
NOTE_TEXT = "cc_text(n.fields)"
"""The note's searchable text (db/note_text.py), computed: the text index stores none."""
NO_MARKUP = "{n}.id NOT IN (SELECT id FROM note_rich WHERE markup)"
"""The note's stored fields hold nothing the text leaves out or escapes: its text is the
fields' values, joined (note_rich, schema step 8: kept by the text index's triggers)."""
PLAIN_ASCII = "{n}.id NOT IN (SELECT id FROM note_rich)"
"""As NO_MARKUP, and ASCII only (LIKE then folds case exactly as the text search does)."""
NOT_PRINTABLE_ASCII = "*[^ -~]*"
"""GLOB: text with a character that is not printable ASCII (space to tilde)."""
SCANNED = "x"
"""The note's name in a text test without the index, run as a subquery over the notes: one
pass over the note table, then only the matching notes' cards (SQLite would otherwise look
up every card's note). Not `n`: the card query joins the notes only if it names them."""
_UNSAFE_IN_FIELDS = re.compile(r'["\\,\[\]\x00-\x1f<>&{}\xa0]|^\s*$')
"""Runs that could match the stored JSON's punctuation around and between the values
(`["`, `", "`, `"]`), or that the text would change."""
NOT_BURIED = "(c.buried_until IS NULL OR c.buried_until <= :now)"
LIVE = f"(c.state != 0 AND c.suspended = 0 AND {NOT_BURIED})"
"""Cards in a study queue (Anki's queue-based searches leave suspended and buried out)."""
_IS = {
    "new": "c.state = 0",
    "learn": "c.state IN (1, 3)",
    "review": "c.state IN (2, 3)",
    "suspended": "c.suspended = 1",
    "buried": f"NOT {NOT_BURIED}",
    "buried-manually": f"NOT {NOT_BURIED}",
    "buried-sibling": "0",
    "flagged": "c.flag > 0",
    "heldout": f"c.note_id IN ({HELDOUT_NOTES})",  # the partial index of held-out notes
    "due": f"(c.suspended = 0 AND {NOT_BURIED} AND"
    " ((c.state IN (1, 3) AND c.due <= :learn_cutoff) OR (c.state = 2 AND c.due < :day_end)))",
}


_OPS = {op: op for op in ("<=", ">=", "!=", "=", "<", ">")}
"""Comparison operators as SQL text: only these fixed strings, never the user's."""


# Retrievability R = (1 + factor * days / S) ** -decay, days whole as in fsrs (NULL if unknown).
R_SQL = (
    "(CASE WHEN c.state = 0 OR c.last_review IS NULL OR NOT c.stability > 0 THEN NULL ELSE"
    " pow(1.0 + :r_factor * max(0, CAST(julianday(:r_now) - julianday(c.last_review) AS INTEGER))"
    " / c.stability, -:r_decay) END)"
)


def _day(col: str) -> str:
    """The study day of a datetime column, counted from :day0 (200 years back: no negatives)."""
    return f"CAST(julianday({col}) - julianday(:day0) AS INTEGER)"


IVL_DAYS = (
    f"(CASE WHEN c.state = 2 AND c.last_review IS NOT NULL"
    f" THEN {_day('c.due')} - {_day('c.last_review')} ELSE 0 END)"
)
"""Anki's ivl: whole study days from the last review to the due day; 0 for new / learning."""


class Translator:
    """Turns one tree into a WHERE fragment; user values go to `params`."""

    def __init__(self, ctx: SearchContext, presets: tuple[str, ...] = ()) -> None:
        self.ctx = ctx
        self.params: dict[str, Any] = ctx.base_params()
        self._n = 0
        self.presets = presets
        self.joined = False  # the index is joined in the FROM as `f` (root)

    def root(self, node: q.Node) -> str:
        """The WHERE fragment of a whole tree. A tree of plain words only (a word, several,
        a phrase) has its index lookup joined in the query's FROM (search_sql.select_sql:
        `f`, each note the index names then its cards) rather than as a list of notes to
        look each up in: a tenth less work for a common word. Anything else, as sql()."""
        texts = _plain_words(node)
        if texts:
            return self._indexed(texts, joined=True)
        return self.sql(node)

    def bind(self, value: Any) -> str:
        name = f"p{self._n}"
        self._n += 1
        self.params[name] = value
        return f":{name}"

    def ids(self, values: list[int] | list[str]) -> str:
        return f"(SELECT value FROM json_each({self.bind(json.dumps(values))}))"

    def sql(self, node: q.Node) -> str:
        match node:
            case q.All():
                return "1"
            case q.Nothing():
                return "0"
            case q.And(items):
                return self._and(items)
            case q.Or(items):
                return "(" + " OR ".join(self.sql(i) for i in items) + ")"
            case q.Not(item):
                texts = _plain_words(item)
                return self._not_indexed(texts) if texts else f"NOT ({self.sql(item)})"
            case q.Text():
                return self._text(node)
            case q.Regex(pattern):
                return f"cc_re({self._user_regex(pattern)}, {RAW_FIELDS})"
            case q.Field():
                return self._field(node)
            case q.Tag():
                return self._tag(node)
            case q.Deck(pat):
                return self._deck(pat)
            case q.NoteType(pat):
                found = [nt.id for nt in self.ctx.notetypes if name_matches(pat, nt.name)]
                return f"n.notetype_id IN {self.ids(found)}"
            case q.NoteTypeId(ntid):
                return f"n.notetype_id = {self.bind(ntid)}"
            case q.Template():
                return self._template(node)
            case q.Dupe():
                return f"n.id IN {self.ids(self.ctx.dupes(node.notetype_id, node.text))}"
            case q.Preset(name):
                return self._preset(name)
            case q.Domain(dom):
                return f"c.domain = {self.bind(dom)}"
            case q.Is(what):
                return self._is(what)
            case q.Flag(flag):
                return f"c.flag = {self.bind(flag)}"
            case q.Prop():
                return self._prop(node)
            case q.Since():
                return self._since(node)
            case q.RatedOn():
                return self._rated_on(node)
            case q.Ids(kind, ids):
                col = "c.id" if kind == "card" else "c.note_id"
                return f"{col} IN {self.ids([i for i in ids if i < 2**63])}"
        raise TypeError(f"unknown search node {node!r}")

    # ----- text ---------------------------------------------------------------------------------
    def _and(self, items: tuple[q.Node, ...]) -> str:
        """Plain words of one AND share a single index lookup (one MATCH, not one per word)."""
        plain = [i for i in items if isinstance(i, q.Text) and i.mode in ("plain", "word")]
        rest = [self.sql(i) for i in items if i not in plain]
        parts = ([self._indexed(plain)] if plain else []) + rest
        return "(" + " AND ".join(parts) + ")"

    def _text(self, node: q.Text) -> str:
        if node.mode in ("plain", "word"):
            return self._indexed([node])
        if node.mode == "nc":
            rx = self.bind(st.contains(st.no_accents(node.pat)))
            return f"cc_nc({rx}, {NOTE_TEXT})"
        cloze = [nt.id for nt in self.ctx.notetypes if nt.kind == "cloze"]
        rx = self.bind(st.contains(node.pat))
        return f"(n.notetype_id IN {self.ids(cloze)} AND cc_sc({rx}, {RAW_FIELDS}, n.sort_field))"

    def _indexed(self, texts: list[q.Text], joined: bool = False) -> str:
        """The note's text (markup taken out): the trigram index narrows to the notes holding
        every trigram of each run of three characters or more; the text decides. Without
        such a run, the notes are scanned (_scanned). `joined`: the index is `f`, joined in
        the FROM (root)."""
        match = self._match(texts)
        if match is None:
            return self._scanned(texts)
        fts = f"n.id IN (SELECT rowid FROM note_fts WHERE note_fts MATCH {match})"
        if joined:
            fts, self.joined = f"f.note_fts MATCH {match}", True
        check = self._check(texts, "n")
        return f"({fts} AND {check})" if check else f"({fts})"

    def _not_indexed(self, texts: list[q.Text]) -> str:
        """None of `texts` (plain words, negated): the notes that hold them are found first,
        the index joined to the notes it names, and the cards of the others kept; so only
        the index's notes are looked up, not every card's note."""
        match = self._match(texts)
        if match is None:
            return f"NOT ({self._scanned(texts)})"
        x = SCANNED
        check = self._check(texts, x)
        if not check:  # the index alone answers
            notes = f"SELECT f.rowid FROM note_fts f WHERE f.note_fts MATCH {match}"
        else:
            notes = (
                f"SELECT {x}.id FROM note_fts f JOIN note {x} ON {x}.id = f.rowid "
                f"WHERE f.note_fts MATCH {match} AND {check}"
            )
        return f"NOT (c.note_id IN ({notes}))"

    def _match(self, texts: list[q.Text]) -> str | None:
        """The bound MATCH of the trigrams covering the texts' runs of three characters or
        more; None without such a run."""
        grams = _trigrams(c for t in texts for c in t.pat.chunks() if len(c) >= MIN_TRIGRAM)
        return self.bind(" AND ".join(map(_fts_phrase, grams))) if grams else None

    def _check(self, texts: list[q.Text], n: str) -> str:
        """Note `n`'s text holds every text the index cannot answer alone ("" if none)."""
        checked = [t for t in texts if t.mode == "word" or not _one_trigram(t.pat)]
        tests = [(self._on_fields(t, n), t) for t in checked]
        if sum(fields is not None for fields, _ in tests) < 2:
            return " AND ".join(self._text_contains(t, n) for t in checked)
        # several: one test of the note for all (plain ASCII: each as stored where it can be)
        on_text = [self._on_text(t, n) for t in checked]
        on_fields = " AND ".join(f or text for (f, _), text in zip(tests, on_text, strict=True))
        plain = PLAIN_ASCII.format(n=n)
        return f"CASE WHEN {plain} THEN {on_fields} ELSE {' AND '.join(on_text)} END"

    def _scanned(self, texts: list[q.Text]) -> str:
        """The notes holding every text, found in one pass over the note table (then only
        their cards: SQLite would otherwise look up every card's note): the plain ASCII notes
        tested as stored, the few others (note_rich) through their text."""
        x = SCANNED
        tests = [(self._on_fields(t, x), self._on_text(t, x)) for t in texts]
        on_text = " AND ".join(text for _, text in tests)
        if all(fields is None for fields, _ in tests):
            return f"c.note_id IN (SELECT {x}.id FROM note {x} WHERE {on_text})"
        on_fields = " AND ".join(fields or text for fields, text in tests)
        plain = f"SELECT {x}.id FROM note {x} WHERE {on_fields} AND {PLAIN_ASCII.format(n=x)}"
        rich = (
            f"SELECT {x}.id FROM note {x} WHERE {x}.id IN (SELECT id FROM note_rich) AND {on_text}"
        )
        return f"(c.note_id IN ({plain}) OR c.note_id IN ({rich}))"

    def _text_contains(self, t: q.Text, n: str) -> str:
        """Note `n`'s text holds `t`. Where the stored fields are plain (the text is their
        values), a pattern that cannot match the JSON around the values is looked for in the
        fields themselves (SQLite's LIKE, no Python); else in the text computed from them."""
        on_fields = self._on_fields(t, n)
        if on_fields is None:
            return self._on_text(t, n)
        plain = NO_MARKUP if st.like(t.pat, True) is not None else PLAIN_ASCII
        return f"(CASE WHEN {plain.format(n=n)} THEN {on_fields} ELSE {self._on_text(t, n)} END)"

    def _on_text(self, t: q.Text, n: str) -> str:
        """Note `n`'s text (computed from its fields) holds `t`: LIKE, or a regex where LIKE's
        ASCII case folding would differ (and for w:, a whole word)."""
        if t.mode == "word":
            return f"cc_match({self.bind(st.word(t.pat))}, cc_text({n}.fields))"
        like = st.like(t.pat, True)
        if like is None:
            return f"cc_match({self.bind(st.contains(t.pat))}, cc_text({n}.fields))"
        return f"cc_text({n}.fields) LIKE {self.bind(like)} ESCAPE '\\'"

    def _on_fields(self, t: q.Text, n: str) -> str | None:
        """Note `n`'s stored fields hold `t`, exact for plain ASCII fields (also for fields
        without markup when the pattern has no i, s or k: st.like); None where it cannot be."""
        if t.mode == "word" or not _fields_safe(t.pat):
            return None
        return f"{n}.fields LIKE {self.bind(f'%{t.pat.like()}%')} ESCAPE '\\'"

    def _contains(self, pat: q.Pattern, text: str, anywhere: bool) -> str:
        """`text` matches the pattern (anywhere, or whole): LIKE when exact, else a regex."""
        like = st.like(pat, anywhere)
        if like is not None:
            return f"{text} LIKE {self.bind(like)} ESCAPE '\\'"
        regex = st.contains(pat) if anywhere else st.whole(pat)
        return f"cc_match({self.bind(regex)}, {text})"

    def _user_regex(self, pattern: str) -> str:
        translated = st.anki_regex(pattern)
        user_regex(translated)  # an invalid one fails here, with its message
        return self.bind(translated)

    def _field(self, node: q.Field) -> str:
        where = self.ctx.field_places(node.name)
        if not where:
            raise q.SearchError(self.ctx.no_field_message(node.name.literal()))
        if node.mode == "re":
            test = f"cc_re({self._user_regex(node.regex)}, {{v}})"
        elif node.mode == "nc":
            test = f"cc_nc({self.bind(st.whole(st.no_accents(node.pat)))}, {{v}})"
        else:
            test = self._contains(node.pat, "{v}", anywhere=False)
        parts = []
        for ntid, indexes in where:
            tests = " OR ".join(
                test.format(v=f"json_extract(n.fields, {self.bind(f'$[{int(i)}]')})")
                for i in indexes
            )
            parts.append(f"(n.notetype_id = {self.bind(ntid)} AND ({tests}))")
        return "(" + " OR ".join(parts) + ")"

    def _tag(self, node: q.Tag) -> str:
        if node.regex is not None:
            return f"cc_tags_re({self._user_regex(node.regex)}, n.tags)"
        if not node.pat.pieces:
            return "n.tags = ''"
        if node.pat.pieces == (q.ANY,):
            return "1"
        pat = st.no_accents(node.pat) if node.nc else node.pat
        tags = f"cc_tags({self.bind(st.in_tag(pat))}, n.tags, {int(node.nc)})"
        literal = pat.literal()
        if pat.has_wildcards or not (literal.isascii() and literal.isprintable()) or " " in literal:
            return tags
        # a plain ASCII tag: SQLite's LIKE over the space-separated list finds it wherever
        # the regex would, but for tags with a character beyond printable ASCII (a case
        # partner such as K for k, a space other than ' '): only those go to the regex
        padded = "(' ' || n.tags || ' ')"
        whole, child = self.bind(f"% {pat.like()} %"), self.bind(f"% {pat.like()}::%")
        return (
            f"({padded} LIKE {whole} ESCAPE '\\' OR {padded} LIKE {child} ESCAPE '\\' "
            f"OR (n.tags GLOB {self.bind(NOT_PRINTABLE_ASCII)} AND {tags}))"
        )

    # ----- names ------------------------------------------------------------------------------
    def _deck(self, pat: q.Pattern) -> str:
        literal = pat.literal()
        if pat.pieces == (q.ANY,):
            return "1"
        if literal.lower() == "filtered" and not pat.has_wildcards:
            return "0"  # there are no filtered decks here
        rx = re.compile("(?i)" + pat.regex() + r"(?:::|\Z)")
        found = [d for d, name in self.ctx.decks if rx.match(name)]
        return f"c.deck_id IN {self.ids(found)}"

    def _template(self, node: q.Template) -> str:
        if node.ordinal is not None:
            return f"c.ord = {self.bind(node.ordinal)}"
        assert node.name is not None
        pairs = [
            f"{nt.id}:{o}"
            for nt in self.ctx.notetypes
            for o, name in enumerate(nt.templates)
            if name_matches(node.name, name)
        ]
        return f"(n.notetype_id || ':' || c.ord) IN {self.ids(pairs)}"

    def _preset(self, name: str) -> str:
        saved = {k.casefold(): v for k, v in self.ctx.saved.items()}
        query = saved.get(name.casefold())
        if query is None:
            if name.casefold() == "default":
                return "1"  # every deck uses the one set of options, like Anki's Default
            known = ", ".join(sorted(self.ctx.saved)) or "none yet"
            raise q.SearchError(f"No saved search called '{name}' (saved: {known}).")
        if name.casefold() in self.presets or len(self.presets) >= MAX_PRESET_DEPTH:
            raise q.SearchError(f"The saved search '{name}' uses itself (through preset:).")
        inner = Translator(self.ctx, (*self.presets, name.casefold()))
        inner._n = self._n + 1000 * (len(self.presets) + 1)
        where = inner.sql(q.parse(query))
        self.params |= {k: v for k, v in inner.params.items() if k.startswith("p")}
        return f"({where})"

    # ----- card state -----------------------------------------------------------------------
    def _is(self, what: str) -> str:
        if what == "leech":
            leech = self._tag(q.Tag(q.pattern("leech")))
            return f"(c.lapses >= {self.bind(self.ctx.leech_lapses)} OR {leech})"
        return _IS[what]

    def _prop(self, node: q.Prop) -> str:
        op, v = _OPS[node.op], self.bind(node.value)
        if node.name == "due":
            return f"({LIVE} AND {_day('c.due')} - {_day(':day_start')} {op} {v})"
        if node.name == "pos":
            ranked = (
                "SELECT id, DENSE_RANK() OVER (ORDER BY due, note_id) AS pos"
                " FROM card WHERE state = 0"
            )
            return f"c.id IN (SELECT id FROM ({ranked}) WHERE pos {op} {v})"
        if node.name == "s":
            return f"(c.state != 0 AND c.stability {op} {v})"
        if node.name == "d":  # Anki's prop:d is 0-1; FSRS difficulty is 1-10
            return f"(c.state != 0 AND c.difficulty {op} {v} * 9 + 1)"
        if node.name == "r":
            return f"(c.state != 0 AND {R_SQL} {op} {v})"
        column = {"ivl": IVL_DAYS, "reps": "c.reps", "lapses": "c.lapses"}[node.name]
        return f"{column} {op} {v}"

    def _since(self, node: q.Since) -> str:
        start = self.ctx.day_start - timedelta(days=node.days - 1)
        if node.what in ("added", "edited"):
            since = self.bind(to_db(start))
            return f"c.created >= {since}" if node.what == "added" else f"n.modified >= {since}"
        if node.what == "resched":
            return "0"  # due date changes are not logged here
        since = self.bind(to_ms(start))  # review-log times: ms since the epoch
        if node.what == "introduced":  # as Anki: the first answer (resets aside) since then
            return (
                f"(c.id IN (SELECT card_id FROM revlog WHERE id >= {since} AND rating > 0) AND "
                f"(SELECT MIN(id) FROM revlog WHERE card_id = c.id AND rating > 0) >= {since})"
            )
        return f"c.id IN (SELECT card_id FROM revlog WHERE id >= {since}{self._rating(node)})"

    def _rating(self, node: q.Since | q.RatedOn) -> str:
        return f" AND rating = {self.bind(node.rating)}" if node.rating else " AND rating > 0"

    def _rated_on(self, node: q.RatedOn) -> str:
        """Answered on day `days` (0 today, -1 yesterday), compared as Anki compares."""
        if node.resched:
            return "0"
        start = self.bind(to_ms(self.ctx.day_start + timedelta(days=node.days)))
        end = self.bind(to_ms(self.ctx.day_start + timedelta(days=node.days + 1)))
        cond = {
            ">": f"id >= {end}",
            ">=": f"id >= {start}",
            "<": f"id < {start}",
            "<=": f"id < {end}",
            "=": f"id >= {start} AND id < {end}",
            "!=": f"NOT (id >= {start} AND id < {end})",
        }[_OPS[node.op]]
        return f"c.id IN (SELECT card_id FROM revlog WHERE {cond}{self._rating(node)})"


def _plain_words(node: q.Node) -> list[q.Text]:
    """The texts of a plain word (or w:) or of an AND of nothing else; [] for any other."""
    items = node.items if isinstance(node, q.And) else (node,)
    texts = [i for i in items if isinstance(i, q.Text) and i.mode in ("plain", "word")]
    return texts if len(texts) == len(items) else []


def _trigrams(runs: Iterable[str]) -> list[str]:
    """Three-character pieces that cover each run, side by side from its start and the last
    at its end, and every piece that holds a space or a punctuation mark; distinct, in order.

    The index holds no positions, so every note it names is checked against the text anyway.
    Pieces that do not overlap read less of the index (a common six-letter word: two lists of
    notes instead of four, 45% less work), and a piece across two words is rare, so it
    leaves few notes to check (a two-word phrase: a fifth)."""
    out: dict[str, None] = {}
    for run in runs:
        last = len(run) - MIN_TRIGRAM
        if last < 0:
            continue
        for i in range(last + 1):
            piece = run[i : i + MIN_TRIGRAM]
            if i % MIN_TRIGRAM == 0 or i == last or not piece.isalnum():
                out[piece] = None
    return list(out)


def _one_trigram(pat: q.Pattern) -> bool:
    """Exactly three plain characters: the index alone answers (a note holds the trigram)."""
    chunks = pat.chunks()
    return not pat.has_wildcards and len(chunks) == 1 and len(chunks[0]) == MIN_TRIGRAM


def _fields_safe(pat: q.Pattern) -> bool:
    """LIKE over plain stored fields finds the pattern exactly where the text would: ASCII,
    no one-character wildcard (it could match a separator: `", "` in the JSON, 0x1f in the
    text), and no run that could match the JSON's punctuation."""
    chunks = pat.chunks()
    return (
        bool(chunks)
        and q.ONE not in pat.pieces
        and all(c.isascii() and not _UNSAFE_IN_FIELDS.search(c) for c in chunks)
    )


def _fts_phrase(text: str) -> str:
    """An FTS5 string literal: inside double quotes nothing is an operator."""
    return '"' + text.replace('"', '""') + '"'
