"""`cehrs-cards search`, `cards --search` and `leeches` answer with the browser's engine."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cehrs_cards.cli import main
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def data(tmp_path, clock) -> Path:
    col = Collection(tmp_path / "d", clock=clock)
    import_package(col, read_native(FIXTURES / "decks"))
    col.save_settings(col.settings().__class__(bundled_loaded=True))
    col.close()
    return tmp_path / "d"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_lists_matching_cards(capsys, data):
    code, out, _ = run(capsys, "--data-dir", str(data), "search", "claim or MPI", "--json")
    rows = json.loads(out)
    assert code == 0 and sorted(r["id"] for r in rows) == [2, 3, 6]
    mcq = next(r for r in rows if r["id"] == 6)
    assert mcq["domain"] == 3 and mcq["state"] == "new" and mcq["deck"] == "CEHRS::Mini"
    assert mcq["question"].startswith("Which claim form")


def test_search_sorts_and_limits(capsys, data):
    _, out, _ = run(capsys, "--data-dir", str(data), "search", "", "--sort", "domain", "--desc",
                    "--limit", "2", "--json")  # fmt: skip
    assert [r["domain"] for r in json.loads(out)] == [5, 4]


def test_bad_search_is_one_error_line_and_exit_2(capsys, data):
    code, out, err = run(capsys, "--data-dir", str(data), "search", "(a or", "--json")
    assert code == 2 and out == "" and "'or' needs a search on both sides" in err


def test_hostile_search_from_the_command_line_changes_nothing(capsys, data):
    code, out, _ = run(
        capsys, "--data-dir", str(data), "search", "'; DROP TABLE card; --", "--json"
    )
    assert code == 0 and json.loads(out) == []
    con = sqlite3.connect(data / "collection.sqlite")
    assert con.execute("SELECT COUNT(*) FROM card").fetchone()[0] == 7


def test_cards_command_filters_notes_with_the_same_engine(capsys, data):
    _, out, _ = run(capsys, "--data-dir", str(data), "cards", "--json", "--search", "domain:4")
    notes = json.loads(out)
    assert [n["id"] for n in notes] == ["t-cloze-001"]


def test_leeches_lists_and_tags(capsys, data):
    con = sqlite3.connect(data / "collection.sqlite")
    con.execute("UPDATE card SET lapses = 8 WHERE id = 7")
    con.commit()
    con.close()
    _, out, _ = run(capsys, "--data-dir", str(data), "leeches", "--tag", "--json")
    report = json.loads(out)
    assert report["threshold"] == 8 and report["newly_tagged_notes"] == 1
    assert [x["id"] for x in report["leeches"]] == [7] and report["leeches"][0]["tagged"]
    assert "rewrite" in report["advice"]


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "-CPOE", "--json"],
        ["search", "--json", "-CPOE"],
        ["search", "--json", "--", "-CPOE"],
    ],
)
def test_a_query_starting_with_a_minus_is_the_query_not_an_option(capsys, data, argv):
    code, out, _ = run(capsys, "--data-dir", str(data), *argv)
    assert code == 0 and sorted(r["id"] for r in json.loads(out)) == [2, 3, 4, 5, 6, 7]


def test_after_a_double_dash_anything_is_the_query(capsys, data):
    code, out, _ = run(capsys, "--data-dir", str(data), "search", "--json", "--", "--CPOE")
    assert code == 0 and len(json.loads(out)) == 7  # not "-CPOE": no card has that text
