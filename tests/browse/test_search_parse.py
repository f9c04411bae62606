"""The search language, case by case: what each query means, and clear errors for bad ones."""

from __future__ import annotations

import pytest

from cehrs_cards.core import search as q
from cehrs_cards.core.search import ANY, ONE, SearchError, parse


def t(text: str) -> q.Text:
    return q.Text(q.Pattern(tuple(text)))


def test_empty_and_blank_queries_mean_every_card():
    assert parse("") == q.All()
    assert parse("   \t ") == q.All()


def test_plain_words_must_all_match():
    assert parse("hipaa breach") == q.And((t("hipaa"), t("breach")))
    assert parse("hipaa and breach") == parse("hipaa breach")
    assert parse("hipaa AND breach") == parse("hipaa breach")


def test_quoted_phrase_is_one_term_with_its_spaces():
    assert parse('"minimum necessary"') == t("minimum necessary")
    assert parse('"a \\" b"') == t('a " b')


def test_negation_of_words_groups_and_qualified_terms():
    assert parse("-leech") == q.Not(t("leech"))
    assert parse("-tag:leech") == q.Not(q.Tag(q.Pattern(tuple("leech"))))
    assert parse("-(a or b)") == q.Not(q.Or((t("a"), t("b"))))
    assert parse('-"x y"') == q.Not(t("x y"))
    assert parse("a-b") == t("a-b")  # a hyphen inside a word is text
    assert parse("- a") == q.And((t("-"), t("a")))  # a lone dash is text too


def test_or_binds_looser_than_and_and_brackets_group():
    assert parse("a b or c") == q.Or((q.And((t("a"), t("b"))), t("c")))
    assert parse("a (b or c)") == q.And((t("a"), q.Or((t("b"), t("c")))))
    assert parse("a OR b or c") == q.Or((t("a"), t("b"), t("c")))
    assert parse("((a))") == t("a")


def test_wildcards_and_escapes():
    assert parse("d*g") == q.Text(q.Pattern(("d", ANY, "g")))
    assert parse("d_g") == q.Text(q.Pattern(("d", ONE, "g")))
    assert parse(r"100\%\_\*") == t("100%_*")
    assert parse(r"a\:b") == t("a:b")
    assert parse(r"\(x\)") == t("(x)")


def test_field_search_keeps_the_field_name_and_pattern():
    assert parse("front:CPOE*") == q.Field("front", q.Pattern((*"CPOE", ANY)))
    assert parse('back:"two words"') == q.Field("back", q.Pattern(tuple("two words")))
    assert parse("Front:") == q.Field("front", q.Pattern(()))


def test_quoted_text_with_a_colon_is_a_phrase_unless_it_names_a_keyword():
    assert parse('"deck:My Deck"') == q.Deck(q.Pattern(tuple("My Deck")))
    assert parse('"Note: bring ID"') == t("Note: bring ID")
    assert parse('"ratio:3"') == t("ratio:3")


def test_tag_deck_and_note_type():
    assert parse("tag:leech") == q.Tag(q.Pattern(tuple("leech")))
    assert parse("tag:none") == q.Tag(q.Pattern(()))
    assert parse("deck:CEHRS::Mini") == q.Deck(q.Pattern(tuple("CEHRS::Mini")))
    assert parse("note:cloze") == q.NoteType(q.Pattern(tuple("cloze")))


@pytest.mark.parametrize(
    ("query", "domain"),
    [("domain:1", 1), ("domain:5", 5), ("domain:0", 0), ("domain:unassigned", 0),
     ("domain:reporting", 5), ('domain:"Revenue Cycle"', 3), ("domain:clin", 2),
     ("domain:d4", 4)],
)  # fmt: skip
def test_domain_by_number_or_name(query, domain):
    assert parse(query) == q.Domain(domain)


def test_is_flag_and_ids():
    assert [parse(f"is:{v}") for v in q.IS_VALUES] == [q.Is(v) for v in q.IS_VALUES]
    assert parse("is:NEW") == q.Is("new")
    assert parse("flag:2") == q.Flag(2)
    assert parse("cid:12,15") == q.Ids("card", (12, 15))
    assert parse("nid:3") == q.Ids("note", (3,))


@pytest.mark.parametrize(
    ("query", "prop"),
    [("prop:r<0.8", q.Prop("r", "<", 0.8)), ("prop:lapses>3", q.Prop("lapses", ">", 3)),
     ("prop:ivl>=10", q.Prop("ivl", ">=", 10)), ("prop:s<=2.5", q.Prop("s", "<=", 2.5)),
     ("prop:d=5", q.Prop("d", "=", 5)), ("prop:reps!=0", q.Prop("reps", "!=", 0)),
     ("prop:due<=-1", q.Prop("due", "<=", -1)), ("prop:interval>1", q.Prop("ivl", ">", 1))],
)  # fmt: skip
def test_properties(query, prop):
    assert parse(query) == prop


def test_rated_added_edited():
    assert parse("rated:7") == q.Since("rated", 7)
    assert parse("rated:2:1") == q.Since("rated", 2, 1)
    assert parse("added:1") == q.Since("added", 1)
    assert parse("edited:30") == q.Since("edited", 30)


@pytest.mark.parametrize(
    ("query", "message"),
    [('"open', "never closed"), ("front:\"x", "never closed"), ("(a b", "never closed"),
     ("a )", "Unexpected ')'"), (")", "Unexpected ')'"), ("()", "empty"),
     ("a or", "both sides"), ("or a", "both sides"), ("a and", "both sides"),
     ("(a or)", "both sides"), ("-", None), ("a -", None),
     ("is:nothing", "Unknown 'is:nothing'"), ("domain:9", "Unknown domain"),
     ("domain:x", "Unknown domain"), ("flag:7", "flag:0"), ("prop:r", "prop:r<0.8"),
     ("prop:zz>1", "properties"), ("prop:r<x", "needs a number"), ("prop:due<1.5", "whole days"),
     ("rated:x", "number of days"), ("rated:0", "number of days"), ("rated:1:9", "rating of 1-4"),
     ("added:1:2", "rating of 1-4"), ("cid:x", "ids separated"), ("tag:", "needs a value"),
     ("deck:", "needs a value"), ("x" * 3000, "too long")],
)  # fmt: skip
def test_bad_syntax_gives_a_clear_error(query, message):
    if message is None:  # a lone or trailing dash is plain text, not an error
        parse(query)
        return
    with pytest.raises(SearchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(query)


@pytest.mark.parametrize(
    "hostile",
    ["'; DROP TABLE card; --", "\" OR 1=1 --", "tag:'); DELETE FROM note; --",
     "deck:\"x' OR '1'='1\"", "NEAR(a b)", "a* OR b^", "café 日本語 🩺", "\u202etxet",
     "zero\u200bwidth", "nul\x00byte", "%_%", "\\"],
)  # fmt: skip
def test_hostile_input_parses_into_plain_values_or_a_search_error(hostile):
    try:
        node = parse(hostile)
    except SearchError as exc:
        assert str(exc)  # a message for the user, never another exception
        return
    assert node != q.All()


def test_sql_fragments_stay_text():
    assert parse("'; DROP TABLE card; --") == q.And(
        (t("';"), t("DROP"), t("TABLE"), t("card;"), q.Not(t("-")))
    )
    assert parse('"\'; DROP TABLE card; --"') == t("'; DROP TABLE card; --")


def test_unicode_is_kept_as_written():
    assert parse("café") == t("café")
    assert parse('"日本語 テスト"') == t("日本語 テスト")


def test_pattern_like_escapes_like_metacharacters():
    pat = parse(r"50\%\_off*").pat
    assert pat.like() == "50\\%\\_off%"
    assert pat.like(anywhere=True) == "%50\\%\\_off%%"
    assert q.Pattern(tuple("a\\b")).like() == "a\\\\b"
    assert pat.chunks() == ["50%_off"]


def test_quote_round_trips_any_text():
    for text in ["My Deck", 'say "hi"', "a*b_c:d\\e", "Heavy::Reporting"]:
        assert parse(q.quote(text)) == t(text)
