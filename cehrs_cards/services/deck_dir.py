"""Where the bundled deck's files are (no database, no import: services/bundled.py loads them,
services/item_bank.py reads their held-out flags once for old collections; both find them
here)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ENV_DECKS_DIR = "CEHRS_CARDS_DECKS_DIR"
"""Developers and tests: load this folder instead of the bundled deck."""
DECKS_PACKAGE = "cehrs_cards._decks"


class BundledDeckMissingError(RuntimeError):
    """The installation lacks the bundled deck: the message says where it was looked for."""


def deck_folder(package: str = DECKS_PACKAGE) -> Path:
    """The folder of the bundled deck's .toml files ($CEHRS_CARDS_DECKS_DIR if set)."""
    env = os.environ.get(ENV_DECKS_DIR)
    if env:
        return Path(env)
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        raise BundledDeckMissingError(missing_text(package)) from None
    return Path(str(root)) / "cehrs"


def missing_text(where: object) -> str:
    return (
        f"The bundled CEHRS deck is missing from this installation (looked in {where}). "
        "Reinstall CEHRS Cards; your own cards are not affected."
    )
