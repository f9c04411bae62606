"""Same-fact groups: the bundled deck's, as the one-time backfill reads them, are exactly what a
plain TOML parse of its files gives; the note's `grp` column is what the exam draw reads."""

from __future__ import annotations

import tomllib

from cehrs_cards.services.bundled import bundled_deck_dir
from cehrs_cards.services.exam_groups import group_column, groups_by_note
from cehrs_cards.services.item_bank import bundled_flags


def test_the_bundled_groups_equal_a_plain_parse_of_the_deck():
    folder = bundled_deck_dir()
    parsed = {}
    for path in sorted(folder.glob("*.toml")):
        for note in tomllib.loads(path.read_text(encoding="utf-8"))["notes"]:
            if "group" in note:
                parsed[note["id"]] = note["group"]
    assert len(parsed) > 100  # the bundled deck has many same-fact groups
    flags = bundled_flags()
    assert flags is not None
    assert {guid: group for guid, _held, group in flags if group} == parsed
    sizes = {}
    for group in parsed.values():
        sizes[group] = sizes.get(group, 0) + 1
    assert min(sizes.values()) >= 2  # a group of one would be pointless (deck check agrees)


def test_groups_come_from_the_note_column_only(mini_col):
    """A note with an empty `grp` has no group, even when its guid is a grouped bundled note's:
    the deck files are read once by the backfill at open, never by the draw."""
    flags = bundled_flags()
    assert flags is not None
    bundled_guid = next(guid for guid, _held, group in flags if group)
    with mini_col.transaction() as s:
        con = s.connection()
        ids = [r[0] for r in con.exec_driver_sql("SELECT id FROM note ORDER BY id")]
        con.exec_driver_sql("UPDATE note SET guid = ? WHERE id = ?", (bundled_guid, ids[0]))
    with mini_col.read() as s:
        assert group_column(s) == "grp"
        assert groups_by_note(s, ids) == {}
    with mini_col.transaction() as s:
        con = s.connection()
        con.exec_driver_sql("UPDATE note SET grp = 'same-fact' WHERE id IN (?, ?)", tuple(ids[1:3]))
    with mini_col.read() as s:
        assert groups_by_note(s, ids) == {ids[1]: "same-fact", ids[2]: "same-fact"}
        assert groups_by_note(s, []) == {}
