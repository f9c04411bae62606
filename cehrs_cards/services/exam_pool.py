"""What makes a card an exam item: multiple-choice notes, and cards without options whose
answer can be one of four generated options; plus the filters and use counts blocks and mocks
read. Read-only; callers own the session (the lazy pool itself is in exam_source)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cehrs_cards.core.domains import DOMAIN_IDS
from cehrs_cards.core.exam import LETTERS, ExamItem
from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.render import clozes
from cehrs_cards.core.sanitize import strip_html
from cehrs_cards.db import exams as q
from cehrs_cards.db.repo import notetypes
from cehrs_cards.db.session import Session

UNUSED, INCORRECT, FLAGGED = "unused", "incorrect", "flagged"
FILTERS = (UNUSED, INCORRECT, FLAGGED)
GENERATABLE = ("basic", "reversed", "cloze")


@dataclass(frozen=True)
class Source:
    """What a candidate needs to become an ExamItem: its note type, fields, ordinal and guid."""

    notetype: NoteTypeDef
    fields: dict[str, str]
    ord: int
    guid: str


@dataclass(frozen=True)
class Loaded:
    """A card whose note was read: its note, domain and what builds its item."""

    note_id: int
    domain: int
    src: Source
    group: str | None = None  # same-fact group (services/exam_groups.py)


def note_types(s: Session) -> dict[int, NoteTypeDef]:
    """Every note type by id."""
    return notetypes(s)


def times_seen(s: Session, kind: str | None) -> dict[int, int]:
    """How many earlier attempts (of `kind`, or of any kind) showed each card."""
    return q.times_seen(s, kind)


def ids_of_kinds(types: dict[int, NoteTypeDef], kinds: tuple[str, ...]) -> list[int]:
    """The note type ids of `kinds`."""
    return [i for i, nt in types.items() if nt.kind in kinds]


def parse_worthy(kind: str, domain: int) -> bool:
    """Multiple-choice notes in any domain; option-less cards only in a blueprint domain."""
    return kind == "mcq" or (kind in GENERATABLE and domain in DOMAIN_IDS)


def mcq_item(src: Source, card_id: int, note_id: int, domain: int) -> ExamItem | None:
    """The item of a multiple-choice note; None if it lacks a stem, four options or a key."""
    f = src.fields
    options = tuple(f.get(k, "") for k in LETTERS)
    key = f.get("Answer", "").strip().upper()
    if not has_text(f.get("Stem", "")) or key not in LETTERS:
        return None
    if not all(has_text(o) or "<img" in o for o in options):
        return None
    rationales = tuple(f.get(f"Why {k}", "") for k in LETTERS)
    return ExamItem(
        card_id=card_id,
        note_id=note_id,
        domain=domain,
        stem=f["Stem"],
        options=options,
        answer=LETTERS.index(key),
        explanation=f.get("Explanation", ""),
        rationales=rationales if any(rationales) else (),
        guid=src.guid,
    )


def has_text(html: str) -> bool:
    """Whether an HTML fragment shows any text (as strip_html would: without '<' or '&' the
    fragment is its own text, so a plain strip gives the same answer faster)."""
    if "<" not in html and "&" not in html:
        return bool(html.strip())
    return bool(strip_html(html))


def answer_index(nt: NoteTypeDef, ord_: int) -> int:
    """Which field holds the answer of card `ord_`: the cloze text, or the back of the card."""
    if nt.kind == "cloze":
        return 0
    return 1 if ord_ == 0 and len(nt.fields) > 1 else 0


def answer_from(nt: NoteTypeDef, ord_: int, raw: str) -> str:
    """Plain-text answer of a card from its answer field's raw HTML (see answer_index)."""
    if nt.kind == "cloze":
        hits = [c.answer for c in clozes(raw) if c.number == ord_ + 1]
        return strip_html(", ".join(hits))
    return strip_html(raw)


def answer_text(src: Source) -> str:
    """Plain-text answer of a basic, reversed or cloze card (what generated options compare)."""
    nt = src.notetype
    return answer_from(nt, src.ord, src.fields.get(nt.fields[answer_index(nt, src.ord)], ""))


def filtered_ids(s: Session, filters: tuple[str, ...]) -> set[int] | None:
    """Card ids matching any of the filters (None = no filter): never shown in an attempt,
    answered wrong when last shown, or flagged (when last shown, or with a card flag)."""
    if not filters:
        return None
    out: set[int] = set()
    rows = q.last_shown(s)
    if UNUSED in filters:
        out |= q.all_card_ids(s) - set(times_seen(s, None))
    if INCORRECT in filters:
        out |= {int(c) for c, ch, _f, js in rows if ch != json.loads(js)["answer"]}
    if FLAGGED in filters:
        out |= {int(c) for c, _ch, fl, _js in rows if fl}
        out |= q.flagged_card_ids(s)
    return out
