"""What the practice-block dialog counts: every usable item of the collection, by domain.

Exact, like drawing a block, but without parsing every note: option-less cards are judged on
their answer field alone (extracted by SQLite), and plain short answers skip the HTML strip.
"""

from __future__ import annotations

from cehrs_cards.core.domains import DOMAIN_IDS
from cehrs_cards.core.exam_draw import (
    MAX_GENERATED_ANSWER,
    answer_kind,
    can_generate_from,
    normalized_answer,
)
from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.db import exams as q
from cehrs_cards.db.repo import fields_dict
from cehrs_cards.db.session import Session
from cehrs_cards.services.exam_pool import (
    GENERATABLE,
    Source,
    answer_from,
    answer_index,
    ids_of_kinds,
    mcq_item,
    note_types,
)

Cards = dict[tuple[int, bool], dict[int, int]]  # (domain, generated) -> card id -> note id


def usable_cards(s: Session) -> Cards:
    """Every unsuspended card that can be a block item: valid multiple-choice notes, and
    option-less cards with a usable answer whose domain has at least four distinct answers of
    its kind (the key and three distractors like it: core/exam_draw.similar_answers)."""
    types = note_types(s)
    out: Cards = {}
    _mcq_cards(s, types, out)
    _generatable_cards(s, types, out)
    return out


def _mcq_cards(s: Session, types: dict[int, NoteTypeDef], out: Cards) -> None:
    for cid, nid, dom, ord_, raw, guid, ntid in q.mcq_card_rows(s, ids_of_kinds(types, ("mcq",))):
        nt = types[ntid]
        if mcq_item(Source(nt, fields_dict(nt, raw), ord_, guid), cid, nid, dom) is not None:
            out.setdefault((dom, False), {})[cid] = nid


def _generatable_cards(s: Session, types: dict[int, NoteTypeDef], out: Cards) -> None:
    back_second = [
        i for i, nt in types.items() if nt.kind in GENERATABLE and answer_index(nt, 0) == 1
    ]
    rows = q.answer_rows(s, ids_of_kinds(types, GENERATABLE), back_second, DOMAIN_IDS)
    found: dict[tuple[int, str], dict[int, int]] = {}
    distinct: dict[tuple[int, str], set[str]] = {}
    for cid, nid, dom, ord_, ntid, raw in rows:
        answer = usable_answer(types[ntid], ord_, raw or "")
        if answer is not None:
            key = (dom, answer_kind(answer))
            found.setdefault(key, {})[cid] = nid
            seen = distinct.setdefault(key, set())
            if len(seen) < 4:
                seen.add(normalized_answer(answer))
    for (dom, kind), cards in found.items():
        if len(distinct[(dom, kind)]) >= 4:  # else too few like answers for three options
            out.setdefault((dom, True), {}).update(cards)


# ASCII whitespace (what str.isspace and regex \s agree on) and the edge punctuation that
# normalized_answer strips: a plain ASCII answer is usable if anything else is left.
_EDGE = " .;:,!?\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def usable_answer(nt: NoteTypeDef, ord_: int, raw: str) -> str | None:
    """The card's plain answer if it can serve as an option; plain short text is judged as is
    (stripping HTML from text without '<' or '&' only collapses spaces: the same verdict)."""
    plain = nt.kind != "cloze" and len(raw) <= MAX_GENERATED_ANSWER
    if plain and "<" not in raw and "&" not in raw:
        if raw.isascii():
            return raw if raw.strip(_EDGE) else None
        return raw if can_generate_from(raw) else None
    answer = answer_from(nt, ord_, raw)
    return answer if can_generate_from(answer) else None
