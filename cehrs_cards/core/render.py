"""Card rendering from note-type templates, in Anki's template language (the subset decks use).

Supports {{Field}}, {{FrontSide}}, {{#Field}}...{{/Field}}, {{^Field}}...{{/Field}},
{{cloze:Field}} (one card per cloze number, with hints), {{text:Field}}, {{hint:Field}},
{{type:Field}} (shown as the plain field on the back), {{Tags}}, {{Deck}}, {{Card}}.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from cehrs_cards.core.sanitize import sanitize_html, strip_html

CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_SECTION_RE = re.compile(r"\{\{([#^])\s*([^}]+?)\s*\}\}(.*?)\{\{/\s*\2\s*\}\}", re.DOTALL)
_TAG_RE = re.compile(r"\{\{\s*([^#^/}][^}]*?)\s*\}\}")


def cloze_numbers(text: str) -> list[int]:
    """Sorted distinct cloze numbers used in a field (c1, c2 ...)."""
    return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(text)})


def render_cloze(text: str, ord_: int, question: bool) -> str:
    """Cloze `ord_` (1-based) shown as [...] (or [hint]) on the question, revealed on the answer."""

    def sub(m: re.Match[str]) -> str:
        n, answer, hint = int(m.group(1)), m.group(2), m.group(3)
        if n != ord_:
            return answer
        if question:
            return f'<span class="cloze">[{hint or "..."}]</span>'
        return f'<span class="cloze">{answer}</span>'

    return CLOZE_RE.sub(sub, text)


def _sections(tpl: str, fields: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        kind, name, body = m.group(1), m.group(2), m.group(3)
        present = bool(strip_html(fields.get(name, "")) or "<img" in fields.get(name, ""))
        show = present if kind == "#" else not present
        return _sections(body, fields) if show else ""

    prev = None
    while prev != tpl:
        prev, tpl = tpl, _SECTION_RE.sub(sub, tpl)
    return tpl


def render_template(
    tpl: str, fields: Mapping[str, str], card_ord: int, question: bool, front_side: str = ""
) -> str:
    """Render one side. `card_ord` is 0-based; cloze uses card_ord + 1."""
    body = _sections(tpl, fields)

    def sub(m: re.Match[str]) -> str:
        spec = m.group(1)
        if spec == "FrontSide":
            return front_side
        *filters, name = [p.strip() for p in spec.split(":")]
        value = fields.get(name, "")
        for f in reversed(filters):
            value = _apply_filter(f, value, card_ord, question)
        return value

    return sanitize_html(_TAG_RE.sub(sub, body))


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
