"""Exam attempt queries: attempts and their items (the rows services/exam_store turns into
records), history aggregates, and the cards an attempt sends back to review. No transactions
here: services/exams.py owns them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import text
from sqlmodel import col, select

from cehrs_cards.db.models import Card
from cehrs_cards.db.models import ExamAttempt as AttemptRow
from cehrs_cards.db.models import ExamItem as ItemRow
from cehrs_cards.db.session import Session


def unfinished_id(s: Session) -> int | None:
    """Id of the newest attempt not yet submitted, if any."""
    q = select(AttemptRow.id).where(col(AttemptRow.finished).is_(None))
    return s.exec(q.order_by(col(AttemptRow.id).desc())).first()


def items_of(s: Session, attempt_id: int) -> list[ItemRow]:
    """The attempt's item rows, in position order."""
    q = select(ItemRow).where(ItemRow.attempt_id == attempt_id)
    return list(s.exec(q.order_by(col(ItemRow.position))).all())


def item_at(s: Session, attempt_id: int, pos: int) -> ItemRow:
    """The attempt's item row at `pos` (it must exist)."""
    q = select(ItemRow).where(ItemRow.attempt_id == attempt_id, ItemRow.position == pos)
    return s.exec(q).one()


def finished(s: Session, kind: str | None) -> list[AttemptRow]:
    """Finished attempts (of `kind`, or of every kind), oldest first."""
    q = select(AttemptRow).where(col(AttemptRow.finished).is_not(None))
    if kind:
        q = q.where(AttemptRow.kind == kind)
    return list(s.exec(q.order_by(col(AttemptRow.started), col(AttemptRow.id))).all())


def domain_scores(s: Session) -> list[tuple[int, int, int, int]]:
    """(attempt id, domain, scored items right, scored items) for every attempt and domain."""
    sql = """SELECT attempt_id, domain,
                    SUM(choice IS NOT NULL AND choice = json_extract(content, '$.answer')), COUNT(*)
             FROM exam_item WHERE pretest = 0 GROUP BY 1, 2"""
    rows = s.connection().execute(text(sql))
    return [(int(a), int(d), int(r or 0), int(n)) for a, d, r, n in rows]


def item_counts(s: Session) -> dict[int, tuple[int, int]]:
    """attempt id -> (items, items answered)."""
    sql = "SELECT attempt_id, COUNT(*), COUNT(choice) FROM exam_item GROUP BY 1"
    return {int(a): (int(n), int(k)) for a, n, k in s.connection().execute(text(sql))}


def cards(s: Session, ids: Collection[int]) -> list[Card]:
    """The cards with these ids (missing ids are skipped)."""
    return list(s.exec(select(Card).where(col(Card.id).in_(ids))))
