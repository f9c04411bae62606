"""The notes' item-bank columns (heldout, grp) are the one source of the held-out pool and of
same-fact groups: a collection older than the columns is filled once from the bundled deck at
open, a deck file's own marks are kept, and nothing reads the deck files after open."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services import bundled
from cehrs_cards.services.bundled import bundled_deck_dir, load_bundled_if_first_run
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.held_out import bank
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.info import collection_info
from cehrs_cards.services.review import ReviewService


def _sql(col: Collection, sql: str, *params: object) -> list[tuple]:
    with col.transaction() as s:
        got = s.connection().exec_driver_sql(sql, params)
        return [tuple(r) for r in got] if got.returns_rows else []


def _open(data: Path, clock: FakeClock) -> Collection:
    """Open as the app does: the collection, then the first-run / upgrade step."""
    c = Collection(data, clock=clock, tz=UTC)
    c.save_settings(replace(c.settings(), fuzz=False))
    load_bundled_if_first_run(c)
    return c


@pytest.fixture
def deck_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real bundled deck, copied so a test can move it away."""
    monkeypatch.delenv(bundled.ENV_DECKS_DIR, raising=False)
    folder = tmp_path / "decks"
    shutil.copytree(bundled_deck_dir(), folder)
    monkeypatch.setenv(bundled.ENV_DECKS_DIR, str(folder))
    return folder


def _only_held_out_left(col: Collection) -> None:
    """Suspend every card but the held-out ones, so the queue has nothing else to offer."""
    _sql(col, "UPDATE card SET suspended = 1 WHERE note_id NOT IN "
              "(SELECT id FROM note WHERE heldout = 1)")  # fmt: skip


def test_a_collection_older_than_the_columns_is_filled_once_and_never_studies_them(
    deck_copy: Path, tmp_path: Path, clock: FakeClock
) -> None:
    data = tmp_path / "data"
    col = _open(data, clock)  # the first run imports the bundled deck, columns filled
    held = {r[0] for r in _sql(col, "SELECT guid FROM note WHERE heldout = 1")}
    grouped = dict(_sql(col, "SELECT guid, grp FROM note WHERE grp IS NOT NULL"))
    assert len(held) == 300 and len(grouped) > 100
    assert _sql(col, "SELECT value FROM setting WHERE key = 'item_bank_backfill'")
    # As before schema step 7 filled them: both columns empty, the backfill never run.
    _sql(col, "UPDATE note SET heldout = 0, grp = NULL")
    _sql(col, "DELETE FROM setting WHERE key = 'item_bank_backfill'")
    _only_held_out_left(col)
    _sql(col, "UPDATE card SET suspended = 0 WHERE note_id IN (SELECT id FROM note "
              f"WHERE guid IN ({','.join('?' * len(held))}))", *held)  # fmt: skip
    card = ReviewService(col).next_card()
    assert card is not None  # with the columns empty, a held-out item would reach study
    col.close()

    col = _open(data, clock)  # the upgrade step fills them from the deck files, once
    assert {r[0] for r in _sql(col, "SELECT guid FROM note WHERE heldout = 1")} == held
    assert dict(_sql(col, "SELECT guid, grp FROM note WHERE grp IS NOT NULL")) == grouped
    shutil.move(deck_copy, tmp_path / "moved-away")  # nothing after open reads the files
    assert ReviewService(col).next_card() is None
    assert collection_info(ReviewService(col))["held_out_cards"] == 300
    _sql(col, "UPDATE card SET suspended = 0")
    form = ExamService(col).assemble(seed=1)
    assert form.diagnostic  # scored items come from the pool, read from the columns
    with col.read() as s:
        b = bank(s)
    assert {f.candidate.card_id for f in form.slots if not f.pretest} <= b.ids
    col.close()

    col = _open(data, clock)  # later opens cost a setting read: the files are gone
    assert len(_sql(col, "SELECT id FROM note WHERE heldout = 1")) == 300
    col.close()


def _toml(nid: str, *, held: bool = False, group: str | None = None) -> str:
    lines = ["[[notes]]", f'id = "{nid}"', 'type = "mcq"', "domain = 2",
             f'stem = "Question {nid}?"', 'options = ["Right", "Wrong", "Worse", "Worst"]',
             'answer = "A"', 'explanation = "Because."']  # fmt: skip
    lines += ["heldout = true"] if held else []
    lines += [f'group = "{group}"'] if group else []
    return "\n".join(lines) + "\n"


def test_a_deck_file_s_own_marks_are_kept_by_the_backfill(
    col: Collection, deck_copy: Path, tmp_path: Path
) -> None:
    """A note imported with its own marks keeps them; a bundled note imported without any
    (its columns empty) gets the bundled deck's."""
    flagged = [n for n in read_native(deck_copy).notes if n.heldout]
    mine, plain = flagged[0].guid, flagged[1].guid
    folder = tmp_path / "own"
    folder.mkdir()
    notes = [_toml("own-held", held=True, group="own-fact"), _toml(mine, group="mine"),
             _toml(plain)]  # fmt: skip
    (folder / "own.toml").write_text('format = 1\ndeck = "Own"\n' + "\n".join(notes), "utf-8")
    import_package(col, read_native(folder))
    load_bundled_if_first_run(col)  # marked loaded by the fixture: the upgrade step runs
    got = {g: (h, grp) for g, h, grp in _sql(col, "SELECT guid, heldout, grp FROM note")}
    assert got == {
        "own-held": (1, "own-fact"),
        mine: (0, "mine"),
        plain: (1, flagged[1].group),
    }
    with col.read() as s:
        assert len(bank(s).ids) == 2
