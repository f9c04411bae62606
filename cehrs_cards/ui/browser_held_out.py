"""Held-out diagnostic items in the browser: hidden unless the user asks, asked once a session.

The bundled deck keeps about 300 multiple-choice items out of study so that a mock's answers to
them measure what the candidate can do on questions never drilled (the readiness estimate).
Reading one in the browser turns it into a drilled question. So the browser leaves them out of
every search and says how many it left out; showing them ("Show held-out" beside the search,
the side panel's "Held-out items", or typing is:heldout) asks once per session, No by default.
Shown, their rows are greyed and italic, with a tooltip saying why they are special.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QMessageBox, QWidget

HELD_OUT_QUERY = "is:heldout"
HELD_OUT_TIP = "Held-out diagnostic item: kept out of study so your readiness estimate stays honest"
SPOIL_TITLE = "Show held-out items?"
SPOIL_TEXT = (
    "Seeing a held-out item spoils it as a diagnostic: mocks score you on these questions "
    "precisely because you have never studied them, and once read, an answer measures memory "
    "instead of what you can do on the exam.\n\nShow them anyway?"
)
_MENTION = re.compile(r"(?<![-\w:])is:heldout\b", re.IGNORECASE)


def asks_for_held_out(query: str) -> bool:
    """The query searches for held-out items by name (is:heldout, not -is:heldout)."""
    return _MENTION.search(query) is not None


class SpoilGuard:
    """Whether the user agreed to see held-out items in this session (one per app run: the
    launcher keeps it across browser windows)."""

    def __init__(self) -> None:
        self.agreed = False

    def allow(self, parent: QWidget) -> bool:
        """Ask once (No by default); True when the user agreed now or earlier."""
        if not self.agreed:
            box = QMessageBox(QMessageBox.Icon.Warning, SPOIL_TITLE, SPOIL_TEXT, parent=parent)
            box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            box.setDefaultButton(QMessageBox.StandardButton.No)
            box.setEscapeButton(QMessageBox.StandardButton.No)
            box.exec()
            clicked = box.standardButton(box.clickedButton())
            self.agreed = clicked == QMessageBox.StandardButton.Yes
        return self.agreed
