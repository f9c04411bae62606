"""Our scheduling and review history, read for an .apkg export (the reverse of
anki_history.py, which brings Anki's in): each card's state, due date, memory state,
suspension, burial and flag, and every answer, in Anki's terms (interchange/anki_sched.py).
"""

from __future__ import annotations

from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.db import repo, revlog
from cehrs_cards.db.session import Session
from cehrs_cards.interchange.anki_sched import card_in, review_in
from cehrs_cards.interchange.package import CardIn
from cehrs_cards.services.collection import Collection


def scheduled_cards_by_note(
    s: Session, decks: dict[int, str], wanted: set[int], col: Collection
) -> dict[int, list[tuple[CardIn, int]]]:
    """Note id -> its cards in `wanted` decks (with their domain), each with its state, flags
    and review log in Anki's terms (interchange/anki_sched.py)."""
    now, steps = col.now(), _step_counts(col)
    out: dict[int, list[tuple[CardIn, int]]] = {}
    by_id: dict[int, CardIn] = {}
    for row in repo.scheduling_rows(s):
        cid, note_id, ord_, deck_id, domain, *memory, suspended, buried_until, flag = row
        if deck_id not in wanted:
            continue
        mem = MemoryState(CardState(memory[0]), *memory[1:])
        buried = buried_until is not None and buried_until > now
        card = card_in(
            ord_, decks[deck_id], mem, suspended=suspended, buried=buried, flag=flag, steps=steps
        )
        by_id[cid] = card
        out.setdefault(note_id, []).append((card, domain))
    _attach_history(s, by_id)
    return out


def _step_counts(col: Collection) -> tuple[int, int]:
    """How many learning and relearning steps our scheduler has (Anki's `left`)."""
    from cehrs_cards.core.scheduling import Schedulers
    from cehrs_cards.services.review import policy_of

    sched = Schedulers(policy_of(col.settings())).for_domain(0)
    return len(sched.learning_steps), len(sched.relearning_steps)


def _attach_history(s: Session, cards: dict[int, CardIn]) -> None:
    """Each exported card's log rows, oldest first, as Anki review-log entries (read card by
    card in the log's card order: a million rows, never all held at once)."""
    for rows in revlog.histories(s, cards):
        card = cards[rows[0].card_id]
        last = 0
        for e in rows:
            card.history.append(review_in(e, last))
            last = e.interval
