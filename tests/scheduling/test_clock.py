"""One clock: study days in the user's real zone, FSRS elapsed time in study days, states
computed at answer time, and Easy at least a day longer than Good (issue 18 items 2, 4, 5, 8)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.memory_model import on_grid
from cehrs_cards.core.records import CardState, MemoryState, Rating
from cehrs_cards.core.scheduling import Policy, Schedulers
from cehrs_cards.services.collection import Collection

NY = ZoneInfo("America/New_York")
UTC4 = StudyDays(UTC, 4)


def ny(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=NY, fold=fold)


# ----- time zone: the rollover stays at 4 am local across both DST changes --------------------
@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 7), 23), (date(2026, 3, 8), 24), (date(2026, 10, 31), 25)],
)
def test_study_days_start_at_4am_local_on_both_dst_changes(day, hours):
    days = StudyDays(NY, 4)
    start, end = days.start(day), days.start(day + timedelta(days=1))
    assert start.astimezone(NY).hour == 4 and end.astimezone(NY).hour == 4
    assert end - start == timedelta(hours=hours)  # 23 h in spring, 25 h in autumn


def test_instants_near_the_rollover_on_dst_days():
    days = StudyDays(NY, 4)
    assert days.day_of(ny(2026, 3, 8, 3, 30)) == date(2026, 3, 7)  # EDT already, before 4
    assert days.day_of(ny(2026, 3, 8, 4, 0)) == date(2026, 3, 8)
    assert days.day_of(ny(2026, 11, 1, 1, 30, fold=1)) == date(2026, 10, 31)  # the hour twice
    assert days.day_of(ny(2026, 11, 1, 4, 0)) == date(2026, 11, 1)


def test_past_study_days_use_their_own_offset():
    # 08:30 UTC in July is 04:30 EDT: July 15's study day. With January's offset (EST, -5)
    # it would be 03:30 and land on July 14.
    days = StudyDays(NY, 4)
    assert days.day_of(datetime(2026, 7, 15, 8, 30, tzinfo=UTC)) == date(2026, 7, 15)
    assert days.day_of(datetime(2026, 1, 15, 8, 30, tzinfo=UTC)) == date(2026, 1, 14)


def test_collection_follows_the_computer_zone(tmp_path, monkeypatch, clock):
    monkeypatch.setenv("TZ", "America/New_York")
    col = Collection(tmp_path / "data", clock=clock, start_new=True)
    try:
        assert getattr(col.tz, "key", None) == "America/New_York"
        clock.set(ny(2026, 11, 1, 3, 59))
        assert col.study_days().day_of(clock.now()) == date(2026, 10, 31)
        monkeypatch.setenv("TZ", "Europe/Paris")
        col._zone = None  # the minute between look-ups has passed
        assert getattr(col.tz, "key", None) == "Europe/Paris"
    finally:
        col.close()


# ----- elapsed time in study days, as Anki counts it for FSRS ---------------------------------
def _relearning(at: datetime) -> MemoryState:
    return MemoryState(CardState.RELEARNING, 0, 1.09, 6.5, at + timedelta(minutes=10), at, 5, 1)


def test_relearnt_at_21_answered_at_08_next_study_day_is_not_a_same_day_review():
    evening = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
    morning = datetime(2026, 3, 11, 8, 0, tzinfo=UTC)  # 11 hours later, after the 4 am rollover
    sched = Schedulers(Policy(fuzz=False), UTC4)
    got = sched.answer(7, 0, _relearning(evening), Rating.GOOD, morning)
    plain = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(7, fsrs.State.Relearning, 0, 1.09, 6.5, evening, evening)
    one_day, _ = plain.review_card(card, fsrs.Rating.Good, evening + timedelta(days=1))
    same_day, _ = plain.review_card(card, fsrs.Rating.Good, morning)
    assert got.stability == pytest.approx(one_day.stability)  # a one-day-old review
    assert got.stability > 1.9 and same_day.stability < 1.2  # 24-hour count: same-day
    assert got.last_review == morning
    assert sched.retrievability(0, _relearning(evening), morning) < 0.97  # not R = 1.000


def _utc(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_elapsed_days_count_rollovers_not_24_hour_periods():
    assert UTC4.elapsed(_utc(10, 23), _utc(11, 5)) == 1  # evening, then morning: a day
    assert UTC4.elapsed(_utc(10, 5), _utc(11, 3)) == 0  # 22 hours, one study day
    assert UTC4.elapsed(_utc(10, 5), _utc(13, 3)) == 2
    # fsrs sees each instant at the start of its study day
    assert on_grid(UTC4, datetime(2026, 3, 11, 3, tzinfo=UTC)).date() + timedelta(days=1) == (
        on_grid(UTC4, datetime(2026, 3, 11, 5, tzinfo=UTC)).date()
    )


# ----- Easy >= Good in days -------------------------------------------------------------------
@pytest.mark.parametrize("fuzz", [False, True])
def test_easy_is_at_least_a_day_longer_than_good_whenever_both_are_days(fuzz):
    sched = Schedulers(Policy(fuzz=fuzz), UTC4)
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    states = [MemoryState(CardState.NEW, None, None, None, now, None)]
    for s in (0.1, 0.3, 0.8, 1.5, 3.0, 10.0, 40.0):
        kinds = ((CardState.REVIEW, None), (CardState.RELEARNING, 0), (CardState.LEARNING, 1))
        for state, step in kinds:
            for back in (1, 2, 5, 30):
                last = now - timedelta(days=back)
                states.append(MemoryState(state, step, s, 5.0, last, last, 3, 0))
    both = 0
    for card_id, mem in enumerate(states, 1):
        buttons = {p.rating: p for p in sched.preview(card_id, 2, mem, now)}
        good, easy = buttons[Rating.GOOD].after, buttons[Rating.EASY].after
        if good.state == CardState.REVIEW and easy.state == CardState.REVIEW:
            both += 1
            assert (easy.due - now).days >= (good.due - now).days + 1, (mem, good, easy)
        if buttons[Rating.HARD].after.state == CardState.REVIEW and good.state == CardState.REVIEW:
            assert (good.due - now).days > (buttons[Rating.HARD].after.due - now).days
    assert both > 50


def test_fuzz_is_the_same_for_the_same_answer():
    sched = Schedulers(Policy(fuzz=True), UTC4)
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    mem = MemoryState(CardState.REVIEW, None, 30.0, 5.0, now, now - timedelta(days=30), 4, 0)
    first = sched.preview(11, 1, mem, now)
    assert sched.preview(11, 1, mem, now) == first
    spread = {sched.preview(i, 1, mem, now)[2].after.due for i in range(1, 40)}
    assert len(spread) > 3  # but it does fuzz across cards


# ----- states computed at answer time ---------------------------------------------------------
def _show(review, clock, at):
    clock.set(at)
    return review.next_card()


def test_shown_at_23_answered_at_09_next_day_is_scheduled_from_09(review, clock):
    card = _show(review, clock, datetime(2026, 3, 10, 23, 0, tzinfo=UTC))
    shown_due = {p.rating: p.after.due for p in card.previews}
    answered = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    clock.set(answered)
    review.answer(card, Rating.EASY)
    got = _card_state(review, card.card_id)
    assert got.last_review == answered
    assert got.due > answered + timedelta(hours=23)  # not due again the same day
    assert got.due != shown_due[Rating.EASY]


def test_same_moment_saves_exactly_the_button(review, clock):
    card = _show(review, clock, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    review.answer(card, Rating.GOOD)
    good = next(p for p in card.previews if p.rating == Rating.GOOD)
    assert replace(_card_state(review, card.card_id), reps=good.after.reps) == good.after


def test_same_day_later_keeps_the_interval_on_the_button(review, clock):
    start = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    card = _show(review, clock, start)
    clock.set(start + timedelta(minutes=7))
    review.answer(card, Rating.EASY)
    easy = next(p for p in card.previews if p.rating == Rating.EASY)
    got = _card_state(review, card.card_id)
    assert got.last_review == clock.now()
    assert got.due - got.last_review == easy.after.due - start


def _card_state(review, card_id):
    from cehrs_cards.db.models import Card
    from cehrs_cards.services.memory import memory_of

    with review.col.read() as s:
        return memory_of(s.get(Card, card_id))
