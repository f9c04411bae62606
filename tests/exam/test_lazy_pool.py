"""The lazy exam pool on real collections: a mock parses only the notes it reaches, usable items
are exactly those an eager full parse finds, and probing random ids draws without bias."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from cehrs_cards.core.domains import DOMAIN_IDS, DOMAINS
from cehrs_cards.core.exam_draw import (
    answer_kind,
    can_generate_from,
    draw_form,
    normalized_answer,
)
from cehrs_cards.core.notetypes import BASIC, NoteTypeDef
from cehrs_cards.db.repo import fields_dict
from cehrs_cards.interchange.native import read_native
from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services import exam_source
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.exam_catalog import usable_answer, usable_cards
from cehrs_cards.services.exam_pool import Source, answer_text, mcq_item, note_types
from cehrs_cards.services.exam_source import CardIds, DbSource
from cehrs_cards.services.exams import ExamOptions, ExamService
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.notes import NotesService
from tests.exam.conftest import MCQS_PER_DOMAIN, basic_note, mcq_note, write_mcq_deck

CUSTOM = NoteTypeDef("Custom", "custom", BASIC.fields, BASIC.templates)


def note(guid: str, notetype: str, domain: int, **fields: str) -> NoteIn:
    return NoteIn(guid=guid, notetype=notetype, deck="Odd", fields=fields, domain=domain)


def odd_notes() -> list[NoteIn]:
    """Cards an item pool must judge one by one: bad answers, HTML, cloze, reversed, custom."""
    backs = ["", "<img src='x.png'>", "&nbsp;", "<b>Bold</b> answer", "x" * 250, " ... ",
             "\x1c.\x1f", "\xa0.", "Café", "a" + " " * 300, "Tab\tinside",
             "&amp; more"]  # fmt: skip
    notes = [
        note(f"odd-{d}-{i}", "Basic", d, Front=f"Q{d}-{i}?", Back=back)
        for d in (1, 2, 3, 4)
        for i, back in enumerate(backs)
    ]
    notes += [
        note("cz-1", "Cloze", 2, Text="The {{c1::HIPAA}} rule and {{c2::<i>HITECH</i>}} act"),
        note("cz-2", "Cloze", 3, Text="Empty {{c1::<br>}} and {{c2::fine}} cloze"),
        note("rev-1", "Basic (and reversed card)", 4, Front="Front side", Back="Back side"),
        note("custom-1", "Custom", 1, Front="Custom front", Back="Custom back"),
        note("unassigned-1", "Basic", 0, Front="No domain?", Back="None"),
    ]
    bad_key = mcq_note(2, 900)
    bad_key.fields["Answer"] = "E"
    image_option = mcq_note(0, 901)  # unassigned domain: still usable as an MCQ
    image_option.fields["B"] = "<img src='b.png'>"
    thin = [note(f"thin-{i}", "Basic", 5, Front=f"T{i}?", Back=f"Thin {i % 3}") for i in range(9)]
    return [*notes, bad_key, image_option, *thin]


@pytest.fixture
def odd_col(col, tmp_path):
    import_package(col, read_native(write_mcq_deck(tmp_path / "deck", MCQS_PER_DOMAIN, {})))
    pkg = Package(notes=odd_notes())
    pkg.notetypes["Custom"] = CUSTOM
    import_package(col, pkg)
    with col.read() as s:
        ids = s.connection().exec_driver_sql(
            "SELECT c.id FROM card c JOIN note n ON n.id = c.note_id "
            "WHERE n.guid IN ('odd-1-3', 'odd-2-8', 't-d1-mcq-000')"
        )
        to_suspend = [r[0] for r in ids]
    CardService(col).set_suspended(to_suspend, True)
    return col


def eager_reference(s) -> set[tuple[int, bool, int, int]]:
    """What an eager pool holds: parse every note, keep valid ones, drop generated ones without
    three other answers of their kind in their domain."""
    types = note_types(s)
    sql = (
        "SELECT c.id, c.note_id, c.domain, c.ord, n.fields, n.guid, n.notetype_id "
        "FROM card c JOIN note n ON n.id = c.note_id WHERE c.suspended = 0"
    )
    out, answers = set(), {}
    for cid, nid, dom, ord_, raw, guid, ntid in s.connection().exec_driver_sql(sql):
        nt = types[ntid]
        src = Source(nt, fields_dict(nt, raw), ord_, guid)
        if nt.kind == "mcq" and mcq_item(src, cid, nid, dom) is not None:
            out.add((dom, False, cid, nid))
        elif nt.kind in ("basic", "reversed", "cloze") and dom in DOMAIN_IDS:
            answer = answer_text(src)
            if can_generate_from(answer):
                kind = answer_kind(answer)
                out.add((dom, True, cid, nid, kind))
                answers.setdefault((dom, kind), set()).add(normalized_answer(answer))
    # a generated item needs three other answers of its own kind in its domain
    return {c[:4] for c in out if not c[1] or len(answers[(c[0], c[4])]) >= 4}


def test_usable_items_are_exactly_what_a_full_parse_finds(odd_col):
    with odd_col.read() as s:
        expected = eager_reference(s)
        catalog = {
            (d, g, c, n) for (d, g), cards in usable_cards(s).items() for c, n in cards.items()
        }
        source = DbSource(s, 1, seen_kind=None, generated=True)
        lazy = {(c.domain, c.generated, c.card_id, c.note_id)
                for c in source.ordered(None, random.Random(1), generated=True)}  # fmt: skip
    assert catalog == expected and lazy == expected
    kinds = Counter((d, g) for d, g, _c, _n in expected)
    assert kinds[(5, True)] == 0  # three distinct answers only: no generated items there
    assert kinds[(0, False)] == 1  # the unassigned MCQ with an image option
    assert kinds[(1, True)] == 5 - 1  # the five usable odd backs of domain 1, one suspended


def test_plain_answers_get_the_same_verdict_as_stripping_html():
    samples = ["plain", " .;:,!? ", "\x1c\x1d", "\x1c a", "\xa0", "\u2003x", "x" * 200,
               "x" * 201, "tab\there", "a\nb", "...a...", "Ünïcode", ""]  # fmt: skip
    for kind_nt in (BASIC,):
        for raw in samples:
            slow = answer_text(Source(kind_nt, {"Front": "q", "Back": raw}, 0, "g"))
            want = slow if can_generate_from(slow) else None
            got = usable_answer(kind_nt, 0, raw)
            assert (got is None) == (want is None), repr(raw)
            if got is not None:
                assert normalized_answer(got) == normalized_answer(want), repr(raw)


def big_pool(col, tmp_path, basics_per_domain: int = 1000):
    import_package(col, read_native(write_mcq_deck(tmp_path / "deck", MCQS_PER_DOMAIN, {})))
    notes = [basic_note(d, i) for d in DOMAIN_IDS for i in range(basics_per_domain)]
    import_package(col, Package(notes=notes))


def test_a_mock_parses_only_the_notes_it_reaches(col, tmp_path):
    big_pool(col, tmp_path)
    with col.read() as s:
        source = DbSource(s, 7, seen_kind="mock", generated=True)
        slots = draw_form(source, random.Random(7), generated=True)
        items = [source.item(f.candidate) for f in slots]
    total_notes = sum(MCQS_PER_DOMAIN.values()) + 5 * 1000
    assert len(items) == 125 and sum(f.pretest for f in slots) == 25
    assert source.parsed < total_notes / 6  # an eager pool parses all 5,153
    scored = Counter(f.candidate.domain for f in slots if not f.pretest)
    assert scored == {d.id: d.scored_items for d in DOMAINS}
    assert any(item.generated for item in items)
    for f, item in zip(slots, items, strict=True):
        if item.generated:  # own answer plus three other answers of the same domain
            assert (
                item.options[item.answer]
                == f"Answer {f.candidate.domain}-" + (item.options[item.answer].rsplit("-", 1)[1])
            )
            others = [o for i, o in enumerate(item.options) if i != item.answer]
            assert all(o.startswith(f"Answer {f.candidate.domain}-") for o in others)
            assert len(set(item.options)) == 4
    assert ExamService(col).assemble(seed=7) == ExamService(col).assemble(seed=7)


@pytest.fixture
def probing(monkeypatch):
    """Probe random ids even on a small collection (the path a 100,000-card one takes)."""
    monkeypatch.setattr(exam_source, "PROBE_MIN", 0)
    monkeypatch.setattr(exam_source, "PROBE_BATCH", 16)


def test_probing_visits_every_card_once_then_falls_back_to_the_list(col, tmp_path, probing):
    big_pool(col, tmp_path, basics_per_domain=60)
    with col.read() as s:
        cards = CardIds(s)
        assert cards.probing
        for dom in DOMAIN_IDS:
            skip = set(cards.of(dom)[::7])
            order = list(cards.shuffled(dom, random.Random(dom), skip))
            assert len(order) == len(set(order))
            assert set(order) == set(cards.of(dom)) - skip


def test_probing_is_not_biased_by_gaps_in_the_ids(col, tmp_path, probing):
    notes = [basic_note(3, i) for i in range(300)]
    import_package(col, Package(notes=notes))
    with col.read() as s:
        ids = CardIds(s).of(3)
    gap_end = ids[200]  # the card after a gap of 150 deleted cards
    NotesService(col).delete_notes(ids[50:200])
    firsts: Counter[int] = Counter()
    with col.read() as s:
        cards = CardIds(s)
        left = cards.of(3)
        for seed in range(3000):
            firsts[next(cards.shuffled(3, random.Random(seed), ()))] += 1
    expected = 3000 / len(left)  # 20 each; "next id after a random one" would give 150x
    assert len(left) == 150 and set(firsts) <= set(left)
    assert firsts[gap_end] < 3 * expected and max(firsts.values()) < 3 * expected


def test_later_mocks_draw_unseen_pretest_items_while_probing(col, tmp_path, probing):
    big_pool(col, tmp_path, basics_per_domain=200)
    exams = ExamService(col)
    with_generated = ExamOptions(generated=True)  # the user turned generated items on
    first = exams.start_mock(seed=1, opts=with_generated).value
    exams.submit(first)
    seen = {s.item.card_id for s in first.slots}
    second = exams.start_mock(seed=2, opts=with_generated).value
    assert sum(s.pretest for s in second.slots) == 25
    assert not seen & {s.item.card_id for s in second.slots if s.pretest}
    assert any(s.item.generated for s in second.slots if s.pretest)
    assert exams.assemble(seed=9, opts=with_generated) == exams.assemble(9, with_generated)
