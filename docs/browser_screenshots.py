"""Regenerate the browser screenshots offscreen: `.venv/bin/python docs/browser_screenshots.py`.

The bundled deck is studied for six simulated weeks first, so the table has real FSRS values.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.core.records import Rating
from cehrs_cards.services import browse_info
from cehrs_cards.services.browse import BrowseService
from cehrs_cards.services.bundled import load_bundled_if_first_run
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.notes import NotesService
from cehrs_cards.services.review import ReviewService
from cehrs_cards.ui.browser import BrowserWindow
from cehrs_cards.ui.browser_info import CardInfoDialog
from cehrs_cards.ui.browser_model import COLUMNS
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.theme import apply_theme

DOCS = Path(__file__).parent


def studied_collection() -> tuple[Collection, FakeClock]:
    clock = FakeClock(datetime(2026, 1, 5, 14, tzinfo=UTC))
    col = Collection(Path(tempfile.mkdtemp()), clock=clock, tz=UTC)
    load_bundled_if_first_run(col)
    col.save_settings(replace(col.settings(), new_per_day=25, fuzz=False))
    review = ReviewService(col)
    rng = random.Random(7)
    for _day in range(42):
        for _ in range(60):
            card = review.next_card()
            if card is None:
                break
            rating = rng.choices(list(Rating), (12, 10, 70, 8))[0]
            review.answer(card, rating, rng.randint(3000, 15000))
        clock.advance(timedelta(days=1))
    return col, clock


def shoot(app: QApplication, col: Collection, theme: str) -> None:
    apply_theme(app, theme == "dark")
    browse, cards = BrowseService(col), CardService(col)
    win = BrowserWindow(browse, NotesService(col), cards, OpRunner())
    win.resize(1500, 820)
    win.show()
    win.search_box.setText("domain:4 -is:new")
    column = [c[0] for c in COLUMNS].index("retrievability")
    win.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.AscendingOrder)
    ids = win.model.ids
    cards.set_flag(ids[1:2], 1)
    cards.set_suspended(ids[3:4], True)
    win.search(keep=ids[:1])
    for i in range(win.sidebar.topLevelItemCount()):
        item = win.sidebar.topLevelItem(i)
        item.setExpanded(item.text(0) in ("Cards", "Domains", "Decks"))
    app.processEvents()
    app.processEvents()
    win.grab().save(str(DOCS / f"browser-{theme}.png"))
    if theme == "light":
        info = CardInfoDialog(browse_info.card_info(col, ids[0]), win)
        info.show()
        app.processEvents()
        info.grab().save(str(DOCS / "card-info-light.png"))
        info.close()
        add = win.open_add()
        add.set_kind("mcq")
        add.domain.setCurrentIndex(add.domain.findData(3))
        add.deck.setCurrentText("My notes::Billing")
        add.tags.setText("lecture-4 claims")
        for name, text in (
            ("Stem", "Which claim form does a hospital use to bill Medicare for inpatient care?"),
            ("A", "CMS-1500"),
            ("B", "UB-04 (CMS-1450)"),
            ("C", "ADA dental claim form"),
            ("D", "Superbill"),
            ("Answer", "B"),
            (
                "Explanation",
                "Institutional claims use the UB-04; professional claims use the CMS-1500.",
            ),
        ):
            add.editors[name].setPlainText(text)
        app.processEvents()
        add.grab().save(str(DOCS / "add-note-light.png"))
        add.close()
    win.close()


def main() -> None:
    app = QApplication([])
    col, _clock = studied_collection()
    try:
        for theme in ("light", "dark"):
            shoot(app, col, theme)
    finally:
        col.close()
    print(
        "saved",
        sorted(
            p.name
            for p in DOCS.glob("*.png")
            if "browser" in p.name or "add" in p.name or "info" in p.name
        ),
    )


if __name__ == "__main__":
    main()
