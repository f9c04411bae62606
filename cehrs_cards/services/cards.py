"""Card states, the one implementation for the review screen and the browser: suspend, bury,
flag, reset to new, set due date, move to a deck. Each is one transaction returning an
OpResult whose undo step puts back exactly the rows and columns it touched (db/row_snapshots.py)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from cehrs_cards.core.note_fields import EditError, parse_days
from cehrs_cards.core.ops import Changes, OpResult
from cehrs_cards.core.records import CardState
from cehrs_cards.core.scheduling import study_day_start
from cehrs_cards.db import revlog
from cehrs_cards.db import row_snapshots as bu
from cehrs_cards.db.notes import card_states
from cehrs_cards.db.session import Session
from cehrs_cards.db.settings import load_settings
from cehrs_cards.db.timefmt import to_db
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.decks import ensure_deck_undoable
from cehrs_cards.services.undo import Restore, transact, undo_all


class CardService:
    def __init__(self, col: Collection) -> None:
        self.col = col

    def set_suspended(self, card_ids: Sequence[int], on: bool) -> OpResult[int]:
        return self._set("Suspend" if on else "Unsuspend", card_ids, {"suspended": int(on)})

    def bury(self, card_ids: Sequence[int], on: bool = True) -> OpResult[int]:
        """Bury until the end of the study day (or unbury)."""
        until = None
        if on:
            hour = self.col.settings().rollover_hour
            until = to_db(study_day_start(self.col.now(), self.col.tz, hour) + timedelta(days=1))
        return self._set("Bury" if on else "Unbury", card_ids, {"buried_until": until})

    def set_flag(self, card_ids: Sequence[int], flag: int) -> OpResult[int]:
        if flag not in range(8):
            raise EditError("Flags are 0 (none) to 7.")
        return self._set("Flag", card_ids, {"flag": flag})

    def reset_to_new(self, card_ids: Sequence[int]) -> OpResult[int]:
        """Forget: back to new with no memory state; review history and counters are kept.

        Each card gets a reset entry in its review log (Anki's Forget: manual, no button):
        rescheduling, the optimiser and card info start the card's history again after it."""
        now = self.col.now()
        values: dict[str, object] = {"state": int(CardState.NEW), "step": None}
        values |= {"stability": None, "difficulty": None, "last_review": None}
        values |= {"due": to_db(now), "modified": to_db(now)}

        def work(s: Session) -> tuple[int, Restore]:
            snap = bu.update(s, "card", card_ids, values)
            logged = revlog.add_resets(s, card_ids, now)
            return len(card_ids), undo_all(snap, lambda s: revlog.delete(s, logged))

        one = card_ids[0] if len(card_ids) == 1 else None
        return transact(self.col, "Reset to new", work, _changed(card_ids), card_id=one)

    def set_due(self, card_ids: Sequence[int], spec: str) -> OpResult[tuple[int, int]]:
        """Due in N days ("0" today, "1" tomorrow) or a random day in "N-M", new cards too
        (as Anki's Set due date): a new card has no memory state yet, so it moves into
        learning, due that day, and its first answer schedules it like any first answer.
        The value is (cards moved, of which new ones)."""
        low, high = parse_days(spec)

        def work(s: Session) -> tuple[tuple[int, int], Restore]:
            now = self.col.now()
            start = study_day_start(now, self.col.tz, load_settings(s).rollover_hour)
            found = card_states(s, card_ids)
            rng = random.Random()
            values: dict[int, dict[str, object]] = {}
            for card_id, state, step in found:
                new = state == CardState.NEW
                values[card_id] = {
                    "due": to_db(_due_on(rng.randint(low, high), now, start)),
                    "state": int(CardState.LEARNING if new else state),
                    "step": 0 if new else step,
                    "modified": to_db(now),
                }
            were_new = sum(state == CardState.NEW for _i, state, _step in found)
            return (len(values), were_new), undo_all(bu.update_each(s, "card", values))

        return transact(self.col, "Set due date", work, _changed(card_ids))

    def change_deck(self, card_ids: Sequence[int], deck: str) -> OpResult[int]:
        if not deck.strip():
            raise EditError("Choose or type a deck name.")

        def work(s: Session) -> tuple[int, Restore]:
            deck_id, drop_decks = ensure_deck_undoable(s, deck)
            values = {"deck_id": deck_id, "modified": to_db(self.col.now())}
            return len(card_ids), undo_all(drop_decks, bu.update(s, "card", card_ids, values))

        changes = _changed(card_ids) | Changes(decks=True)
        return transact(self.col, "Change deck", work, changes)

    def _set(self, label: str, card_ids: Sequence[int], values: dict[str, object]) -> OpResult[int]:
        def work(s: Session) -> tuple[int, Restore]:
            stamped = values | {"modified": to_db(self.col.now())}
            return len(card_ids), undo_all(bu.update(s, "card", card_ids, stamped))

        one = card_ids[0] if len(card_ids) == 1 else None
        return transact(self.col, label, work, _changed(card_ids), card_id=one)


def _changed(card_ids: Sequence[int]) -> Changes:
    few = frozenset(card_ids) if len(card_ids) <= 1000 else frozenset()
    return Changes(cards=True, card_ids=few)


def _due_on(days: int, now: datetime, start: datetime) -> datetime:
    """Now for today (due at once), else the start of that study day."""
    return now if days == 0 else start + timedelta(days=days)
