from datetime import UTC, datetime, timedelta, timezone

import fsrs
import pytest

from cehrs_cards.core.records import CardState, Rating
from cehrs_cards.core.scheduling import (
    Policy,
    Schedulers,
    domain_retention,
    format_interval,
    interleave_by_domain,
    new_state,
    pick_new_domain,
    study_day_end,
    study_day_start,
    to_fsrs,
)

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_retention_tilt_follows_the_formula():
    # (1 - R_d) = (1 - R0) * (mean weight / w_d); mean weight is 0.2
    assert domain_retention(2, 0.90, 1.0) == pytest.approx(1 - 0.1 * 0.2 / 0.32)
    assert domain_retention(3, 0.90, 1.0) == pytest.approx(1 - 0.1 * 0.2 / 0.15)
    assert domain_retention(5, 0.90, 1.0) == pytest.approx(0.80)  # 0.8 exactly, at the clamp
    assert domain_retention(5, 0.85, 1.0) == 0.80  # clamped
    assert domain_retention(2, 0.96, 1.0) == 0.97  # clamped


def test_tilt_zero_is_plain_fsrs_and_unassigned_uses_base():
    assert all(domain_retention(d, 0.9, 0.0) == 0.9 for d in range(1, 6))
    assert domain_retention(0, 0.88, 1.0) == 0.88


def test_heavier_domain_gets_shorter_intervals():
    s = Schedulers(Policy(tilt=1.0, fuzz=False))  # tilt is off by default since issue 4
    mem = new_state(T0)
    easy_heavy = s.preview(1, 2, mem, T0)[3].after.due
    easy_light = s.preview(2, 5, mem, T0)[3].after.due
    assert easy_heavy < easy_light


def test_preview_gives_four_states_and_labels():
    s = Schedulers(Policy(fuzz=False))
    previews = s.preview(7, 1, new_state(T0), T0)
    assert [p.rating for p in previews] == list(Rating)
    assert [p.label for p in previews[:3]] == ["1m", "6m", "10m"]
    assert all(p.after.reps == 1 and p.after.last_review == T0 for p in previews)
    assert previews[3].after.state == CardState.REVIEW


def test_lapse_counted_only_from_review_state():
    s = Schedulers(Policy(fuzz=False))
    good = s.preview(1, 1, new_state(T0), T0)[3].after  # Easy -> Review
    later = good.due + timedelta(days=1)
    again = s.preview(1, 1, good, later)[0].after
    assert again.lapses == 1 and again.state == CardState.RELEARNING
    assert s.preview(1, 1, new_state(T0), T0)[0].after.lapses == 0


def test_to_fsrs_keeps_id_and_maps_new_to_learning():
    card = to_fsrs(42, new_state(T0))
    assert card.card_id == 42 and card.state == fsrs.State.Learning and card.step == 0


def test_format_interval():
    assert format_interval(timedelta(seconds=20)) == "<1m"
    assert format_interval(timedelta(minutes=10)) == "10m"
    assert format_interval(timedelta(hours=3)) == "3h"
    assert format_interval(timedelta(days=4)) == "4d"
    assert format_interval(timedelta(days=45)) == "1.5mo"
    assert format_interval(timedelta(days=730)) == "2y"


def test_study_day_rolls_over_at_local_hour():
    tz = timezone(timedelta(hours=-5))
    late = datetime(2026, 3, 11, 2, 30, tzinfo=tz)  # 2:30 am local: still "yesterday"
    start = study_day_start(late, tz, 4)
    assert start == datetime(2026, 3, 10, 4, 0, tzinfo=tz)
    assert study_day_end(late, tz, 4) == datetime(2026, 3, 11, 4, 0, tzinfo=tz)
    after = datetime(2026, 3, 11, 4, 0, tzinfo=tz)
    assert study_day_start(after, tz, 4) == after


def test_new_cards_interleave_in_blueprint_proportion():
    items = [(i, d) for d in range(1, 6) for i in range(d * 1000, d * 1000 + 100)]
    picked = interleave_by_domain(items, 100)
    by_domain = {d: sum(1 for i in picked if i // 1000 == d) for d in range(1, 6)}
    assert by_domain == {1: 28, 2: 32, 3: 15, 4: 15, 5: 10}
    first_ten = {i // 1000 for i in picked[:10]}
    assert len(first_ten) >= 4  # interleaved, not one domain at a time


def test_pick_new_domain_prefers_lagging_heavy_domain():
    assert pick_new_domain([1, 2, 5], {}) == 2
    assert pick_new_domain([1, 2, 5], {2: 3}) == 1
    assert pick_new_domain([5], {5: 99}) == 5
