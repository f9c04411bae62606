"""Where the collection lives by default. Light on purpose: the command line reads it before
it knows whether a sub-command needs the database at all."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "CEHRS_CARDS_DATA_DIR"


def default_data_dir() -> Path:
    """--data-dir, else $CEHRS_CARDS_DATA_DIR, else the platform's user data dir."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("CEHRS Cards", appauthor=False))
