"""The package's review log read card by card (apkg_history.HistoryFile): one cursor in card
order, with an index lookup for a card asked for out of that order."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from cehrs_cards.interchange.apkg_history import HistoryFile
from cehrs_cards.interchange.zipsafe import Limits, PackageError

REVLOG = """CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
    ease integer not null, ivl integer not null, lastIvl integer not null,
    factor integer not null, time integer not null, type integer not null)"""


def log_file(tmp_path, rows, then: str = ""):
    """A collection file holding only a review log: (id, cid, ease) rows; `then`: SQL run
    on it afterwards."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    con = sqlite3.connect(folder / "c.db")
    con.execute(REVLOG)
    con.executemany(
        "INSERT INTO revlog VALUES (?, ?, 0, ?, 1, 0, 2500, 800, 1)", [r[:3] for r in rows]
    )
    if then:
        con.execute(then)
    con.commit()
    con.close()
    return HistoryFile(folder, folder / "c.db", len(rows), Limits())


def times(history):
    return [(r.at_ms, r.rating) for r in history]


def test_cards_in_order_out_of_order_and_again_get_their_own_entries_oldest_first(tmp_path):
    rows = [(5, 30, 3), (1, 10, 1), (9, 20, 2), (3, 10, 3), (7, 15, 4), (2, 30, 9), (8, "x", 3)]
    log = log_file(tmp_path, rows)
    try:
        assert times(log.of(10)) == [(1, 1), (3, 3)]
        assert times(log.of(30)) == [(2, 0), (5, 3)]  # passes card 15 and 20 by
        assert times(log.of(20)) == [(9, 2)]  # out of order: looked up
        assert times(log.of(15)) == [(7, 4)]
        assert times(log.of(30)) == [(2, 0), (5, 3)]  # again
        assert log.of(40) == [] and log.of(12) == []
        assert log.folder.exists()
    finally:
        log.close()
    assert not (tmp_path / "pkg").exists()


def test_a_malformed_entry_of_a_card_read_by_the_walk_refuses_the_package(tmp_path):
    log = log_file(
        tmp_path, [(1, 10, 3), (2, 20, 3)], "UPDATE revlog SET ivl = 'soon' WHERE cid = 20"
    )
    try:
        assert times(log.of(10)) == [(1, 3)]
        with pytest.raises(PackageError, match="malformed rows"):
            log.of(20)
    finally:
        log.close()


def test_closing_before_the_walk_stops_its_sort_and_removes_the_folder(tmp_path):
    """The walk's sort starts on its own thread when the file is kept; an import that stops
    before its first card (cancelled, refused) closes it cleanly."""
    log = log_file(tmp_path, [(i, i % 97, 3) for i in range(1, 5000)])
    log.close()
    assert not (tmp_path / "pkg").exists()
    assert not any(t.name == "package-log-sort" and t.is_alive() for t in threading.enumerate())
