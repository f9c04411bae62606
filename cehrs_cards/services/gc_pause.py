"""Python's cycle collector paused for work that makes many objects and no garbage cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off for one import, back on after (also on errors).

    An import makes a few hundred thousand short-lived rows and records, none in cycles;
    the collector would walk the growing heap again and again (a tenth of a 20,000-note
    import). Reference counting still frees everything as it goes. The `import` command
    pauses it from before its modules load: loading them makes tens of thousands of
    long-lived objects that the collector would walk too (about 35 ms of its start-up).
    Nested pauses are fine: only the outermost turns the collector back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
