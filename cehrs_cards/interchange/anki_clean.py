"""What every file we write for Anki or a spreadsheet must not carry.

Control characters: Anki joins a note's fields with U+001F, so one inside a field splits it
in two and Anki refuses the whole package ("note has 3 fields, expected 2"). We remove what
Anki's own code removes when it stores text (rslib: notes `invalid_char_for_field`, decks
`invalid_char_for_deck_component`, tags `invalid_char_for_tag`): every ASCII control
character (U+0000-U+001F, U+007F) except, in fields, tab and newline.

Formula cells: a spreadsheet runs a cell starting with = + - @ (or tab/CR before one) as a
formula, so text exports neutralise such cells. A field is HTML (we write #html:true), so its
first character becomes a numeric character reference (`=` -> `&#61;`): the card looks exactly
the same in Anki and here, and the cell starts with `&`. Other cells (guid, note type, deck,
tags) are plain text; they get OWASP's single-quote prefix, which Anki keeps as typed
(docs/export.md says what that means for a round trip).
"""

from __future__ import annotations

import re

_FIELD_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t (09) and \n (0a)
_NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_field(text: str) -> str:
    """A field as Anki stores it: no control characters but tab and newline."""
    return _FIELD_CONTROLS.sub("", text) if _FIELD_CONTROLS.search(text) else text


def clean_name(text: str) -> str:
    """A deck, note-type or tag name, or a guid, without any control character."""
    return _NAME_CONTROLS.sub("", text) if _NAME_CONTROLS.search(text) else text


def clean_deck(name: str, sep: str = "::") -> str:
    """A deck path with every level cleaned; a level left empty is named "blank" as in Anki."""
    if not _NAME_CONTROLS.search(name):
        return name
    return sep.join(clean_name(level).strip() or "blank" for level in name.split(sep))


def clean_tags(tags: list[str]) -> list[str]:
    """Tags without control characters, split where Anki splits (any space); none empty."""
    return [part for tag in tags for part in clean_name(tag).split()]


def neutral_cell(text: str) -> str:
    """A plain-text cell a spreadsheet shows as text: a leading formula character is quoted."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutral_html_cell(html: str) -> str:
    """An HTML cell a spreadsheet shows as text and Anki renders unchanged."""
    if html.startswith(FORMULA_STARTS):
        return f"&#{ord(html[0])};{html[1:]}"
    return html
