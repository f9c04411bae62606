"""Browser edits on a real collection file: each does what it says, and one undo puts every row
back exactly as it was (compared table by table)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cehrs_cards.core.note_fields import EditError, parse_days
from cehrs_cards.core.records import CardState, Rating
from cehrs_cards.services import browse_info
from cehrs_cards.services.notes import NewNote, NoteChange, NotesService
from cehrs_cards.services.review import ReviewService


def _undo_restores(kit, action):
    """Run `action`, check it changed something, undo, check every row is back."""
    before = kit.dump()
    result = action()
    assert kit.dump() != before, "the action changed nothing"
    got = kit.undo.undo()
    assert got is not None
    _step, changes = got
    assert changes.any
    assert kit.dump() == before
    return result


def _card(kit, card_id, column):
    return kit.sql(f"SELECT {column} FROM card WHERE id = ?", card_id)[0][0]


# ----- adding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields", "cards"),
    [("basic", {"Front": "Q", "Back": "A"}, 1),
     ("reversed", {"Front": "PHI", "Back": "Protected health information"}, 2),
     ("cloze", {"Text": "{{c1::HIPAA}} was enacted in {{c2::1996}}", "Back Extra": ""}, 2),
     ("mcq", {"Stem": "Which?", "A": "a", "B": "b", "C": "c", "D": "d", "Answer": "c",
              "Explanation": "Because."}, 1)],
)  # fmt: skip
def test_add_note_of_each_type_makes_its_cards_and_undo_removes_them(kit, kind, fields, cards):
    new = NewNote(kind, fields, ["class", "week1"], 4, "Mine::Notes")
    made = _undo_restores(kit, lambda: kit.edit.add_note(new))
    assert len(made) == cards
    made = kit.edit.add_note(new)
    rows = kit.browse.rows(made)
    assert [r.deck for r in rows] == ["Mine::Notes"] * cards
    assert {r.domain for r in rows} == {4} and {r.state for r in rows} == {CardState.NEW}
    assert rows[0].tags == "class week1"
    assert kit.ids("deck:Mine") == made
    if kind == "mcq":
        assert NotesService(kit.col).note_of_card(made[0]).fields["Answer"] == "C"


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [("basic", {"Front": "  ", "Back": "x"}, "'Front' is empty"),
     ("cloze", {"Text": "no deletion here"}, "at least one deletion"),
     ("mcq", {"Stem": "Q", "A": "a", "B": "b", "C": "", "D": "d", "Answer": "A"}, "Option C"),
     ("mcq", {"Stem": "Q", "A": "a", "B": "b", "C": "c", "D": "d", "Answer": "E"}, "letter"),
     ("reversed", {"Front": "x", "Back": ""}, "reversed card"),
     ("essay", {"Front": "x"}, "Unknown note type")],
)  # fmt: skip
def test_add_note_refuses_what_would_make_no_sensible_card(kit, kind, fields, message):
    before = kit.dump()
    with pytest.raises(EditError, match=message):
        kit.edit.add_note(NewNote(kind, fields, [], 1, "X"))
    assert kit.dump() == before and kit.undo.label() is None


def test_added_fields_are_sanitised(kit):
    (card,) = kit.add('<script>alert(1)</script><b onclick="x()">bold</b>')
    assert NotesService(kit.col).note_of_card(card).fields["Front"] == "<b>bold</b>"


# ----- editing ------------------------------------------------------------------------------


def test_save_note_sets_fields_tags_domain_and_deck_of_every_card(kit):
    note = NotesService(kit.col).note_of_card(2)  # the reversed MPI note: cards 2 and 3
    change = NoteChange(
        note.note_id, {"Front": "EMPI", "Back": "Enterprise MPI"}, ["mpi"], 3, "New"
    )
    _undo_restores(kit, lambda: kit.edit.save_note(change))
    kit.edit.save_note(change)
    rows = kit.browse.rows([2, 3])
    assert [r.question for r in rows] == ["EMPI", "Enterprise MPI"]
    assert {(r.domain, r.deck, r.tags) for r in rows} == {(3, "New", "mpi")}


def test_a_new_cloze_number_makes_a_new_card_and_undo_removes_it(kit):
    note = NotesService(kit.col).note_of_card(4)
    text = note.fields["Text"] + " Fines reach {{c3::$1.5M}}."
    change = NoteChange(note.note_id, {**note.fields, "Text": text}, [], 4, note.deck)
    _undo_restores(kit, lambda: kit.edit.save_note(change))
    kit.edit.save_note(change)
    assert len(NotesService(kit.col).note_of_card(4).card_ids) == 3
    assert kit.ids("nid:3 is:new") == [4, 5, 8]


def test_delete_removes_notes_with_cards_and_history_and_undo_brings_all_back(kit):
    review = ReviewService(kit.col)
    card = review.next_card()
    review.answer(card, Rating.GOOD)
    assert kit.sql("SELECT COUNT(*) FROM revlog")[0][0] == 1
    counts = _undo_restores(kit, lambda: kit.edit.delete_notes([card.card_id, 6]))
    note_ids = {card.note_id, 4}
    assert counts == (2, sum(len(kit.ids(f"nid:{n}")) for n in note_ids))


def test_suspend_bury_flag_and_their_undo(kit):
    _undo_restores(kit, lambda: kit.edit.set_suspended([1, 2], True))
    kit.edit.set_suspended([1, 2], True)
    assert kit.ids("is:suspended") == [1, 2]
    kit.edit.set_suspended([1], False)
    assert kit.ids("is:suspended") == [2]
    _undo_restores(kit, lambda: kit.edit.bury([3]))
    _undo_restores(kit, lambda: kit.edit.set_flag([4, 5], 3))
    with pytest.raises(EditError):
        kit.edit.set_flag([4], 9)


def test_reset_to_new_forgets_the_memory_state_but_keeps_history(kit):
    review = ReviewService(kit.col)
    card = review.next_card()
    review.answer(card, Rating.EASY)
    assert _card(kit, card.card_id, "state") != 0
    _undo_restores(kit, lambda: kit.edit.reset_to_new([card.card_id]))
    kit.edit.reset_to_new([card.card_id])
    assert kit.sql("SELECT state, stability, last_review, reps FROM card WHERE id = ?",
                   card.card_id) == [(0, None, None, 1)]  # fmt: skip
    # the answer stays; the reset is logged after it (Anki's Forget: manual, no button)
    assert [r[:2] for r in kit.sql("SELECT kind, rating FROM revlog ORDER BY id")] == [
        (0, 4),
        (4, 0),
    ]


def test_set_due_moves_studied_and_new_cards(kit, clock):
    review = ReviewService(kit.col)
    card = review.next_card()
    review.answer(card, Rating.GOOD)
    assert _card(kit, 7, "state") == 0
    moved = _undo_restores(kit, lambda: kit.edit.set_due([card.card_id, 7], "3"))
    assert moved == (2, 1)  # both moved, one of them new (as Anki's Set due date)
    kit.edit.set_due([card.card_id, 7], "3")
    assert kit.ids("prop:due=3") == sorted([card.card_id, 7])
    assert _card(kit, 7, "state") == 1 and _card(kit, card.card_id, "state") != 0
    kit.edit.set_due([7], "0")
    assert kit.ids("is:due") == [7]  # a new card set due today is studied today
    kit.edit.set_due([card.card_id], "0")
    assert kit.ids("is:due") == sorted([card.card_id, 7])
    kit.edit.set_due([card.card_id], "5-9")
    assert kit.ids("prop:due>=5 prop:due<=9") == [card.card_id]


@pytest.mark.parametrize(
    ("spec", "days"), [("0", (0, 0)), ("1", (1, 1)), (" 3-7 ", (3, 7)), ("2!", (2, 2))]
)
def test_due_date_specs(spec, days):
    assert parse_days(spec) == days


@pytest.mark.parametrize("spec", ["", "x", "-1", "7-3", "1-x", "99999"])
def test_bad_due_date_specs_are_refused(spec):
    with pytest.raises(EditError):
        parse_days(spec)


def test_change_deck_creates_the_deck_and_undo_removes_the_move(kit):
    _undo_restores(kit, lambda: kit.edit.change_deck([1, 6], "Review::Hard"))
    kit.edit.change_deck([1, 6], "Review::Hard")
    assert kit.ids("deck:Review") == [1, 6]
    with pytest.raises(EditError):
        kit.edit.change_deck([1], "  ")


def test_change_domain_applies_to_every_card_of_the_selected_notes(kit):
    count = _undo_restores(kit, lambda: kit.edit.change_domain([2, 7], 4))
    assert count == 3  # card 3 is the other card of card 2's note
    kit.edit.change_domain([2, 7], 4)
    assert kit.ids("domain:4") == [2, 3, 4, 5, 7]
    with pytest.raises(EditError):
        kit.edit.change_domain([1], 6)


def test_add_and_remove_tags(kit):
    _undo_restores(kit, lambda: kit.edit.add_tags([1, 2], ["exam", "week2"]))
    kit.edit.add_tags([1, 2], ["exam", "week2"])
    assert kit.ids("tag:exam") == [1, 2, 3]
    kit.edit.remove_tags([2], ["EXAM"])
    assert kit.ids("tag:exam") == [1] and kit.ids("tag:week2") == [1, 2, 3]


def test_find_and_replace_plain_regex_field_and_scope(kit):
    count = _undo_restores(kit, lambda: kit.edit.find_replace(None, "claim", "bill"))
    assert count == 1
    assert kit.edit.find_replace([6], "CMS-(\\d+)", "Form \\1", regex=True) == 1
    assert kit.ids('"Form 1500"') == [6]
    assert kit.edit.find_replace(None, "index", "list", field="front") == 0
    assert kit.edit.find_replace(None, "index", "list", field="back") == 1
    assert kit.edit.find_replace([1], "stay", "x") == 0  # card 7's note is not in scope
    assert kit.edit.find_replace(None, "CPOE", "c.p.o.e", ignore_case=False) == 1
    assert kit.edit.find_replace(None, "$", "\\1") == 0  # literal text, not a pattern
    with pytest.raises(EditError, match="regular expression"):
        kit.edit.find_replace(None, "(", "x", regex=True)


def test_saved_searches(kit):
    kit.browse.save_search("Weak", "prop:r<0.8")
    kit.browse.save_search("Leeches", "is:leech")
    assert kit.browse.saved_searches() == {"Leeches": "is:leech", "Weak": "prop:r<0.8"}
    kit.browse.delete_search("Weak")
    assert kit.browse.sidebar().saved == {"Leeches": "is:leech"}
    with pytest.raises(Exception, match="never closed"):
        kit.browse.save_search("Bad", '"open')
    assert kit.col.settings().leech_lapses == 8  # the typed settings are untouched


def test_sidebar_lists_decks_tags_and_note_types(kit):
    kit.add("x", tags=["b::c", "A"])
    side = kit.browse.sidebar()
    assert side.decks == ["CEHRS", "CEHRS::Mini", "Extra"]
    assert side.tags == ["A", "b::c"]
    assert "Cloze" in side.notetypes


# ----- card info and leeches -------------------------------------------------------------------


def test_card_info_has_the_whole_history_with_fsrs_memory_over_time(kit, clock):
    review = ReviewService(kit.col)
    first = review.next_card()
    target = first.card_id
    for rating, days in ((Rating.GOOD, 0), (Rating.GOOD, 1), (Rating.AGAIN, 5), (Rating.GOOD, 1)):
        clock.advance(timedelta(days=days))
        review.answer(review.study_card(target), rating)
    clock.advance(timedelta(days=2))
    info = browse_info.card_info(kit.col, target)
    assert [h.rating for h in info.history] == [3, 3, 1, 3]
    assert info.history[0].r_before is None and info.history[0].state_before == CardState.NEW
    assert all(h.stability and h.difficulty for h in info.history)
    later = info.history[2]
    assert later.elapsed_days == pytest.approx(5.0)
    expected = browse_info.retrievability(5, info.history[1].stability, 0.1542)
    assert later.r_before == pytest.approx(expected)
    assert info.retrievability == pytest.approx(kit.browse.rows([target])[0].retrievability)
    assert info.curve[0] == (info.history[0].at, 1.0)
    assert info.curve[-1][0] == kit.col.now()
    assert all(0 < r <= 1 for _, r in info.curve)
    assert info.lapses == 1 and info.history[2].state_before == CardState.REVIEW


def test_leeches_are_listed_tagged_once_and_untagged_by_undo(kit):
    kit.sql("UPDATE card SET lapses = 8 WHERE id IN (1, 6)")
    kit.sql("UPDATE card SET lapses = 7 WHERE id = 2")
    threshold, found = browse_info.leeches(kit.col)
    assert threshold == 8 and [lch.card_id for lch in found] == [1, 6]
    assert browse_info.LEECH_ADVICE.format(n=8).startswith("These cards were forgotten 8")
    before = kit.dump()
    tagged = browse_info.tag_leeches(kit.col)
    kit.undo.push(tagged.undo)
    assert tagged.value == 2
    assert kit.ids("tag:leech") == [1, 6]
    assert browse_info.tag_leeches(kit.col).value == 0
    kit.undo.undo()
    assert kit.dump() == before


def test_one_row_per_note_keeps_the_order_and_shows_the_front_card(kit):
    rev = kit.add("Front side", "Back side", kind="reversed", deck="Rev")
    other = kit.add("Another", deck="Rev")
    in_order = [rev[1], other[0], rev[0]]  # a sort that put the reverse card first
    assert kit.browse.one_per_note(in_order) == [rev[0], other[0]]  # note order, front card
    assert kit.browse.one_per_note([rev[1]]) == [rev[1]]  # only the reverse matched
    assert kit.browse.one_per_note([999_999, other[0]]) == [other[0]]  # a deleted card
    assert kit.browse.cards_of_notes([rev[1]]) == sorted(rev)
    assert kit.browse.cards_of_notes([]) == []
