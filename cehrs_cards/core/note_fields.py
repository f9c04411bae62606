"""Rules for note content, wherever a note is written (editor, browser, add, find and replace):
cleaning and validating fields, the sort field, tags, domains, due-date specs. Pure functions
over plain values (no database)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cehrs_cards.core.domains import DOMAIN_BY_ID, UNASSIGNED
from cehrs_cards.core.notetypes import MCQ_OPTION_FIELDS, NoteTypeDef
from cehrs_cards.core.ops import OpError
from cehrs_cards.core.render import cloze_numbers
from cehrs_cards.core.sanitize import sanitize_html, strip_html


class EditError(OpError, ValueError):
    """An edit that cannot be made as asked; the message says why, for the user."""


def parse_days(spec: str) -> tuple[int, int]:
    """ "3" -> (3, 3), "3-7" -> (3, 7); days from today, at most ten years."""
    text = spec.strip().rstrip("!")
    low, _, high = text.partition("-")
    if not low.strip().isdigit() or (high and not high.strip().isdigit()):
        raise EditError("Type a number of days (0 = today, 1 = tomorrow) or a range like 3-7.")
    lo, hi = int(low), int(high or low)
    if lo > hi or hi > 3650:
        raise EditError("The range must go from the smaller number to the larger, up to 3650.")
    return lo, hi


def clean_fields(nt: NoteTypeDef, fields: dict[str, str]) -> dict[str, str]:
    return {name: sanitize_html(fields.get(name, "")).strip() for name in nt.fields}


def sort_field(nt: NoteTypeDef, fields: dict[str, str]) -> str:
    return strip_html(fields.get(nt.fields[0], ""))[:200]


def tag_text(tags: Sequence[str] | set[str]) -> str:
    return " ".join(sorted({t for tag in tags for t in tag.split()}, key=str.lower))


def check_domain(domain: int) -> None:
    if domain != UNASSIGNED and domain not in DOMAIN_BY_ID:
        raise EditError("The domain must be 1-5 (or 0, unassigned).")


def validate(nt: NoteTypeDef, fields: dict[str, str]) -> None:
    """Refuse notes that would make no sensible card, with what to fix."""
    first = nt.fields[0]
    if not strip_html(fields[first]) and "<img" not in fields[first]:
        raise EditError(f"'{first}' is empty; a card needs something to ask.")
    if nt.kind == "cloze" and not cloze_numbers(fields[first]):
        raise EditError("A cloze note needs at least one deletion, like {{c1::answer}}.")
    if nt.kind == "mcq":
        empty = [o for o in MCQ_OPTION_FIELDS if not strip_html(fields[o])]
        if empty:
            raise EditError(f"Option {', '.join(empty)} is empty; a question needs four options.")
        answer = strip_html(fields["Answer"]).strip().upper()
        if answer not in MCQ_OPTION_FIELDS:
            raise EditError("'Answer' must be the letter of the right option: A, B, C or D.")
        fields["Answer"] = answer
    if nt.kind == "reversed" and not strip_html(fields[nt.fields[1]]):
        raise EditError(f"'{nt.fields[1]}' is empty; the reversed card would ask nothing.")


def substitute(pattern: re.Pattern[str], repl: str, text: str, regex: bool) -> str:
    """Replace every match; outside regex mode the replacement is taken literally."""
    return pattern.sub(repl if regex else lambda _m: repl, text)
