"""A sub-command's process ends without the interpreter's teardown (cli.exit_now, issue 15),
and loses nothing by it: its output, its exit code, the at-exit handlers, a thread still at
work. Each case is a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_output_exit_code_and_at_exit_handlers_survive():
    done = _python(
        "import atexit, sys\n"
        "from cehrs_cards import cli\n"
        "atexit.register(print, 'at exit')\n"
        "sys.stdout.write('partial line, not flushed')\n"
        "cli.exit_now(3)\n"
    )
    assert done.returncode == 3
    assert done.stdout == "partial line, not flushedat exit\n"


def test_a_thread_still_at_work_is_waited_for():
    done = _python(
        "import threading, time\n"
        "from cehrs_cards import cli\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print('thread finished', flush=True)\n"
        "threading.Thread(target=late).start()\n"
        "cli.exit_now(0)\n"
    )
    assert done.returncode == 0
    assert done.stdout == "thread finished\n"


def test_the_command_imports_and_reports_through_it(tmp_path: Path):
    """`python -m cehrs_cards import` (the entry the command and the bundle use) prints its
    whole JSON summary and exits 0; a failing one says why and exits 2."""
    data = tmp_path / "data"
    base = [sys.executable, "-m", "cehrs_cards", "--data-dir", str(data)]
    done = subprocess.run(
        [*base, "import", str(FIXTURES / "decks"), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["notes_added"] > 0
    failed = subprocess.run(
        [*base, "import", str(tmp_path / "missing.apkg")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("cehrs-cards: error:") and "does not exist" in failed.stderr
