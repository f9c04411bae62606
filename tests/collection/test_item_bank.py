"""Same-fact groups and the held-out pool: stored by the importer, read by db/notes.py."""

from pathlib import Path

from sqlalchemy import text

from cehrs_cards.db import notes as bank
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.importing import import_package

DECK = """format = 1
deck = "Bank"

[[notes]]
id = "b-1"
type = "basic"
domain = 1
group = "npp-refusal"
front = "Patient refuses to sign the NPP acknowledgment?"
back = "Document the attempt and continue"

[[notes]]
id = "b-2"
type = "reversed"
domain = 1
group = "npp-refusal"
heldout = true
front = "NPP acknowledgment refused"
back = "Record the good-faith attempt"

[[notes]]
id = "b-3"
type = "basic"
domain = 2
front = "CPOE"
back = "Computerized provider order entry"
"""


def _import(col, tmp_path: Path, deck: str = DECK):
    f = tmp_path / "bank.toml"
    f.write_text(deck)
    return import_package(col, read_native(f))


def _ids(col) -> dict[str, tuple[int, list[int]]]:
    """guid -> (note id, its card ids)."""
    out: dict[str, tuple[int, list[int]]] = {}
    with col.read() as s:
        sql = "SELECT n.guid, n.id, c.id FROM note n JOIN card c ON c.note_id = n.id ORDER BY c.id"
        for guid, nid, cid in s.connection().execute(text(sql)):
            out.setdefault(guid, (nid, []))[1].append(cid)
    return out


def test_groups_and_the_heldout_pool_are_stored_and_read_back(col, tmp_path):
    _import(col, tmp_path)
    ids = _ids(col)
    with col.read() as s:
        assert bank.heldout_note_ids(s) == {ids["b-2"][0]}
        assert bank.heldout_card_ids(s) == set(ids["b-2"][1]) and len(ids["b-2"][1]) == 2
        notes = [ids[g][0] for g in ("b-1", "b-2", "b-3")]
        assert bank.group_of_notes(s, notes) == {notes[0]: "npp-refusal", notes[1]: "npp-refusal"}
        cards = [c for g in ("b-1", "b-2", "b-3") for c in ids[g][1]]
        grouped = bank.group_of_cards(s, cards)
        assert set(grouped) == set(ids["b-1"][1] + ids["b-2"][1])


def test_heldout_filter_leaves_the_pool_out_of_any_card_query(col, tmp_path):
    _import(col, tmp_path)
    ids = _ids(col)
    with col.read() as s:
        sql = f"SELECT c.id FROM card c WHERE c.state = 0{bank.heldout_filter('c')} ORDER BY c.id"
        got = [r[0] for r in s.connection().execute(text(sql))]
        plan = s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + bank.HELDOUT_NOTES).all()
    assert got == ids["b-1"][1] + ids["b-3"][1]
    assert any("ix_note_heldout" in str(row) for row in plan)  # the partial index, not a scan


def test_reimport_moves_notes_in_and_out_of_the_pool_and_groups(col, tmp_path):
    _import(col, tmp_path)
    changed = DECK.replace("heldout = true\n", "").replace('group = "npp-refusal"\n', "", 1)
    summary = _import(col, tmp_path, changed)
    assert summary.updated == 2
    ids = _ids(col)
    with col.read() as s:
        assert bank.heldout_card_ids(s) == set()
        notes = [ids[g][0] for g in ("b-1", "b-2")]
        assert bank.group_of_notes(s, notes) == {notes[1]: "npp-refusal"}
