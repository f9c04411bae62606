"""Regenerate the README screenshots offscreen: `.venv/bin/python docs/screenshots.py`."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from cehrs_cards.core.records import Rating
from cehrs_cards.services.bundled import load_bundled_if_first_run
from cehrs_cards.services.collection import Collection
from cehrs_cards.ui.app import build_main_window
from cehrs_cards.ui.theme import apply_theme

DOCS = Path(__file__).parent


def shoot(app: QApplication, theme: str) -> None:
    col = Collection(Path(tempfile.mkdtemp()))
    load_bundled_if_first_run(col)
    col.save_settings(replace(col.settings(), theme=theme))
    window = build_main_window(col, app)
    window.resize(1100, 760)
    window.show()
    window.start_study(None)
    for rating in (Rating.GOOD, Rating.AGAIN, Rating.EASY, Rating.GOOD, Rating.HARD):
        window.reviewer.reveal()
        window.reviewer.rate(rating)
    window.show_decks()
    app.processEvents()
    window.grab().save(str(DOCS / f"decks-{theme}.png"))
    window.start_study(None)
    while window.reviewer.card and "options" not in window.reviewer.card.front_html:
        window.reviewer.reveal()
        window.reviewer.rate(Rating.GOOD)
    window.reviewer.reveal()
    app.processEvents()
    app.processEvents()
    window.grab().save(str(DOCS / f"review-{theme}.png"))
    window.close()


def main() -> None:
    app = QApplication([])
    for theme in ("light", "dark"):
        apply_theme(app, theme == "dark")
        shoot(app, theme)
    print("saved", sorted(p.name for p in DOCS.glob("*.png")))


if __name__ == "__main__":
    main()
