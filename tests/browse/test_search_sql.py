"""Search trees as SQL, case by case, run on a real collection file (tests/fixtures/decks).

Mini deck: card 1 CPOE (domain 2), cards 2-3 MPI reversed (domain 1), cards 4-5 breach cloze
(domain 4), card 6 claim-form MCQ (domain 3), card 7 length of stay (domain 5).
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from cehrs_cards.core import search as q
from cehrs_cards.core.records import Rating
from cehrs_cards.core.search import SearchError
from cehrs_cards.db import search_sql
from cehrs_cards.db.engine import open_engine
from cehrs_cards.db.search_sql import NoteTypeInfo, SearchContext, translate
from cehrs_cards.db.search_where import Translator
from cehrs_cards.db.timefmt import to_db
from cehrs_cards.services.review import ReviewService

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
CTX = SearchContext(
    NOW, NOW - timedelta(hours=8), NOW + timedelta(hours=16), NOW + timedelta(minutes=20),
    notetypes=(NoteTypeInfo(1, "Basic", "basic", ("Front", "Back"), ("Card 1",)),),
)  # fmt: skip
ALL = [1, 2, 3, 4, 5, 6, 7]
HOSTILE = [
    "'; DROP TABLE card; --",
    '"\'; DROP TABLE card; --"',
    '"x\'); DELETE FROM note; --"',
    "deck:\"x' OR '1'='1\"",
    "tag:a'b",
    "front:*' OR 1=1 --*",
    '"a"" OR ""b"',
    "NEAR(a b) OR c*",
    "%' UNION SELECT sql FROM sqlite_master --",
    "café 日本語 🩺",
    "\u202eevil",
    "note:x' OR '1",
]


# ----- translation (no database) ---------------------------------------------------------------


@pytest.mark.parametrize("query", HOSTILE)
def test_user_text_only_ever_reaches_sql_as_parameters(query):
    sql, params = translate(q.parse(query), CTX)
    user_values = [v for k, v in params.items() if k.startswith("p") and isinstance(v, str)]
    assert user_values, "the user's text is bound"
    for word in ("DROP", "DELETE", "UNION", "OR 1=1", "'1'='1", "🩺", "\u202e", "a'b"):
        if word in query:
            assert word not in sql
    fixed = sql.replace("'\\'", "").replace("' '", "").replace("''", "")
    assert "'" not in fixed  # quotes only in our own literals: ESCAPE '\\', ' ' and ''


def test_plain_words_share_one_index_lookup_and_short_words_scan_with_a_regex():
    sql, params = translate(q.parse("order form"), CTX)
    assert sql.count("note_fts MATCH") == 1 and "cc_match" not in sql
    trigrams = '"ord" AND "der" AND "for" AND "orm"'  # each word covered; then the text
    assert trigrams in params.values() and "%order%" in params.values()
    _, params = translate(q.parse('"order form"'), CTX)  # a phrase: its pieces across words
    assert '"ord" AND "er " AND "r f" AND " fo" AND "for" AND "orm"' in params.values()
    sql, params = translate(q.parse("ID"), CTX)
    assert "MATCH" not in sql and "(?is)ID" in params.values()
    sql, params = translate(q.parse("cl*im"), CTX)  # wildcards: the regex decides
    assert "MATCH" not in sql and "cc_match" in sql


def test_fts_operators_in_user_text_are_quoted_literals():
    _, params = translate(q.parse('"say \\"a\\" OR b"'), CTX)
    match = next(v for v in params.values() if isinstance(v, str) and " AND " in v)
    grams = ["say", "ay ", 'y "', ' "a', '"a"', 'a" ', '" O', " OR", "OR ", "R b"]  # across words
    # each trigram an FTS5 string (quote doubled), joined by AND: nothing else is syntax
    assert match == " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)
    _, params = translate(q.parse("ANDNOT"), CTX)  # two operators, as trigrams
    assert '"AND" AND "NOT"' in params.values()


def test_unknown_field_is_a_clear_error():
    with pytest.raises(SearchError, match="No note type has a field called 'frnt'"):
        translate(q.parse("frnt:x"), CTX)


def test_sort_column_must_be_known():
    with pytest.raises(ValueError, match="unknown sort"):
        search_sql.select_sql("1", "id; DROP TABLE card", False)


# ----- on a real collection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "cards"),
    [("", ALL), ("CPOE", [1]), ("cpoe", [1]), ("omputeriz", [1]),
     ("claim form", [6]), ("claim stay", []), ('"provider order"', [1]),
     ('"order provider"', []), ("-CPOE", [2, 3, 4, 5, 6, 7]), ("CPOE or MPI", [1, 2, 3]),
     ("(CPOE or MPI) -master", [1]), ("60", [4, 5]), ("J4", [6]), ("cl*im", [6]),
     ("disc_very", [4, 5]), ("discovery", [4, 5]), ("Front:MPI", [2, 3]), ("front:mp", []),
     ("front:*CPOE*", [1]), ("back:*order*", [1]), ("text:*breach*", [4, 5]),
     ("a:CMS-1500", [6]), ("deck:CEHRS", ALL), ("deck:cehrs::mini", ALL),
     ("deck:Mini", []), ("deck:*Mini", ALL), ("domain:2", [1]),
     ("domain:regulatory", [4, 5]), ("domain:1 or domain:5", [2, 3, 7]),
     ("note:cloze", [4, 5]), ("note:Multiple*", [6]), ("cid:3,7", [3, 7]), ("nid:2", [2, 3]),
     ("is:new", ALL), ("is:review", []), ("flag:0", ALL)],
)  # fmt: skip
def test_queries_on_the_mini_deck(kit, query, cards):
    assert sorted(kit.ids(query)) == cards


@pytest.mark.parametrize("query", [*HOSTILE, '" OR 1=1 --', "tag:'); DELETE FROM note; --"])
def test_hostile_searches_change_nothing_and_find_literal_text(kit, query):
    before = kit.dump()
    try:
        found = kit.ids(query)
    except SearchError:
        found = None
    assert kit.dump() == before
    if query != "NEAR(a b) OR c*":  # the one that is a real search (c* matches)
        assert found in (None, [])


def test_sql_fragments_stored_in_a_note_are_found_as_text(kit):
    nasty = 'Robert\'); DROP TABLE card; -- "quoted" 100% _x_'
    (card,) = kit.add(nasty)
    assert kit.ids('"DROP TABLE card; --"') == [card]
    assert kit.ids('"\'); DROP"') == [card]
    assert kit.ids("100%") == [card]  # % is no wildcard (Anki refuses \\%)
    assert kit.ids(r"\_x\_") == [card]
    assert kit.ids('"\\"quoted\\""') == [card]
    assert kit.sql("SELECT COUNT(*) FROM card")[0][0] == 8


def test_unicode_text_matches_in_any_case(kit):
    (card,) = kit.add("Café naïve 日本語 テスト", "ΣΊΣΥΦΟΣ")
    for query in ("café", "CAFÉ", "日本語", "日本", "テスト", "σίσυφος", "naïve"):
        assert kit.ids(query) == [card], query


def test_tags_match_whole_tags_and_children(kit):
    a = kit.add("alpha", tags=["hipaa"])
    b = kit.add("beta", tags=["hipaa::privacy", "x"])
    c = kit.add("gamma", tags=["hipaaish"])
    assert sorted(kit.ids("tag:hipaa")) == a + b
    assert kit.ids("tag:hipaa::privacy") == b
    assert sorted(kit.ids("tag:hipaa*")) == a + b + c
    assert kit.ids("tag:HIPAAISH") == c
    assert len(kit.ids("tag:none")) == 7
    assert sorted(kit.ids("-tag:none")) == a + b + c


def test_plain_ascii_tags_are_matched_in_sql_exactly_as_by_the_regex(kit):
    """A plain ASCII tag is looked for with SQLite's LIKE on notes whose tags are plain
    ASCII; any other note's tags go through the regex, whose case folding LIKE lacks (the
    Kelvin sign is a capital k to Python, not to LIKE)."""
    heavy = kit.add("a", tags=["heavy"])
    child = kit.add("b", tags=["HEAVY::sub"])
    mixed = kit.add("c", tags=["café", "Heavy"])
    kelvin = kit.add("d", tags=["\u212aelvin"])
    longer = kit.add("e", tags=["heavyweight", "x_y"])
    other = kit.add("f", tags=["xzy"])
    with kit.col.plain_transaction() as s:  # a tab between tags, as a hand-edited file may hold
        s.connection().exec_driver_sql(
            "UPDATE note SET tags = 'x' || char(9) || 'heavy' "
            "WHERE id = (SELECT note_id FROM card WHERE id = ?)",
            (other[0],),
        )
    assert sorted(kit.ids("tag:heavy")) == heavy + child + mixed + other
    assert sorted(kit.ids("tag:heavy::sub")) == child
    assert kit.ids("tag:kelvin") == kelvin
    assert kit.ids("tag:café") == mixed
    assert kit.ids(r"tag:x\_y") == longer
    assert sorted(kit.ids("tag:x_y")) == longer
    assert kit.ids('tag:"heavy heavyweight"') == []
    every = kit.ids("")
    assert sorted(kit.ids("-tag:heavy")) == sorted(set(every) - set(heavy + child + mixed + other))


@pytest.mark.parametrize(
    ("query", "joined"),
    [
        ("breach", True),
        ("breach ALERT", True),
        ('"breach alert"', True),
        ("w:breach", True),
        ("-breach", False),
        ("-bre", False),  # the index alone answers its one trigram
        ("-ab", False),  # a scan
        ("-w:breach", False),
        ("breach tag:x", False),
        ("ab", False),  # too short for the index: a scan
    ],
)
def test_a_search_of_plain_words_joins_the_index_and_finds_the_same(kit, query, joined):
    """Plain words alone are looked up with the index joined in the FROM; the same cards in
    the same order as through the list of the index's notes (translate, select_sql)."""
    kit.add("Breach alert <b>now</b>", tags=["x"])
    kit.add("breach", "alert")
    kit.add("abc &amp; breachalert")
    with kit.col.read() as s:
        ctx = kit.browse.context(s, query)
        t = Translator(ctx)
        where = t.root(q.parse(query))
        sql = search_sql.select_sql(where, "created", True, t.joined)
        old_where, params = translate(q.parse(query), ctx)
        con = search_sql.raw(s)
        got = [r[0] for r in con.execute(sql, t.params)]
        expected = [
            r[0] for r in con.execute(search_sql.select_sql(old_where, "created", True), params)
        ]
    assert t.joined is joined and sql.startswith("SELECT c.id FROM note_fts f") is joined
    assert got == expected == kit.ids(query, desc=True)
    if query.startswith("-"):  # the notes holding it looked up first: every card of the others
        found = set(kit.ids(query[1:]))
        assert found and got == [c for c in kit.ids("", desc=True) if c not in found]


def test_text_index_follows_edits_deletes_and_undo(kit):
    (card,) = kit.add("zebra crossing")
    assert kit.ids("zebra") == [card]
    note = kit.notes.note_of_card(card)
    from cehrs_cards.services.notes import NoteChange

    kit.edit.save_note(NoteChange(note.note_id, {"Front": "giraffe", "Back": "x"}, [], 1, "Extra"))
    assert kit.ids("zebra") == [] and kit.ids("giraffe") == [card]
    kit.edit.delete_notes([card])
    assert kit.ids("giraffe") == []
    kit.undo.undo()
    assert kit.ids("giraffe") == [card]
    kit.undo.undo()
    assert kit.ids("zebra") == [card] and kit.ids("giraffe") == []


def _study(kit, ratings):
    """Answer the next new cards; {card id: rating}."""
    review = ReviewService(kit.col)
    done = {}
    for rating in ratings:
        card = review.next_card()
        review.answer(card, rating)
        done[card.card_id] = rating
    return done


def test_card_states_properties_and_dates(kit, clock):
    done = _study(kit, [Rating.GOOD, Rating.AGAIN, Rating.EASY])
    touched = sorted(done)
    assert sorted(kit.ids("rated:1")) == touched and len(touched) == 3
    assert kit.ids("rated:1:1") == [i for i, r in done.items() if r == Rating.AGAIN]
    assert kit.ids("rated:1:4") == [i for i, r in done.items() if r == Rating.EASY]
    assert sorted(kit.ids("-is:new")) == touched
    assert set(kit.ids("is:learn")) | set(kit.ids("is:review")) == set(touched)
    assert sorted(kit.ids("prop:reps=1")) == touched
    clock.advance(timedelta(days=3))
    assert kit.ids("rated:1") == [] and len(kit.ids("rated:4")) == 3
    assert kit.ids("added:3") == [] and len(kit.ids("added:4")) == 7
    assert len(kit.ids("edited:4")) == 7


def test_suspended_buried_flagged_due_and_leech(kit):
    kit.edit.set_suspended([1], True)
    kit.edit.bury([2])
    kit.edit.set_flag([3], 2)
    kit.sql("UPDATE card SET lapses = 9 WHERE id = 4")
    assert kit.ids("is:suspended") == [1]
    assert kit.ids("is:buried") == [2]
    assert kit.ids("is:flagged") == [3] and kit.ids("flag:2") == [3]
    assert kit.ids("is:leech") == [4]
    assert kit.ids("prop:lapses>8") == [4] and kit.ids("prop:lapses>9") == []


def _review_card(kit, card_id, stability, days_ago, due_in):
    last = NOW - timedelta(days=days_ago)
    due = NOW + timedelta(days=due_in)
    kit.sql(
        "UPDATE card SET state = 2, stability = ?, difficulty = 5, last_review = ?, due = ?"
        " WHERE id = ?",
        stability, to_db(last), to_db(due), card_id,
    )  # fmt: skip
    return fsrs.Card(card_id=card_id, state=fsrs.State.Review, stability=stability, difficulty=5,
                     due=due, last_review=last)  # fmt: skip


def test_retrievability_in_sql_equals_fsrs(kit):
    cards = {1: (2.0, 5.5, 1), 2: (30.0, 10.2, 20), 3: (0.5, 40.0, -30), 6: (100.0, 0.3, 99)}
    sched = fsrs.Scheduler()
    expected = {
        i: sched.get_card_retrievability(_review_card(kit, i, *v), NOW) for i, v in cards.items()
    }
    rows = {r.card_id: r for r in kit.browse.rows(list(cards))}
    for i, r in expected.items():
        assert rows[i].retrievability == pytest.approx(r, abs=1e-9)
    low = sorted(i for i, r in expected.items() if r < 0.8)
    assert sorted(kit.ids("prop:r<0.8")) == low and low
    assert kit.ids("prop:r<0.8 prop:r>0.8") == []
    by_r = kit.ids("-is:new", sort="retrievability")
    assert by_r == sorted(expected, key=expected.get)


def test_interval_and_due_in_days(kit):
    _review_card(kit, 1, 10.0, 4, 6)  # interval 10 days, due in 6
    _review_card(kit, 2, 3.0, 1, 2)  # interval 3, due in 2
    _review_card(kit, 3, 3.0, 3, -1)  # interval 2, overdue by a day
    assert kit.ids("prop:ivl>=10") == [1]
    assert sorted(kit.ids("prop:ivl<10")) == [2, 3, 4, 5, 6, 7]  # new cards: ivl 0, as Anki
    assert sorted(kit.ids("prop:ivl<10 -is:new")) == [2, 3]
    assert kit.ids("prop:due=-1") == [3]
    assert sorted(kit.ids("prop:due>=2")) == [1, 2]
    assert kit.ids("prop:due<0") == [3]
    assert sorted(kit.ids("prop:due!=2 -is:new")) == [1, 3]
    assert kit.ids("is:due") == [3]
    assert kit.ids("-is:new", sort="interval") == [3, 2, 1]
    assert kit.ids("-is:new", sort="due", desc=True) == [1, 2, 3]


@pytest.mark.parametrize("sort", search_sql.SORTS)
def test_every_sort_column_runs_and_new_cards_go_last(kit, sort):
    _review_card(kit, 5, 4.0, 1, 3)
    for desc in (False, True):
        ids = kit.ids("", sort=sort, desc=desc)
        assert sorted(ids) == [1, 2, 3, 4, 5, 6, 7]
        if sort in ("interval", "stability", "retrievability", "due"):
            assert ids[0] == 5


def test_ids_come_in_the_sorts_order_not_the_tables(kit):
    """card_ids reads the ids as one JSON list made over the ordered query: the order must
    survive (here the reverse of the table's, and a shuffle of it), also past a page."""
    ids = kit.ids("")
    order = [ids[i] for i in (3, 0, 6, 2, 5, 1, 4)]
    for rank, card_id in enumerate(order):
        kit.sql("UPDATE card SET created = ? WHERE id = ?", to_db(NOW + timedelta(rank)), card_id)
    assert kit.ids("", sort="created") == order
    assert kit.ids("", sort="created", desc=True) == order[::-1]
    assert kit.ids("", sort="lapses", desc=True) == sorted(ids, reverse=True)  # ties: by id
    for n in range(3000):
        kit.sql("INSERT INTO card (note_id, deck_id, ord, due, created, modified)"
                " SELECT note_id, deck_id, ? + 10, due, ?, modified FROM card WHERE id = 1",
                n, to_db(NOW - timedelta(seconds=n + 1)))  # fmt: skip
    found = kit.ids("", sort="created")
    assert len(found) == 3007 and found[:3] == sorted(found)[-3:][::-1]
    assert found[-7:] == order


def test_an_upgraded_version_1_collection_is_searchable(tmp_path):
    saved = Path(__file__).parents[1] / "fixtures" / "db" / "v1.sqlite"
    db = tmp_path / "c.sqlite"
    shutil.copy(saved, db)
    open_engine(db).dispose()
    con = sqlite3.connect(db)
    notes = con.execute("SELECT COUNT(*) FROM note").fetchone()[0]
    assert con.execute("SELECT COUNT(*) FROM note_fts_docsize").fetchone()[0] == notes > 0
    grams = '"CPO" AND "POE"'
    hit = con.execute("SELECT rowid FROM note_fts WHERE note_fts MATCH ?", (grams,)).fetchall()
    assert len(hit) == 1
    con.close()


def test_rebuild_refills_the_index_after_raw_inserts(kit):
    kit.sql("INSERT INTO note_fts (note_fts) VALUES ('delete-all')")  # contentless: no DELETE
    assert kit.ids("CPOE") == []
    with kit.col.transaction() as s:
        search_sql.rebuild_fts(s)
    assert kit.ids("CPOE") == [1]


def test_bulk_inserts_with_the_trigger_paused_are_indexed_and_the_trigger_returns(kit):
    con = sqlite3.connect(kit.col.db_path)
    t = "2026-03-10 12:00:00.000000"
    with search_sql.fts_paused(con):
        con.execute(
            "INSERT INTO note (id, guid, notetype_id, fields, created, modified)"
            " VALUES (50, 'g50', 1, '[\"pelican brief\", \"x\"]', ?, ?)",
            (t, t),
        )
        assert con.execute("SELECT COUNT(*) FROM note_fts WHERE rowid = 50").fetchone()[0] == 0
        con.execute(
            "INSERT INTO card (note_id, deck_id, due, created, modified) VALUES (50, 1, ?, ?, ?)",
            (t, t, t),
        )
    con.commit()
    con.close()
    assert kit.ids("pelican") == [8]
    kit.add("second pelican")
    assert len(kit.ids("pelican")) == 2  # the per-row trigger is back


def test_random_queries_give_results_or_a_search_error_never_a_database_error(kit):
    import random

    rng = random.Random(20260310)
    words = ["or", "and", "tag:", "deck:", "is:", "prop:r<", "front:", "NEAR", "rated:", "domain:"]
    alphabet = [*"abcXYZ019 \"()-:*_\\%'\t;=<>!.,/éß日🩺\u200b", *words]
    before = kit.dump()
    outcomes = {"ok": 0, "error": 0}
    for _ in range(400):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        try:
            kit.ids(query)
            outcomes["ok"] += 1
        except SearchError:
            outcomes["error"] += 1
    assert kit.dump() == before
    assert outcomes["ok"] > 60 and outcomes["error"] > 50


def test_case_folding_is_the_same_for_short_long_and_wildcard_searches(kit):
    (card,) = kit.add("Ελλάδα café Über", "x")
    for query in ("ελ", "ΕΛΛ", "ελλάδα", "ΕΛ*Δ", "CAFÉ", "CAFÉ*", "c_FÉ", "é", "ÜBER", "üb"):
        assert kit.ids(query) == [card], query


def test_the_text_index_follows_edits_and_deletions_without_keeping_the_text(kit):
    """The index stores no text: the triggers recompute the old text to forget a note."""
    kit.sql("UPDATE note SET fields = json_set(fields, '$[0]', 'Pelican <b>order</b> set')"
            " WHERE id = 1")  # fmt: skip
    assert kit.ids("CPOE") == [] and kit.ids("pelican") == [1] and kit.ids('"pelican order"') == [1]
    kit.sql("DELETE FROM note WHERE id = 1")
    assert kit.ids("pelican") == []
    con = sqlite3.connect(kit.col.db_path)
    con.execute("INSERT INTO note_fts (note_fts) VALUES ('integrity-check')")
    assert con.execute("SELECT count(*) FROM note_fts_docsize").fetchone()[0] == 4  # of 5
    con.close()


def test_a_run_found_in_plain_stored_fields_is_the_same_as_in_the_text(kit):
    """Plain fields are searched as stored (LIKE in SQLite); with markup, in the text."""
    kit.sql("""UPDATE note SET fields = '["alpha &amp; omega", "line\\nfeed"]' WHERE id = 2""")
    assert kit.ids('"alpha & omega"') == [2, 3] and kit.ids("nfeed") == []
    assert kit.ids('"line feed"') == [2, 3]
