"""The import command loads only what it needs (issue 15): writing rows by SQL, it never
loads the ORM, SQLModel, pydantic or the models (a third of its start-up). Each case is a
real process importing a real package, as `cehrs-cards import` does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy.orm", "sqlmodel", "pydantic", "cehrs_cards.db.models")
RUN = """
import json, sys
from cehrs_cards import cli
code = cli.main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in {heavy} if m in sys.modules)]))
"""


def _import(data: Path, *args: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN.format(heavy=HEAVY), "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    code, loaded = json.loads(done.stdout.splitlines()[-1])
    return code, loaded


@pytest.mark.parametrize("history", [False, True], ids=["cards", "with-history"])
def test_an_import_loads_no_orm(made, tmp_path, history):
    data = tmp_path / "data"
    assert _import(data, "info")[0] == 0  # the first run (loads the bundled deck) is done
    flags = ["--scheduling"] if history else []
    code, loaded = _import(data, "import", str(made["anki21b"]), "--json", *flags)
    assert (code, loaded) == (0, [])
    code, loaded = _import(data, "import", str(made["anki21"]), *flags)  # notes met again
    assert (code, loaded) == (0, [])


def test_the_app_itself_still_loads_the_orm(tmp_path):
    """The check above can fail: a command that uses the ORM shows it loaded."""
    code, loaded = _import(tmp_path / "data", "cards", "--json")
    assert code == 0 and "sqlmodel" in loaded and "cehrs_cards.db.models" in loaded
