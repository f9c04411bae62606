"""The rows of one imported Anki card: the card as Anki had it (its id, times, scheduling,
suspension, flag and burial: issue 21 item 4) and its review log, in database form."""

from __future__ import annotations

from typing import Any

from cehrs_cards.db import revlog
from cehrs_cards.db.study import memory_row
from cehrs_cards.interchange.package import CardIn
from cehrs_cards.services.anki_history import ImportedSchedule
from cehrs_cards.services.import_ids import own_times


def anki_card_rows(
    card: CardIn,
    sched: ImportedSchedule | None,
    place: tuple[int, int, int, int, int],
    fresh: tuple[Any, ...],
    bury_until: str | None,
    stamp: str,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The card row (db/import_rows.CARD_COLUMNS; `place`: id, note, deck, ordinal, domain)
    and its review-log rows. A card never studied (`sched` None) is new (`fresh`: the memory
    columns of a new card, db/study.memory_row), but suspended, flagged or buried as it was."""
    buried = bury_until if card.queue in (-2, -3) else None
    created, modified = own_times(card.anki_id, card.anki_mod, stamp)
    if sched is None:
        flag = card.flag if 1 <= card.flag <= 7 else 0
        return (*place, *fresh, int(card.queue == -1), buried, flag, created, modified), []
    extra = (int(sched.suspended), buried, sched.flag, created, modified)  # Card's order
    row = (*place, *memory_row(sched.memory), *extra)
    return row, revlog.answer_rows(place[0], sched.answers, sched.states)
