"""Anki scheduling on import (issue 22 item 3, issue 18 item 6): learning and relearning cards
keep their state and due time; a log that starts part-way, or none, starts from the SM-2
state (fsrs-rs memory_state_from_sm2, as Anki converts); Anki's own FSRS memory is kept; the
review log is read card by card and written in chunks. A real package made by the anki
package, imported by the real importer into a real SQLite file."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cehrs_cards.core.records import CardState
from cehrs_cards.db import import_rows
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.transfer import ImportOptions, import_file

DAY_MS = 86_400_000
NOW_MS = int(time.time() * 1000)


def _review(rid: int, ease: int, ivl: int, last: int, factor: int, kind: int) -> tuple:
    return (rid, ease, ivl, last, factor, 5000, kind)


CASES = {
    # front: (type, queue, due as Anki stores it (filled below), ivl, factor, lapses, log, data)
    "learning with log": (1, 1, "soon", 0, 0, 0, [_review(NOW_MS - 60_000, 3, -600, 0, 0, 0)], ""),
    "learning without log": (1, 1, "soon", 0, 0, 0, [], ""),
    "relearning": (3, 1, "soon", 1, 2300, 1, [
        _review(NOW_MS - 30 * DAY_MS, 3, -600, 0, 0, 0),
        _review(NOW_MS - 29 * DAY_MS, 3, 5, -600, 2500, 0),
        _review(NOW_MS - 24 * DAY_MS, 3, 20, 5, 2500, 1),
        _review(NOW_MS - 60_000, 1, -600, 20, 2300, 1),
    ], ""),
    "partial 120 days": (2, 2, 60, 120, 2500, 0, [
        _review(NOW_MS - 60 * DAY_MS, 3, 120, 50, 2500, 1),  # starts part-way: a review
    ], ""),
    "no log ease 130": (2, 2, 10, 30, 1300, 3, [], ""),
    "no log ease 250": (2, 2, 10, 30, 2500, 0, [], ""),
    "anki fsrs": (2, 2, 5, 12, 2500, 0, [
        _review(NOW_MS - 7 * DAY_MS, 3, 12, 0, 0, 0),
    ], json.dumps({"s": 17.25, "d": 3.5})),
    "no log ease 250 pos": (2, 2, 10, 30, 2500, 0, [], '{"pos": 7}'),  # no FSRS memory: SM-2
}  # fmt: skip


def _package(folder: Path) -> Path:
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ExportAnkiPackageOptions

    col = AnkiCollection(str(folder / "source.anki2"))
    try:
        deck = col.decks.id("Sched")
        for front in CASES:
            note = col.new_note(col.models.by_name("Basic"))
            note.fields[0], note.fields[1] = front, "back"
            col.add_note(note, deck)
        today = col.sched.today
        for n, (front, (ctype, queue, due, ivl, factor, lapses, log, data)) in enumerate(
            CASES.items()
        ):
            cid = col.db.scalar("SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid "
                                "WHERE n.flds LIKE ?", front + "\x1f%")  # fmt: skip
            due = NOW_MS // 1000 + 600 if due == "soon" else today + due
            col.db.execute(
                "UPDATE cards SET type=?, queue=?, due=?, ivl=?, factor=?, reps=?, lapses=?, "
                "left=?, data=? WHERE id=?",
                ctype, queue, due, ivl, factor, len(log) + 1, lapses, 1, data, cid,
            )  # fmt: skip
            for rid, ease, r_ivl, last, r_factor, taken, kind in log:
                col.db.execute(
                    "INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                    rid + n, cid, ease, r_ivl, last, r_factor, taken, kind,
                )  # fmt: skip
        col.db.execute("UPDATE notes SET mod = ? WHERE id = (SELECT MIN(id) FROM notes)", 1.6e9)
        col.db.execute("UPDATE cards SET queue = -1 WHERE id = (SELECT MIN(id) FROM cards)")
        unstudied = col.new_note(col.models.by_name("Basic"))
        unstudied.fields[0], unstudied.fields[1] = "new, buried and flagged", "back"
        col.add_note(unstudied, deck)
        col.db.execute("UPDATE cards SET queue = -3, flags = 6 WHERE nid = ?", unstudied.id)
        (folder / "ids.json").write_text(json.dumps(col.db.all(
            "SELECT n.guid, n.id, n.mod, c.id, c.mod, c.queue, c.flags"
            " FROM notes n JOIN cards c ON c.nid = n.id")))  # fmt: skip
        path = folder / "sched.apkg"
        options = ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False
        )
        col.export_anki_package(out_path=str(path), options=options, limit=None)
    finally:
        col.close()
    return path


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _package(tmp_path_factory.mktemp("sched"))


def _cards(col: Collection) -> dict[str, tuple]:
    with col.read() as s:
        rows = s.connection().exec_driver_sql(
            "SELECT n.sort_field, c.state, c.due, c.stability, c.difficulty, c.id "
            "FROM card c JOIN note n ON n.id = c.note_id"
        )
        return {r[0]: tuple(r[1:]) for r in rows}


def test_learning_and_relearning_keep_state_and_due(col, package, monkeypatch):
    monkeypatch.setattr(import_rows.LogStream, "CHUNK", 2)  # several chunks, even here
    import_file(col, package, ImportOptions(with_scheduling=True))
    got = _cards(col)
    soon = datetime.fromtimestamp(NOW_MS // 1000 + 600, UTC)
    for front, state in (
        ("learning with log", CardState.LEARNING),
        ("learning without log", CardState.LEARNING),
        ("relearning", CardState.RELEARNING),
    ):
        assert got[front][0] == int(state), front
        due = datetime.fromisoformat(got[front][1]).replace(tzinfo=UTC)
        assert abs(due - soon) < timedelta(seconds=1), front
    assert got["relearning"][2] is not None and got["relearning"][2] > 1  # memory kept
    with col.read() as s:
        logged = s.connection().exec_driver_sql("SELECT COUNT(*) FROM revlog").scalar()
    assert logged == sum(len(c[6]) for c in CASES.values())


def test_partial_or_missing_logs_start_from_the_sm2_state(col, package):
    import fsrs_rs_python as rs

    import_file(col, package, ImportOptions(with_scheduling=True))
    got = _cards(col)
    state, _, stability, difficulty, _ = got["partial 120 days"]
    assert state == int(CardState.REVIEW)
    # not a first-ever answer (which gave stability 48.6, difficulty 2.1 for this card)
    start = rs.FSRS(rs.DEFAULT_PARAMETERS).memory_state_from_sm2(2.5, 50.0, 0.9)
    assert stability > start.stability and difficulty == pytest.approx(start.difficulty, abs=0.5)
    hard, easy = got["no log ease 130"], got["no log ease 250"]
    expect = rs.FSRS(rs.DEFAULT_PARAMETERS).memory_state_from_sm2(1.3, 30.0, 0.9)
    assert hard[3] == pytest.approx(expect.difficulty, abs=1e-3)
    assert hard[3] > easy[3] and easy[2] == pytest.approx(30.0, rel=0.05)
    # Anki's own FSRS memory state wins over a replay
    assert got["anki fsrs"][2:4] == (pytest.approx(17.25), pytest.approx(3.5))
    assert got["no log ease 250 pos"][2:4] == easy[2:4]


def test_anki_ids_times_suspension_flags_and_burial_are_kept(col, package):
    from cehrs_cards.services.browse import BrowseService

    import_file(col, package, ImportOptions(with_scheduling=True))
    anki = json.loads((package.parent / "ids.json").read_text())
    with col.read() as s:
        ours = {
            r[0]: r[1:]
            for r in s.connection().exec_driver_sql(
                "SELECT n.guid, n.id, n.created, n.modified, c.id, c.created, c.modified,"
                " c.suspended, c.flag, c.buried_until FROM note n JOIN card c ON c.note_id = n.id"
            )
        }
    at = lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC)  # noqa: E731
    for guid, nid, nmod, cid, cmod, queue, flags in anki:
        got = ours[guid]
        assert got[0] == nid and got[3] == cid  # Anki's ids: nid:/cid: links still resolve
        assert at(got[1]) == datetime.fromtimestamp(nid // 1000, UTC) + timedelta(
            milliseconds=nid % 1000
        )
        assert at(got[2]) == datetime.fromtimestamp(nmod, UTC)
        assert at(got[5]) == datetime.fromtimestamp(cmod, UTC)
        assert got[6] == (queue == -1) and got[7] == flags
        assert (got[8] is not None) == (queue == -3)
    browse = BrowseService(col)
    nid, cid = anki[0][1], anki[0][3]
    assert browse.search(f"nid:{nid}") == [cid] and browse.search(f"cid:{cid}") == [cid]
    assert len(browse.search("is:buried")) == 1 and len(browse.search("flag:6")) == 1


@pytest.mark.parametrize(
    ("data", "memory", "last_review"),
    [
        ('{"s": 8.5, "d": 6.0}', (8.5, 6.0), False),
        ('{"pos": 4, "\\u0073": 8.5, "\\u0064": 6.0}', (8.5, 6.0), False),  # escaped keys
        ('{"lrt": 1700000000}', (None, None), True),
        ('{"\\u006crt": 1700000000}', (None, None), True),
        ('{"pos": 4, "d": 6.0}', (None, None), False),
        ('{"pos": 4}', (None, None), False),
        ("", (None, None), False),
        ("not json", (None, None), False),
    ],
)
def test_anki_memory_is_read_from_card_data_however_its_keys_are_written(data, memory, last_review):
    """Anki rewrites its cards' data on export, so escaped keys come only from other tools:
    the quick scan that passes over data without FSRS memory must not miss them."""
    from cehrs_cards.interchange.apkg_notes import _memory_from_data
    from cehrs_cards.interchange.package import CardIn

    card = CardIn(0, "Default", kind=2)
    _memory_from_data(card, data)
    assert (card.stability, card.difficulty) == memory
    assert (card.last_review is not None) == last_review
