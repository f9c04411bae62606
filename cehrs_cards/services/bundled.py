"""The bundled CEHRS deck: where it lives and loading it on first run."""

from __future__ import annotations

import os
from pathlib import Path

from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import ImportSummary, import_package

ENV_DECKS_DIR = "CEHRS_CARDS_DECKS_DIR"


def bundled_deck_dir() -> Path:
    """decks/cehrs in the source tree (or $CEHRS_CARDS_DECKS_DIR)."""
    env = os.environ.get(ENV_DECKS_DIR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "decks" / "cehrs"


def load_bundled_if_first_run(col: Collection) -> ImportSummary | None:
    """Import the bundled deck once, on the first run of a collection."""
    settings = col.settings()
    if settings.bundled_loaded:
        return None
    folder = bundled_deck_dir()
    summary = import_package(col, read_native(folder)) if folder.is_dir() else None
    from dataclasses import replace

    col.save_settings(replace(settings, bundled_loaded=True))
    return summary
