"""The search language, case by case: what each query means (Anki's grammar), and clear
errors for the queries Anki refuses. Cases follow Anki's manual and its parser's tests."""

from __future__ import annotations

import re

import pytest

from cehrs_cards.core import search as q
from cehrs_cards.core.search import ANY, ONE, SearchError, parse


def t(text: str, mode: q.TextMode = "plain") -> q.Text:
    return q.Text(q.Pattern(tuple(text)), mode)


def p(text: str) -> q.Pattern:
    return q.pattern(text)


def test_empty_and_blank_queries_mean_every_card():
    assert parse("") == q.All()
    assert parse("   \t\u3000 ") == q.All()


@pytest.mark.parametrize("query", ["foo\u00a0bar", "foo\tbar", "foo\nbar", "  foo   bar  "])
def test_every_kind_of_space_separates_terms(query):
    assert parse(query) == q.And((t("foo"), t("bar")))


def test_and_or_not_and_groups():
    assert parse("dog cat") == parse("dog and cat") == parse("dog AND cat")
    assert parse("dog or cat") == q.Or((t("dog"), t("cat")))
    assert parse("a b or c") == q.Or((q.And((t("a"), t("b"))), t("c")))
    assert parse("dog (cat or mouse)") == q.And((t("dog"), q.Or((t("cat"), t("mouse")))))
    assert parse("-(cat or mouse)") == q.Not(q.Or((t("cat"), t("mouse"))))
    assert parse('-"a dog"') == q.Not(t("a dog"))
    assert parse("((a))") == t("a")
    assert parse('hello -(world and "foo:bar baz") OR test') == q.Or(
        (
            q.And(
                (t("hello"), q.Not(q.And((t("world"), q.Field(p("foo"), "glob", p("bar baz"))))))
            ),
            t("test"),
        )
    )


def test_spaces_are_optional_where_terms_are_clearly_apart():
    assert parse('a"b"(c)') == parse("a b (c)")
    assert parse('hipaa"breach"') == q.And((t("hipaa"), t("breach")))  # two terms, as Anki


def test_minus_signs():
    assert parse("-") == parse(r"\-") == t("-")
    assert parse("A-") == parse(r"A\-")
    assert parse('"-A"') == parse(r"\-A") == t("-A")
    assert parse("-A") == q.Not(t("A"))
    assert parse("--hipaa") == q.Not(t("-hipaa"))  # not the text "-hipaa", as Anki
    assert parse("-" * 600 + "x") == q.Not(t("-" * 599 + "x"))  # no deep nesting from minus signs


def test_escapes():
    assert parse(r"\"\:\(\)\-") == t('":()-')
    assert parse(r"\\\*\_") == t("\\*_")  # literal backslash, star and underscore
    assert parse("d*g") == q.Text(q.Pattern(("d", ANY, "g")))
    assert parse("d_g") == q.Text(q.Pattern(("d", ONE, "g")))
    assert parse(r'"\)\("') == parse('")("')
    assert parse("field:val:ue") == parse(r"field:val\:ue") == parse('"field:val:ue"')
    assert parse('"field:va\\"lue"') == parse('field:"va\\"lue"') == parse('field:va\\"lue')
    assert parse("3\\:30") == t("3:30")
    assert parse("w:3:30") == q.Text(p("3:30"), "word")


def test_quoted_words_and_or_are_text():
    assert parse('dog "and" cat') == q.And((t("dog"), t("and"), t("cat")))


def test_raw_input_after_re():
    assert parse(r'"re:\btest\%"') == q.Regex(r"\btest\%")
    assert parse(r"re:te\"st") == q.Regex('te"st')
    assert parse('"re:(?-i)HIPAA"') == q.Regex("(?-i)HIPAA")
    assert parse("re:\\d{3}") == q.Regex("\\d{3}")


def test_fields():
    assert parse("front:dog") == q.Field(p("front"), "glob", p("dog"))
    assert parse("front:") == q.Field(p("front"), "glob", q.Pattern(()))
    assert parse('"animal front:a dog"') == q.Field(p("animal front"), "glob", p("a dog"))
    assert parse("fr*:text") == q.Field(p("fr*"), "glob", p("text"))
    assert parse("*:HIPAA*") == q.Field(p("*"), "glob", p("HIPAA*"))
    assert parse("back*:*Reporting") == q.Field(p("back*"), "glob", p("*Reporting"))
    assert parse('"back extra:Domain*"') == q.Field(p("back extra"), "glob", p("Domain*"))
    assert parse("front:re:^hipaa") == q.Field(p("front"), "re", q.Pattern(()), "^hipaa")
    assert parse("foo:nc:bar") == q.Field(p("foo"), "nc", p("bar"))


def test_tags_decks_note_types_and_templates():
    assert parse("tag:animal") == q.Tag(p("animal"))
    assert parse("tag:none") == q.Tag(q.Pattern(()))
    assert parse("tag:re:^parent$") == q.Tag(q.Pattern(()), "^parent$")
    assert parse('tag:"a b"') == q.Nothing()  # tags never contain spaces
    assert parse('deck:"french words"') == parse('"deck:french words"') == q.Deck(p("french words"))
    assert parse("note:basic") == q.NoteType(p("basic"))
    assert parse("card:3") == q.Template(2)
    assert parse("card:0") == q.Template(0)
    assert parse("card:forward") == q.Template(None, p("forward"))
    assert parse('"card:Card 2"') == q.Template(None, p("Card 2"))
    assert parse("mid:123") == q.NoteTypeId(123)
    assert parse("dupe:123,hello") == q.Dupe(123, "hello")
    assert parse('preset:"Default"') == q.Preset("Default")


def test_text_modes():
    assert parse("w:dog*") == q.Text(p("dog*"), "word")
    assert parse("nc:uber") == t("uber", "nc")
    assert parse('"sc:capital of France"') == t("capital of France", "sc")


def test_states_flags_and_ids():
    assert parse("is:due") == q.Is("due")
    assert parse("is:buried-manually") == q.Is("buried-manually")
    assert parse("flag:7") == q.Flag(7)
    assert parse("nid:1237123712,2,3") == q.Ids("note", (1237123712, 2, 3))
    assert parse("cid:5") == q.Ids("card", (5,))


def test_properties_and_dates():
    assert parse("prop:ivl>3") == q.Prop("ivl", ">", 3)
    assert parse("prop:due<=-1") == q.Prop("due", "<=", -1)
    assert parse("prop:d>0.3") == q.Prop("d", ">", 0.3)
    assert parse("prop:rated=-7") == q.RatedOn("=", -7)
    assert parse("prop:rated=-1:2") == q.RatedOn("=", -1, 2)
    assert parse("prop:resched=0") == q.RatedOn("=", 0, None, True)
    assert parse("rated:0") == parse("rated:1") == q.Since("rated", 1)  # 0 reads as 1
    assert parse("rated:7:1") == q.Since("rated", 7, 1)
    assert parse("added:0") == q.Since("added", 1)
    assert parse("introduced:365") == q.Since("introduced", 365)


@pytest.mark.parametrize(
    ("query", "message"),
    [("foo and", "'and' needs"), ("and foo", "'and' needs"), ("or", "'or' needs"),
     ("()", "empty"), ("(foo () bar)", "empty"), (")", "Unexpected ')'"),
     ("(foo) bar)", "Unexpected ')'"), ("(", "never closed"), ("(foo (bar)", "never closed"),
     ('""', "Empty quotes"), ('foo:""', "Empty quotes"), ('" ', "never closed"),
     ('foo:"bar', "never closed"), (":", "starts with ':'"), (":foo", "starts with ':'"),
     ('":foo"', "starts with ':'"), ("\\", "single \\"), ("foo\\", "single \\"),
     ("\\%", "Unknown escape"), ("\\hipaa", "Unknown escape"), ('"\\ "', "Unknown escape"),
     ("nid:1_2,3", "digits and commas"), ("nid:1,2,", "digits and commas"),
     ("cid:,2,3", "digits and commas"), ("is:foo", "Unknown 'is:foo'"),
     ("is:DUE", "Unknown 'is:DUE'"), ("is:New", "Unknown"), ("is:", "Unknown"),
     ('"is:learn "', "Unknown"), ("flag:-0", "flag:0"), ("flag:8", "flag:0"),
     ("flag:1.1", "flag:0"), ("flag:", "flag:0"), ("added:1.1", "whole number"),
     ("edited:-1", "whole number"), ("rated:foo", "whole number"), ("resched:", "whole number"),
     ("rated:1:", "answer must be 1-4"), ("rated:2:-1", "1-4"), ("rated:0:foo", "1-4"),
     ("dupe:", "note type id"), ("dupe:foo", "note type id"), ("dupe:1", "comma"),
     ("prop:", "Unknown property"), ("prop:=1", "Unknown property"),
     ("prop:DUE<5", "Unknown property"), ("prop:lapses", "comparison"),
     ("prop:pos~1", "comparison"),
     ("prop:ivl>3.5", "whole number"), ("prop:reps!=-1", "whole number"),
     ("prop:due=0.5", "whole number"), ("prop:d>", "needs a number"),
     ("prop:rated=1", "0 or a negative"), ("prop:ease!=2.5", "FSRS"),
     ("prop:cdn:d>5", "custom card data"), ("has-cd:v", "custom card data"),
     ("re:", "regular expression"), ("-and", "cannot be negated"),
     ("(" * 41 + "a" + ")" * 41, "nested too deeply")],
)  # fmt: skip
def test_queries_anki_refuses_are_refused_with_a_message_naming_the_problem(query, message):
    with pytest.raises(SearchError, match=re.escape(message)):
        parse(query)


@pytest.mark.parametrize(
    ("query", "domain"),
    [("domain:1", 1), ("domain:5", 5), ("domain:0", 0), ("domain:unassigned", 0),
     ("domain:reporting", 5), ('domain:"Revenue Cycle"', 3), ("domain:clin", 2)],
)  # fmt: skip
def test_domain_by_number_or_name(query, domain):
    assert parse(query) == q.Domain(domain)


def test_long_queries_are_refused_before_any_work():
    with pytest.raises(SearchError, match="too long"):
        parse("a " * 3000)


def test_quote_makes_any_text_a_literal_term():
    for text in ['a "b" c', "x*y_z", "back\\slash", "colon: here", "(brackets)", "-minus"]:
        node = parse("deck:" + q.quote(text))
        assert node == q.Deck(q.Pattern(tuple(text)))
