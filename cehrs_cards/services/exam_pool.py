"""The item pool for mocks and practice blocks: multiple-choice notes, and cards without options
that can become generated four-option items. Read-only queries; callers own the session."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from cehrs_cards.core.domains import DOMAIN_IDS
from cehrs_cards.core.exam import LETTERS, ExamItem
from cehrs_cards.core.exam_draw import Candidate, can_generate_from, generated_item
from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.render import CLOZE_RE
from cehrs_cards.core.sanitize import strip_html
from cehrs_cards.db.models import NoteType
from cehrs_cards.db.repo import fields_dict, notetype_from_row

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


@dataclass
class Pool:
    """Candidates, what builds their items, and the answers generated options are drawn from."""

    candidates: list[Candidate] = field(default_factory=list)
    sources: dict[int, Source] = field(default_factory=dict)  # by card id
    answers: dict[int, list[str]] = field(default_factory=dict)  # domain -> answer texts

    def count(self, domain: int, generated: bool) -> int:
        return sum(c.domain == domain and c.generated == generated for c in self.candidates)


def times_seen(s: Session, kind: str | None) -> dict[int, int]:
    """How many earlier attempts (of `kind`, or of any kind) showed each card."""
    where = "WHERE a.kind = :kind" if kind else ""
    sql = f"""SELECT i.card_id, COUNT(*) FROM exam_item i
              JOIN exam_attempt a ON a.id = i.attempt_id {where} GROUP BY i.card_id"""
    rows = s.connection().execute(text(sql), {"kind": kind} if kind else {})
    return {int(cid): int(n) for cid, n in rows if cid is not None}


def build_pool(
    s: Session, *, generated: bool, seen_kind: str | None, generated_cap: int | None = None
) -> Pool:
    """Every usable MCQ card, and if `generated` the cards options can be built for.

    `generated_cap` keeps at most that many option-less cards per domain (least seen first,
    then a fixed pseudo-random order): a mock needs 25 pretest items, and parsing every card
    of a 100,000-card collection would take seconds.
    """
    seen = times_seen(s, seen_kind)
    types = {row.id: notetype_from_row(row) for row in s.exec(select(NoteType))}
    pool = Pool()
    rows = _pool_rows(s, types, ("mcq",), None, seen)
    if generated:
        rows += _pool_rows(s, types, GENERATABLE, generated_cap, seen)
    for cid, nid, dom, ord_, raw, guid, ntid in rows:
        nt = types[ntid]
        src = Source(nt, fields_dict(nt, raw), ord_, guid)
        if nt.kind == "mcq":
            if mcq_item(src, cid, nid, dom) is not None:
                pool.candidates.append(Candidate(cid, nid, dom, seen.get(cid, 0)))
                pool.sources[cid] = src
            continue
        answer = answer_text(src)
        if dom in DOMAIN_IDS and can_generate_from(answer):
            pool.candidates.append(Candidate(cid, nid, dom, seen.get(cid, 0), generated=True))
            pool.sources[cid] = src
            pool.answers.setdefault(dom, []).append(answer)
    _drop_thin_domains(pool)
    return pool


def _pool_rows(
    s: Session,
    types: dict[int | None, NoteTypeDef],
    kinds: tuple[str, ...],
    cap: int | None,
    seen: dict[int, int],
) -> list[Any]:
    """Unsuspended cards of note types of `kinds` (capped per domain if `cap`), by card id."""
    ids = [i for i, nt in types.items() if i is not None and nt.kind in kinds]
    if not ids:
        return []
    in_types = ",".join(str(i) for i in ids)
    sql = f"""SELECT c.id, c.note_id, c.domain, c.ord, n.fields, n.guid, n.notetype_id
              FROM note n JOIN card c ON c.note_id = n.id
              WHERE n.notetype_id IN ({in_types}) AND c.suspended = 0
              ORDER BY c.id"""
    if cap is None:
        return list(s.connection().execute(text(sql)))
    picked: list[Any] = []
    for dom in DOMAIN_IDS:
        # Sample cards first (no join: fast), then keep those of the wanted note types.
        # A fixed pseudo-random sample of the domain's cards; note types are checked after,
        # on the sample only (so a domain rich in MCQ cards yields fewer, never wrong, rows).
        light = """SELECT c.id FROM card c WHERE c.domain = :dom AND c.suspended = 0
                   ORDER BY (c.id * 2654435761) % 4294967296 LIMIT :n"""
        n = cap * 2 + len(seen)
        cids = [r[0] for r in s.connection().execute(text(light), {"dom": dom, "n": n})]
        cids.sort(key=lambda c: seen.get(c, 0))  # stable: least seen first, order kept
        picked.extend(cids[:cap])
    if not picked:
        return []
    chosen = ",".join(str(int(c)) for c in sorted(picked))
    return list(
        s.connection().execute(text(sql.replace("ORDER BY", f"AND c.id IN ({chosen}) ORDER BY")))
    )


def _drop_thin_domains(pool: Pool) -> None:
    """Generated items need three distinct other answers in their domain: drop the rest."""
    thin = {d for d, answers in pool.answers.items() if len(set(answers)) < 4}
    pool.candidates = [c for c in pool.candidates if not (c.generated and c.domain in thin)]


def mcq_item(src: Source, card_id: int, note_id: int, domain: int) -> ExamItem | None:
    """The item of a multiple-choice note; None if it lacks a stem, four options or a key."""
    f = src.fields
    options = tuple(f.get(k, "") for k in LETTERS)
    key = f.get("Answer", "").strip().upper()
    if not strip_html(f.get("Stem", "")) or key not in LETTERS:
        return None
    if not all(strip_html(o) or "<img" in o for o in options):
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


def answer_text(src: Source) -> str:
    """Plain-text answer of a basic, reversed or cloze card (what generated options compare)."""
    f = src.fields
    if src.notetype.kind == "cloze":
        body = f.get(src.notetype.fields[0], "")
        hits = [m.group(2) for m in CLOZE_RE.finditer(body) if int(m.group(1)) == src.ord + 1]
        return strip_html(", ".join(hits))
    names = src.notetype.fields
    back = names[1] if src.ord == 0 and len(names) > 1 else names[0]
    return strip_html(f.get(back, ""))


def build_item(pool: Pool, c: Candidate, seed: int) -> ExamItem:
    """The ExamItem of a drawn candidate (generated options are fixed by seed and card)."""
    src = pool.sources[c.card_id]
    if not c.generated:
        item = mcq_item(src, c.card_id, c.note_id, c.domain)
        assert item is not None
        return item
    question = src.notetype.render(src.fields, src.ord)[0]
    rng = random.Random(f"{seed}:{c.card_id}")
    item = generated_item(
        c.card_id, c.note_id, c.domain, question, answer_text(src), pool.answers[c.domain], rng
    )
    assert item is not None  # thin domains were dropped from the pool
    return replace(item, guid=src.guid)


def filtered_ids(s: Session, filters: tuple[str, ...]) -> set[int] | None:
    """Card ids matching any of the filters (None = no filter): never shown in an attempt,
    answered wrong when last shown, or flagged (when last shown, or with a card flag)."""
    if not filters:
        return None
    out: set[int] = set()
    last = """SELECT i.card_id, i.choice, i.flagged, i.content FROM exam_item i
              JOIN (SELECT card_id, MAX(i2.id) AS mid FROM exam_item i2
                    JOIN exam_attempt a ON a.id = i2.attempt_id
                    WHERE a.finished IS NOT NULL AND i2.card_id IS NOT NULL GROUP BY card_id) m
              ON m.mid = i.id"""
    rows = list(s.connection().execute(text(last)))
    if UNUSED in filters:
        used = set(times_seen(s, None))
        every = s.connection().execute(text("SELECT id FROM card"))
        out |= {int(r[0]) for r in every} - used
    if INCORRECT in filters:
        out |= {int(c) for c, ch, _f, js in rows if ch != json.loads(js)["answer"]}
    if FLAGGED in filters:
        out |= {int(c) for c, _ch, fl, _js in rows if fl}
        out |= {int(r[0]) for r in s.connection().execute(text("SELECT id FROM card WHERE flag"))}
    return out
