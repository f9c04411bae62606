"""Entry point of the frozen app (PyInstaller): the same `main` as the `cehrs-cards` script."""

import sys

from cehrs_cards.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
