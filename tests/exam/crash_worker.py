"""Start a mock on a collection, answer some items, then kill this process with SIGKILL.

    python tests/exam/crash_worker.py DATA_DIR ANSWERS

Used by tests/exam/test_service.py to prove an attempt survives a real kill. Runs with a fake
clock standing at tests' T0 so the test can reopen with the clock moved on.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import ExamService

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def main() -> None:
    data, answers = Path(sys.argv[1]), int(sys.argv[2])
    col = Collection(data, clock=FakeClock(T0), tz=UTC)
    exams = ExamService(col)
    att = exams.start_mock(seed=11).value
    for i in range(answers):
        exams.select(att, i % 4)
        if i % 5 == 0:
            exams.toggle_flag(att)
        exams.goto(att, i + 1)
    print(f"answered {answers}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no commit of anything pending


if __name__ == "__main__":
    main()
