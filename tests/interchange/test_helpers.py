"""The small pure helpers: protobuf reader, meta tags, domain rules, Anki history replay."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cehrs_cards.core.records import CardState
from cehrs_cards.core.scheduling import Policy, Schedulers
from cehrs_cards.interchange import protobuf_lite as pb
from cehrs_cards.interchange.meta_tags import apply_meta_tags, with_meta_tags
from cehrs_cards.interchange.package import CardIn, NoteIn, ReviewIn
from cehrs_cards.services.anki_history import schedule_from_anki, usable_history
from cehrs_cards.services.domain_map import DEFAULT_RULES, parse_rules, propose

T = datetime(2025, 1, 1, 12, tzinfo=UTC)


def test_protobuf_round_trip_and_real_anki_message():
    from anki import import_export_pb2

    msg = import_export_pb2.MediaEntries()
    entry = msg.entries.add()
    entry.name, entry.size, entry.sha1 = "ü.png", 300, b"\x01" * 20
    entry.legacy_zip_filename = 7
    parsed = pb.parse(msg.SerializeToString())
    e = pb.parse(pb.all_bytes(parsed, 1)[0])
    assert (pb.first_str(e, 1), pb.first_int(e, 2), pb.first_int(e, 255)) == ("ü.png", 300, 7)
    assert pb.parse(pb.field_varint(1, 300) + pb.field_bytes(2, b"ab")) == {1: [300], 2: [b"ab"]}


@pytest.mark.parametrize("blob", [b"\x08", b"\x12\x05ab", b"\x0b", b"\x00\x01"])
def test_protobuf_rejects_malformed(blob):
    with pytest.raises(pb.ProtobufError):
        pb.parse(blob)


def test_meta_tags_round_trip():
    note = NoteIn("g", "Basic", "D", {}, ["x", "law::us"], 3, "3.claims", "hard", "45 CFR 164; CMS")
    tagged = replace(note, tags=with_meta_tags(note), domain=None, task=None, source=None)
    tagged.difficulty = None
    assert "cehrs::domain::3" in tagged.tags and all(" " not in t for t in tagged.tags)
    apply_meta_tags(tagged)
    assert tagged == note


@pytest.mark.parametrize(
    ("deck", "tags", "domain"),
    [
        ("Medical::Non-Clinical Ops", [], 1),
        ("CEHRS::Clinical Operations", [], 2),
        ("Billing & Coding", [], 3),
        ("Misc", ["HIPAA"], 4),
        ("Reports::Quality Measures", [], 5),
        ("Spanish vocabulary", ["verbs"], 0),
    ],
)
def test_default_rules(deck, tags, domain):
    assert propose(NoteIn("g", "Basic", deck, {}, tags), DEFAULT_RULES).domain == domain


def test_rules_parse_and_refuse_bad_ones():
    assert parse_rules([["fin", 3, "deck"], ["x", 1]])[1].where == "any"
    for bad, message in (([["(", 1]], "bad pattern"), ([["x", 9]], "1..5"), ("x", "list")):
        with pytest.raises(ValueError, match=message):
            parse_rules(bad)


def _ms(when: datetime, days: int = 0) -> int:
    return int((when + timedelta(days=days)).timestamp() * 1000)


def test_replay_gives_fsrs_state_and_keeps_anki_due():
    due = T + timedelta(days=10)
    history = [ReviewIn(_ms(T), 3, 5000, 0, -600), ReviewIn(_ms(T, 1), 3, 4000, 1, 4)]
    card = CardIn(0, "D", kind=2, queue=2, due=due, interval_days=9, reps=2, history=history)
    got = schedule_from_anki(card, 4, Schedulers(Policy(fuzz=False)), T)
    assert got is not None and got.memory.state == CardState.REVIEW
    assert got.memory.due == due and got.memory.stability and got.memory.difficulty
    assert [r.rating for r in got.answers] == [3, 3] and len(got.states) == 2
    # the second answer came one study day after the first: fsrs-rs's state for that gap
    import fsrs_rs_python as rs

    fsrs = rs.FSRS(list(Policy(fuzz=False).parameters))
    want = fsrs.historical_memory_states(rs.FSRSItem([rs.FSRSReview(3, 0), rs.FSRSReview(3, 1)]))
    assert got.states[1].stability == pytest.approx(want[1].stability)
    assert got.memory.stability == pytest.approx(want[1].stability)


def test_forget_restarts_history_and_manual_entries_are_not_reviews():
    history = [
        ReviewIn(_ms(T), 1, 0, 0, 0),
        ReviewIn(_ms(T, 1), 0, 0, 4, 0),  # Forget
        ReviewIn(_ms(T, 2), 4, 0, 0, 3),
        ReviewIn(_ms(T, 3), 0, 0, 5, 9),  # set due date
    ]
    assert [r.rating for r in usable_history(history)] == [4]


def test_card_with_interval_but_no_log_gets_an_estimate_and_new_cards_none():
    sched = Schedulers(Policy(fuzz=False))
    est = schedule_from_anki(CardIn(0, "D", kind=2, interval_days=30, queue=-1), 1, sched, T)
    assert est is not None and est.memory.stability == 30.0 and est.suspended
    assert schedule_from_anki(CardIn(0, "D"), 1, sched, T) is None
