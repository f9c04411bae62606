"""`export --scheduling`: reviewed, learning, suspended, flagged and buried cards arrive in the
real Anki (the `anki` package's importer) with their due dates, intervals, memory state and
review log, and come back to us the same way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.core.records import CardState, Rating
from cehrs_cards.db.models import Card, Note, RevLog
from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.review import LEARN_AHEAD, ReviewService
from cehrs_cards.services.transfer import ImportOptions, import_file
from cehrs_cards.services.transfer_export import export_file

ROLLOVER = 4  # our default and Anki's


def _study_date(when: datetime, tz: Any) -> date:
    return (when.astimezone(tz) - timedelta(hours=ROLLOVER)).date()


@pytest.fixture
def studied(tmp_path: Path) -> tuple[Collection, datetime]:
    """Eight cards studied over a month up to the real now (Anki imports at the real time):
    s0 review, s1 overdue review, s2 suspended, s3 flagged, s4 buried, s5 relearning,
    s6 learning, s7 new and flagged. The local time zone, as Anki uses."""
    now = datetime.now(UTC).replace(microsecond=0)
    clock = FakeClock(now - timedelta(days=30))
    col = Collection(tmp_path / "data", clock=clock)
    col.save_settings(replace(col.settings(), fuzz=False, bundled_loaded=True))
    notes = [
        NoteIn(f"s{i}", "Basic", "Sched", {"Front": f"q{i}", "Back": f"a{i}"}) for i in range(8)
    ]
    import_package(col, Package(notes=notes))
    review = ReviewService(col)
    ids = _card_ids(col)

    def answer(name: str, rating: Rating) -> None:
        review.answer(review.study_card(ids[name]), rating, duration_ms=4200)
        clock.advance(timedelta(minutes=2))

    for name in ("s0", "s1", "s2", "s3", "s4", "s5"):
        answer(name, Rating.GOOD)  # first learning step
        answer(name, Rating.GOOD)  # graduates to review
    clock.set(now - timedelta(days=20))
    for name in ("s0", "s2", "s3", "s4", "s5"):  # s1 is left to fall overdue
        answer(name, Rating.GOOD)
    clock.set(now - timedelta(minutes=5))
    answer("s5", Rating.AGAIN)  # a lapse: relearning
    answer("s6", Rating.AGAIN)  # a new card starts learning
    clock.set(now)
    cards = CardService(col)
    cards.set_suspended([ids["s2"]], True)
    cards.set_flag([ids["s3"]], 2)
    cards.bury([ids["s4"]])
    cards.set_flag([ids["s7"]], 1)
    yield col, now
    col.close()


def _card_ids(col: Collection) -> dict[str, int]:
    with col.read() as s:
        rows = s.exec(select(Note.guid, Card.id).where(Card.note_id == Note.id))
        return {guid: int(cid) for guid, cid in rows}


def _ours(col: Collection) -> dict[str, Any]:
    """guid -> (card row, its answers' ratings and times, oldest first)."""
    with col.read() as s:
        cards = {g: c for g, c in s.exec(select(Note.guid, Card).where(Card.note_id == Note.id))}
        logs = {
            g: [
                (r.rating, r.id)
                for r in s.exec(select(RevLog).where(RevLog.card_id == c.id).order_by(RevLog.id))
            ]
            for g, c in cards.items()
        }
    return {g: (cards[g], logs[g]) for g in cards}


def _anki_import(apkg: Path, where: Path, with_scheduling: bool = True):  # type: ignore[no-untyped-def]
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    anki = AnkiCollection(str(where / "anki.anki2"))
    options = ImportAnkiPackageOptions(with_scheduling=with_scheduling)
    anki.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
    return anki


def _anki_cards(anki) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    cards = [anki.get_card(cid) for cid in anki.find_cards("")]
    return {c.note().guid: c for c in cards}


def _anki_log(anki, cid: int) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    sql = "SELECT id, ease, ivl, lastIvl, factor, time, type FROM revlog WHERE cid = ? ORDER BY id"
    return [tuple(r) for r in anki.db.all(sql, cid)]


def test_scheduled_export_opens_in_anki_with_the_same_state_and_history(studied, tmp_path):
    col, now = studied
    out = tmp_path / "sched.apkg"
    export_file(col, out, scheduling=True)
    ours = _ours(col)
    anki = _anki_import(out, tmp_path)
    try:
        got = _anki_cards(anki)
        today = anki.sched.today
        assert set(got) == set(ours)
        for guid, (card, log) in ours.items():
            a = got[guid]
            _check_card(a, card, now, today, col.tz)
            anki_log = _anki_log(anki, a.id)
            assert [r[1] for r in anki_log] == [rating for rating, _ in log], guid
            assert [r[0] for r in anki_log] == [at_ms for _, at_ms in log]
            assert all(r[5] == 4200 for r in anki_log)
        _check_due_lists(anki, ours, now, col.tz)
    finally:
        anki.close()


def _check_card(a: Any, card: Card, now: datetime, today: int, tz: Any) -> None:
    state = CardState(card.state)
    kind = {CardState.NEW: 0, CardState.LEARNING: 1, CardState.REVIEW: 2, CardState.RELEARNING: 3}
    assert a.type == kind[state]
    buried = card.buried_until is not None and card.buried_until > now
    queue = -1 if card.suspended else -3 if buried else {0: 0, 1: 1, 2: 2, 3: 1}[a.type]
    assert a.queue == queue
    assert a.user_flag() == card.flag
    assert (a.reps, a.lapses) == (card.reps, card.lapses)
    if state == CardState.REVIEW:
        assert a.due - today == (_study_date(card.due, tz) - _study_date(now, tz)).days
        assert card.last_review is not None
        assert a.ivl == round((card.due - card.last_review).total_seconds() / 86400)
    elif state in (CardState.LEARNING, CardState.RELEARNING):
        assert a.due == int(card.due.timestamp())
    if state != CardState.NEW:
        assert a.memory_state.stability == pytest.approx(card.stability, rel=1e-4)
        assert a.memory_state.difficulty == pytest.approx(card.difficulty, abs=1e-3)


def _check_due_lists(anki: Any, ours: dict[str, Any], now: datetime, tz: Any) -> None:
    """Anki's "is:due" and its deck-list review count agree with what we would show today."""
    ahead = now + LEARN_AHEAD
    due_ours = set()
    for guid, (c, _) in ours.items():
        active = not c.suspended and (c.buried_until is None or c.buried_until <= now)
        review_due = c.state == 2 and _study_date(c.due, tz) <= _study_date(now, tz)
        learning_due = c.state in (1, 3) and c.due <= ahead
        if active and (review_due or learning_due):
            due_ours.add(guid)
    due_anki = {anki.get_card(cid).note().guid for cid in anki.find_cards("is:due")}
    assert due_anki == due_ours == {"s1", "s5", "s6"}  # overdue review, relearning, learning
    reviews = sum(1 for g in due_ours if ours[g][0].state == 2)
    assert anki.sched.deck_due_tree().review_count == reviews == 1


def test_each_kind_of_card_is_exported(studied):
    """The fixture really holds every case the Anki test relies on."""
    col, now = studied
    ours = {g: c for g, (c, _) in _ours(col).items()}
    assert [CardState(ours[f"s{i}"].state) for i in range(8)] == [
        *[CardState.REVIEW] * 5,
        CardState.RELEARNING,
        CardState.LEARNING,
        CardState.NEW,
    ]
    assert ours["s2"].suspended and ours["s3"].flag == 2 and ours["s7"].flag == 1
    assert ours["s4"].buried_until is not None and ours["s4"].buried_until > now
    assert _study_date(ours["s1"].due, col.tz) < _study_date(now, col.tz)  # overdue


def test_without_scheduling_every_card_arrives_new(studied, tmp_path):
    col, _ = studied
    out = tmp_path / "plain.apkg"
    export_file(col, out)
    anki = _anki_import(out, tmp_path, with_scheduling=True)
    try:
        cards = _anki_cards(anki).values()
        assert {(c.type, c.queue, c.flags) for c in cards} == {(0, 0, 0)}
        assert anki.db.scalar("SELECT count() FROM revlog") == 0
    finally:
        anki.close()


def test_scheduling_round_trips_through_our_own_import(studied, tmp_path):
    col, _ = studied
    out = tmp_path / "sched.apkg"
    export_file(col, out, scheduling=True)
    before = _ours(col)
    fresh = Collection(tmp_path / "fresh", clock=col.clock)
    try:
        fresh.save_settings(replace(fresh.settings(), fuzz=False, bundled_loaded=True))
        import_file(fresh, out, ImportOptions(with_scheduling=True))
        after = _ours(fresh)
        with fresh.read() as s:
            assert s.exec(select(func.count()).select_from(RevLog)).one() == sum(
                len(log) for _, log in before.values()
            )
    finally:
        fresh.close()
    for guid, (card, log) in before.items():
        back, back_log = after[guid]
        assert (back.state, back.reps, back.lapses) == (card.state, card.reps, card.lapses), guid
        if card.state != CardState.NEW:  # our importer keeps a never-studied card plain new
            assert (back.suspended, back.flag) == (card.suspended, card.flag), guid
        assert [r for r, _ in back_log] == [r for r, _ in log]
        if card.state == CardState.REVIEW:
            assert _study_date(back.due, col.tz) == _study_date(card.due, col.tz)
            assert back.stability == pytest.approx(card.stability, rel=1e-6)
        elif card.state != CardState.NEW:
            assert back.due == card.due


def test_scheduling_is_refused_for_text_and_toml(studied, tmp_path):
    from cehrs_cards.interchange.package import DeckFormatError

    col, _ = studied
    for suffix in (".txt", ".toml"):
        with pytest.raises(DeckFormatError, match=r"only in an \.apkg"):
            export_file(col, tmp_path / f"x{suffix}", scheduling=True)
        assert not (tmp_path / f"x{suffix}").exists()
