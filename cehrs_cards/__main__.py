"""python -m cehrs_cards and the `cehrs-cards` command: the app, or a CLI sub-command."""

from __future__ import annotations

import sys

from cehrs_cards import cli


def main() -> int:
    """The command's entry: a sub-command's process ends as soon as its work is done."""
    return cli.main(exit_fast=True)


if __name__ == "__main__":
    sys.exit(main())
