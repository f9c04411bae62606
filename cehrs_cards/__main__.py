"""python -m cehrs_cards: the app, or a CLI sub-command."""

from __future__ import annotations

import sys

from cehrs_cards.cli import main

if __name__ == "__main__":
    sys.exit(main())
