"""Entry point of the frozen app (PyInstaller): the same `main` as the `cehrs-cards` script."""

import sys

from cehrs_cards.cli import main

if __name__ == "__main__":
    sys.exit(main())
