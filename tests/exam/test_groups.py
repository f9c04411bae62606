"""Same-fact groups read from the bundled deck's files: the fast line scan the draw uses gives
exactly what a full TOML parse of the deck gives."""

from __future__ import annotations

import tomllib

from cehrs_cards.services.bundled import bundled_deck_dir
from cehrs_cards.services.exam_groups import bundled_groups, scan_groups


def test_the_line_scan_of_the_bundled_deck_equals_a_full_parse():
    folder = bundled_deck_dir()
    parsed = {}
    for path in sorted(folder.glob("*.toml")):
        for note in tomllib.loads(path.read_text(encoding="utf-8"))["notes"]:
            if "group" in note:
                parsed[note["id"]] = note["group"]
    assert len(parsed) > 100  # the bundled deck has many same-fact groups
    assert scan_groups(folder) == parsed
    assert bundled_groups() == parsed
    sizes = {}
    for group in parsed.values():
        sizes[group] = sizes.get(group, 0) + 1
    assert min(sizes.values()) >= 2  # a group of one would be pointless (deck check agrees)
