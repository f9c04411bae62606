"""The bundled deck's names: one spelling of each domain, a top deck no import shares, and
collections made with the old names brought up to date without losing a card."""

from __future__ import annotations

import sqlite3
import tomllib

from cehrs_cards.core.domains import DOMAINS
from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services.bundled import OLD_NAMES, ROOT_DECK, bundled_deck_dir, rename_old_decks
from cehrs_cards.services.importing import import_package


def test_bundled_deck_names_spell_each_domain_as_the_domain_table():
    names = set()
    for path in bundled_deck_dir().glob("*.toml"):
        names.add(tomllib.loads(path.read_text(encoding="utf-8"))["deck"])
    assert names == {f"{ROOT_DECK}::{d.id} {d.name}" for d in DOMAINS}


def _note(guid: str, deck: str) -> NoteIn:
    return NoteIn(guid, "Basic", deck, {"Front": guid, "Back": "x"}, domain=3)


def _decks(col) -> dict[str, int]:
    con = sqlite3.connect(col.db_path)
    sql = "SELECT d.name, COUNT(c.id) FROM deck d LEFT JOIN card c ON c.deck_id = d.id GROUP BY 1"
    return dict(con.execute(sql).fetchall())


def test_old_names_are_renamed_with_their_cards_and_the_users_subdecks(col):
    notes = [
        _note("b1", "CEHRS::3 Revenue Cycle-Finance"),
        _note("b2", "CEHRS::3 Revenue Cycle-Finance::My extra"),
        _note("b3", "CEHRS::5 Reporting"),
    ]
    import_package(col, Package(notes=notes))
    assert rename_old_decks(col) == 2
    decks = _decks(col)
    assert decks[f"{ROOT_DECK}::3 Revenue Cycle/Finance"] == 1
    assert decks[f"{ROOT_DECK}::3 Revenue Cycle/Finance::My extra"] == 1
    assert decks[f"{ROOT_DECK}::5 Reporting"] == 1
    assert not any(name == "CEHRS" or name.startswith("CEHRS::") for name in decks)
    assert rename_old_decks(col) == 0  # idempotent
    # re-importing the deck files now finds the cards where the files put them
    import_package(col, Package(notes=[_note("b4", f"{ROOT_DECK}::3 Revenue Cycle/Finance")]))
    assert _decks(col)[f"{ROOT_DECK}::3 Revenue Cycle/Finance"] == 2


def test_an_old_deck_merges_into_a_new_one_and_other_decks_under_the_old_top_stay(col):
    old, new = next(iter(OLD_NAMES.items()))
    import_package(
        col, Package(notes=[_note("a", old), _note("b", new), _note("c", "CEHRS::Mine")])
    )
    rename_old_decks(col)
    decks = _decks(col)
    assert decks[new] == 2 and old not in decks
    assert decks["CEHRS::Mine"] == 1 and "CEHRS" in decks  # the user's own deck is theirs
