"""What the window's start keeps in memory (issue 15, peak memory): the services are loaded
before PySide6, so that PySide6's import hook never reads the source of what they load into
Python's line cache (19 MB for SQLAlchemy, pydantic and the services). A real process, started as
`cehrs-cards` starts the window (cli -> ui.app)."""

from __future__ import annotations

import json
import subprocess
import sys

RUN = """
import json, linecache, sys
import cehrs_cards.ui.app
order = list(sys.modules)
files = [f for f in linecache.cache if f.endswith(".py")]  # not SQLAlchemy's generated code
cached = [f for f in files if "/sqlalchemy/" in f or "/pydantic/" in f]
print(json.dumps([order.index("sqlalchemy") < order.index("PySide6"), cached]))
"""


def test_the_window_loads_the_services_before_qt_and_keeps_no_source_of_them():
    run = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    before_qt, cached = json.loads(run.stdout.splitlines()[-1])
    assert before_qt
    assert cached == []
