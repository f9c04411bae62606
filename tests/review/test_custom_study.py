"""Studying past today's limits (Anki's custom study) and what is left when a session runs dry."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cehrs_cards.core.ops import OpError
from cehrs_cards.core.records import Rating
from cehrs_cards.services.custom_study import study_more, what_is_left
from cehrs_cards.services.review import ReviewService


@pytest.fixture
def limited(mini_col) -> ReviewService:
    """The 7 new cards of the mini deck with a limit of 2 new cards a day."""
    mini_col.save_settings(replace(mini_col.settings(), new_per_day=2))
    return ReviewService(mini_col)


def _introduce(review: ReviewService, n: int) -> int:
    """Answer new cards Easy (out of today's way) until n are done or none comes."""
    done = 0
    while done < n and (card := review.next_card()) is not None:
        review.answer(card, Rating.EASY)
        done += 1
    return done


def test_past_the_limit_study_more_lets_n_more_new_cards_through_today(limited, clock):
    assert _introduce(limited, 10) == 2 and limited.next_card() is None
    left = what_is_left(limited, None)
    # 7 new cards, 2 introduced: 5 left, one of them a sibling of an answered card, buried today
    assert left.past_limit and left.held_back.new == 4 and left.new_limit == 2
    result = study_more(limited, 3, 0)
    assert result.value.new == 3 and result.changes.settings and result.undo is not None
    assert what_is_left(limited, None).new_limit == 5
    assert _introduce(limited, 10) == 3 and limited.next_card() is None
    assert study_more(limited, 1, 0).value.new == 4  # adds to today's extension
    result.undo.restore()  # Ctrl+Z as the runner runs it: back to no extension
    assert limited.limits_left() == (0, 200) and limited.next_card() is None
    study_more(limited, 2, 0)
    clock.advance(timedelta(days=1))  # a new study day: the plain limit again
    assert what_is_left(limited, None).new_limit == 2
    with pytest.raises(OpError):
        study_more(limited, 0, 0)


def test_what_is_left_counts_tomorrows_cards(limited, mini_col):
    from cehrs_cards.services.cards import CardService

    _introduce(limited, 2)  # Easy: due in days, not tomorrow
    assert what_is_left(limited, None).tomorrow == 0
    with mini_col.read() as s:
        ids = [r[0] for r in s.connection().exec_driver_sql("SELECT id FROM card ORDER BY id")]
    CardService(mini_col).set_due(ids[:3], "1")  # studied or new, due tomorrow
    left = what_is_left(limited, None)
    assert left.tomorrow == 3 and left.held_back.new == 5 - 1  # one new card moved out
