"""The window (PySide6): the only package that imports Qt.

The services the window uses are imported here, before any module of this package imports
PySide6. Once loaded, PySide6 reads the source of every module imported after it (looking for
its `from __feature__ import ...`), and Python keeps that source in memory for the life of
the process (linecache): loaded after PySide6, SQLAlchemy, pydantic and the services cost the
window 19 MB of memory and 0.15 s of its start (issue 15). A failed import is
left to the module that needs it, so that the app can still say what is missing.
"""

from contextlib import suppress

with suppress(ImportError):
    import cehrs_cards.services.bundled
    import cehrs_cards.services.container
    import cehrs_cards.services.records  # noqa: F401 (loaded for its effect, see above)
