"""A card as one line of text, and the FSRS decay of the user's parameters: shared by the
browser's table and card info."""

from __future__ import annotations

import json
from collections.abc import Sequence

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.sanitize import strip_html
from cehrs_cards.core.scheduling import DEFAULT_PARAMETERS
from cehrs_cards.db.repo import fields_dict
from cehrs_cards.db.search_context import FSRS_DEFAULT_DECAY

QUESTION_CHARS = 160


def decay_of(parameters: Sequence[float] | None) -> float:
    """FSRS decay (parameter w20) of the user's parameters; 0.1542 for 19-parameter sets."""
    params = parameters or DEFAULT_PARAMETERS
    return float(params[20]) if len(params) > 20 else FSRS_DEFAULT_DECAY


def question_text(nt: NoteTypeDef, fields_json: str, ord_: int) -> str:
    """The card's question as one line of plain text (what the Front column shows)."""
    try:
        front, _ = nt.render(fields_dict(nt, fields_json), ord_)
    except (IndexError, KeyError, ValueError):
        front = " ".join(json.loads(fields_json)[:1])
    text = " ".join(strip_html(front).split())
    return text if len(text) <= QUESTION_CHARS else text[: QUESTION_CHARS - 1] + "…"
