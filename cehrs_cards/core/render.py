"""Card rendering from note-type templates, in Anki's template language (the subset decks use).

Supports {{Field}}, {{FrontSide}}, {{#Field}}...{{/Field}}, {{^Field}}...{{/Field}},
{{cloze:Field}} (one card per cloze number, with hints), {{text:Field}}, {{hint:Field}},
{{type:Field}} (shown as the plain field on the back), {{Tags}}, {{Deck}}, {{Card}}.

Templates and fields come from shared decks, so both are read in one pass each (linear time
in their length, whatever their nesting): a template is split into text and tags once,
the tags built into a tree of sections with an explicit stack, and a cloze field scanned
once from left to right. A template past MAX_TEMPLATE_CHARS or nested deeper than
MAX_SECTION_DEPTH is refused when a package is read (template_problem) and shows a short
notice instead of the card if one was stored before.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from cehrs_cards.core.sanitize import sanitize_html, strip_html

MAX_TEMPLATE_CHARS = 500_000
MAX_SECTION_DEPTH = 100
MAX_CLOZE = 9999  # cloze numbers past this make no card (Anki's own limit is lower in practice)
_CLOZE_OPEN = re.compile(r"\{\{c(\d+)::")
_CACHED_CHARS = 20_000  # parsed templates up to this size are kept (a few dozen at most)


class TemplateError(ValueError):
    """A template too large or too deeply nested to render; the message says which."""


@dataclass(frozen=True)
class Cloze:
    """One {{cN::answer::hint}} in a field: where it is, its number, answer and hint."""

    start: int
    end: int
    number: int | None  # None: a number past MAX_CLOZE (never asked)
    answer: str
    hint: str | None


def clozes(text: str) -> Iterator[Cloze]:
    """The clozes of a field, left to right: the answer runs to the first '::' or '}}' after
    the opening, a hint from that '::' to the '}}' (what the pattern
    `{{c(\\d+)::(.*?)(?:::(.*?))?}}` matches, in one scan: the pattern rescans the rest of
    the field at every opening that never closes, quadratic time)."""
    pos = 0
    while True:
        m = _CLOZE_OPEN.search(text, pos)
        if m is None:
            return
        body = m.end()
        close = text.find("}}", body)
        if close < 0:
            return  # no '}}' after this opening, so after none of the later ones either
        sep = text.find("::", body, close)
        if sep >= 0:
            answer, hint = text[body:sep], text[sep + 2 : close]
        else:
            answer, hint = text[body:close], None
        digits = m.group(1)
        number = int(digits) if len(digits) <= 4 and int(digits) <= MAX_CLOZE else None
        yield Cloze(m.start(), close + 2, number, answer, hint)
        pos = close + 2


def cloze_numbers(text: str) -> list[int]:
    """Sorted distinct cloze numbers used in a field (c1, c2 ...)."""
    return sorted({c.number for c in clozes(text) if c.number is not None})


def render_cloze(text: str, ord_: int, question: bool) -> str:
    """Cloze `ord_` (1-based) shown as [...] (or [hint]) on the question, revealed on the answer."""
    out: list[str] = []
    pos = 0
    for c in clozes(text):
        out.append(text[pos : c.start])
        if c.number != ord_:
            out.append(c.answer)
        elif question:
            out.append(f'<span class="cloze">[{c.hint or "..."}]</span>')
        else:
            out.append(f'<span class="cloze">{c.answer}</span>')
        pos = c.end
    out.append(text[pos:])
    return "".join(out)


# ----- templates -------------------------------------------------------------------------------
# A parsed template is a tuple of nodes: str (text), _Field (a {{...}} tag), _Section.


@dataclass(frozen=True)
class _Field:
    spec: str  # "Front", "cloze:Text", "FrontSide" (stripped)


@dataclass(frozen=True)
class _Section:
    inverted: bool  # {{^Name}}
    name: str
    body: tuple[object, ...]


def _tags(tpl: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, inside) of each {{...}}: '{{', then text without '}', then '}}'."""
    pos = 0
    while True:
        start = tpl.find("{{", pos)
        if start < 0:
            return
        close = tpl.find("}", start + 2)
        if close < 0:
            return
        if tpl.startswith("}}", close):
            yield start, close + 2, tpl[start + 2 : close]
            pos = close + 2
        else:
            pos = close + 1  # no tag can start before this '}' (none could end at it)


class _Open:
    """A section being read: its opening tag's text, in case it never closes."""

    def __init__(self, inverted: bool, name: str, raw: str) -> None:
        self.inverted, self.name, self.raw = inverted, name, raw
        self.nodes: list[object] = []


def _parse(tpl: str) -> tuple[object, ...]:
    """The template as a tree. A section closes at the first {{/Name}} of its name (the
    innermost open one); sections left open, and stray closing tags, stay as text."""
    root = _Open(False, "", "")
    stack = [root]
    open_names: dict[str, int] = {}
    pos = 0
    for start, end, inside in _tags(tpl):
        if start > pos:
            stack[-1].nodes.append(tpl[pos:start])
        pos = end
        raw, kind, name = tpl[start:end], inside[:1], inside[1:].strip()
        if kind in ("#", "^") and name:
            if len(stack) > MAX_SECTION_DEPTH:
                raise TemplateError(f"sections are nested more than {MAX_SECTION_DEPTH} deep")
            stack.append(_Open(kind == "^", name, raw))
            open_names[name] = open_names.get(name, 0) + 1
        elif kind == "/" and open_names.get(name):
            _close(stack, open_names, name)
        elif kind == "/" or (kind in ("#", "^") and not name) or not inside:
            stack[-1].nodes.append(raw)
        else:
            stack[-1].nodes.append(_Field(inside.strip()))
    stack[-1].nodes.append(tpl[pos:])
    while len(stack) > 1:
        _unclosed(stack, open_names)
    return tuple(root.nodes)


def _close(stack: list[_Open], open_names: dict[str, int], name: str) -> None:
    while stack[-1].name != name:
        _unclosed(stack, open_names)
    done = stack.pop()
    open_names[name] -= 1
    stack[-1].nodes.append(_Section(done.inverted, done.name, tuple(done.nodes)))


def _unclosed(stack: list[_Open], open_names: dict[str, int]) -> None:
    """The innermost open section never closes: its opening tag is text, its body stays."""
    done = stack.pop()
    open_names[done.name] -= 1
    stack[-1].nodes.append(done.raw)
    stack[-1].nodes.extend(done.nodes)


def template_problem(tpl: str) -> str | None:
    """Why this template cannot be rendered (too large, nested too deep), or None."""
    if len(tpl) > MAX_TEMPLATE_CHARS:
        return f"it has {len(tpl):,} characters; the limit is {MAX_TEMPLATE_CHARS:,}"
    try:
        _parsed(tpl)
    except TemplateError as exc:
        return str(exc)
    return None


def _parsed(tpl: str) -> tuple[object, ...]:
    return _parsed_cached(tpl) if len(tpl) <= _CACHED_CHARS else _parse(tpl)


@lru_cache(maxsize=64)
def _parsed_cached(tpl: str) -> tuple[object, ...]:
    return _parse(tpl)


def render_template(
    tpl: str, fields: Mapping[str, str], card_ord: int, question: bool, front_side: str = ""
) -> str:
    """Render one side. `card_ord` is 0-based; cloze uses card_ord + 1."""
    problem = template_problem(tpl)
    if problem is not None:
        return (
            f'<div class="template-error">This card\'s template cannot be shown: {problem}.</div>'
        )
    out: list[str] = []
    _render(_parsed(tpl), fields, card_ord, question, front_side, out)
    return sanitize_html("".join(out))


def _render(
    nodes: tuple[object, ...],
    fields: Mapping[str, str],
    card_ord: int,
    question: bool,
    front_side: str,
    out: list[str],
) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Field):
            out.append(_field(node.spec, fields, card_ord, question, front_side))
        elif isinstance(node, _Section) and _present(fields.get(node.name, "")) != node.inverted:
            _render(node.body, fields, card_ord, question, front_side, out)


def _present(value: str) -> bool:
    return bool(strip_html(value) or "<img" in value)


def _field(spec: str, fields: Mapping[str, str], card_ord: int, question: bool, front: str) -> str:
    if spec == "FrontSide":
        return front
    *filters, name = [p.strip() for p in spec.split(":")]
    value = fields.get(name, "")
    for f in reversed(filters):
        value = _apply_filter(f, value, card_ord, question)
    return value


def _apply_filter(name: str, value: str, card_ord: int, question: bool) -> str:
    if name == "cloze":
        return render_cloze(value, card_ord + 1, question)
    if name == "text":
        return html.escape(strip_html(value))
    if name == "type":
        return "" if question else value
    if name == "hint":
        return f"<i>{value}</i>" if value else ""
    return value


def card_ords(kind: str, templates: int, fields: Mapping[str, str], cloze_field: str) -> list[int]:
    """Which card ordinals a note generates: one per template, or one per cloze number."""
    if kind == "cloze":
        return [n - 1 for n in cloze_numbers(fields.get(cloze_field, ""))] or [0]
    return list(range(templates))


# ----- sound tags ------------------------------------------------------------------------------
SOUND_TAG = re.compile(r"\[sound:([^\[\]<>]{1,255})\]")
"""Anki's sound reference in a field, [sound:name.mp3]: played when the card shows."""


def sound_names(html_text: str) -> list[str]:
    """The file names of the [sound:...] tags in rendered HTML, in order (as written: names
    may still be HTML-escaped, which the media lookup undoes)."""
    return [m.group(1).strip() for m in SOUND_TAG.finditer(html_text)]


def replace_sounds(html_text: str, label: Callable[[int, str], str]) -> str:
    """`html_text` with the i-th [sound:name] tag replaced by label(i, name): the tag is never
    shown as text."""
    counter = iter(range(1 << 30))
    return SOUND_TAG.sub(lambda m: label(next(counter), m.group(1).strip()), html_text)


def answer_only_sounds(front: list[str], back: list[str]) -> list[str]:
    """The back's sounds without those the front already played (the back usually repeats
    the front through {{FrontSide}}; Anki does not replay them on the reveal either)."""
    left = list(front)
    out = []
    for name in back:
        if name in left:
            left.remove(name)
        else:
            out.append(name)
    return out
