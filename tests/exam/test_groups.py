"""Same-fact groups: the bundled deck's (read once with its held-out flags) are exactly what a
plain TOML parse of its files gives; a note column, once there, comes first."""

from __future__ import annotations

import tomllib

from cehrs_cards.services.bundled import bundled_deck_dir
from cehrs_cards.services.exam_groups import (
    bundled_groups,
    group_column,
    groups_by_note,
)


def test_the_bundled_groups_equal_a_plain_parse_of_the_deck():
    folder = bundled_deck_dir()
    parsed = {}
    for path in sorted(folder.glob("*.toml")):
        for note in tomllib.loads(path.read_text(encoding="utf-8"))["notes"]:
            if "group" in note:
                parsed[note["id"]] = note["group"]
    assert len(parsed) > 100  # the bundled deck has many same-fact groups
    assert bundled_groups() == parsed
    sizes = {}
    for group in parsed.values():
        sizes[group] = sizes.get(group, 0) + 1
    assert min(sizes.values()) >= 2  # a group of one would be pointless (deck check agrees)


def test_a_note_column_wins_over_the_bundled_files_which_fill_in_where_it_is_empty(mini_col):
    """The data layer's `grp` column (schema step 7) is read first; a note with no stored
    group (an older collection, or a note imported before the column) keeps the bundled
    deck's."""
    bundled_guid, bundled_group = next(iter(bundled_groups().items()))
    with mini_col.transaction() as s:
        con = s.connection()
        ids = [r[0] for r in con.exec_driver_sql("SELECT id FROM note ORDER BY id")]
        con.exec_driver_sql("UPDATE note SET guid = ? WHERE id = ?", (bundled_guid, ids[0]))
    with mini_col.read() as s:
        assert group_column(s) == "grp"  # schema step 7 has it; empty on these notes
        assert groups_by_note(s, ids) == {ids[0]: bundled_group}
    with mini_col.transaction() as s:
        con = s.connection()
        con.exec_driver_sql("UPDATE note SET grp = 'same-fact' WHERE id IN (?, ?)", tuple(ids[1:3]))
    with mini_col.read() as s:
        got = groups_by_note(s, ids)
    assert got == {ids[0]: bundled_group, ids[1]: "same-fact", ids[2]: "same-fact"}
    with mini_col.transaction() as s:
        s.connection().exec_driver_sql("UPDATE note SET grp = 'own' WHERE id = ?", (ids[0],))
    with mini_col.read() as s:
        assert groups_by_note(s, ids[:1]) == {ids[0]: "own"}
