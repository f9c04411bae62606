"""Open every screen of tests/ui/screens.py on this process's screen and report what does not
fit; optionally save a screenshot of each.

    QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json [QT_SCALE_FACTOR=1.5] \\
        python -m tests.ui.fit_check COLLECTION NOW WORKDIR REPORT.json [--shots DIR] [--dark]

The offscreen platform takes its screen size from a JSON file (configfile=; see
`screen_config`), not from a size= parameter. The report is a JSON object: screen geometry,
and per screen its window size and the controls that lie outside the screen.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QTabBar,
    QWidget,
)

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QTabBar)


def screen_config(width: int, height: int) -> dict[str, object]:
    """The offscreen platform's configuration for one screen of this size."""
    return {
        "synchronousWindowSystemEvents": False,
        "windowFrameMargins": True,
        "screens": [
            {
                "name": "Laptop",
                "x": 0,
                "y": 0,
                "width": width,
                "height": height,
                "logicalDpi": 96,
                "logicalBaseDpi": 96,
                "dpr": 1,
            }
        ],
    }


def global_rect(w: QWidget) -> QRect:
    return QRect(w.mapToGlobal(QPoint(0, 0)), w.size())


def scroll_viewport(w: QWidget) -> QWidget | None:
    """The viewport of the nearest scroll area holding `w` (its content scrolls into view)."""
    parent = w.parentWidget()
    while parent is not None:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and area.viewport() is parent:
            return parent
        parent = parent.parentWidget()
    return None


def problems(window: QWidget) -> list[str]:
    """The window's frame, and every visible control, must lie inside the available screen
    (a control inside a scroll area: the part of the area that shows it)."""
    screen = window.screen()
    area = screen.availableGeometry() if screen is not None else QRect()
    out = []
    frame = window.frameGeometry()
    if not area.contains(frame):
        out.append(f"window {frame.getRect()} outside the screen {area.getRect()}")
    inner = window.geometry()
    for w in window.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or not w.isVisible() or w.window() is not window:
            continue
        holder = scroll_viewport(w)
        rect = global_rect(w)
        if holder is not None:
            rect = global_rect(holder).intersected(rect) if w.width() else rect
            if rect.isEmpty():  # scrolled away: reachable if the scroll area is on screen
                rect = global_rect(holder)
        if not (area.contains(rect) and inner.contains(rect)):
            out.append(f"{_describe(w)} at {rect.getRect()} not inside")
    return out


def _describe(w: QWidget) -> str:
    text = getattr(w, "text", None)
    label = text() if callable(text) else ""
    return f"{type(w).__name__} {label or w.accessibleName() or w.objectName()!r}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("collection", type=Path)
    parser.add_argument("now")
    parser.add_argument("work", type=Path)
    parser.add_argument("report", type=Path)
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--suffix", default="")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()

    from datetime import datetime

    from cehrs_cards.ui.theme import apply_theme
    from tests.ui import screens

    app = QApplication(sys.argv)
    data = screens.copy_collection(args.collection, args.work / "data")
    ctx = screens.open_app(app, data, datetime.fromisoformat(args.now), args.work)
    apply_theme(app, args.dark)
    screen = app.primaryScreen()
    report: dict[str, Any] = {
        "screen": screen.availableGeometry().getRect() if screen else None,
        "scale": screen.devicePixelRatio() if screen else None,
        "screens": {},
    }
    for name, build in screens.SCREENS.items():
        if args.only and name not in args.only:
            continue
        report["screens"][name] = _one(ctx, name, build, args)
    screens.close_app(ctx)
    args.report.write_text(json.dumps(report, indent=1))
    return 0


def _one(ctx: Any, name: str, build: Any, args: argparse.Namespace) -> dict[str, object]:
    from tests.ui import screens

    try:
        window = build(ctx)
        window.raise_()
        window.activateWindow()
        screens.settle(ctx.app)
        found = problems(window)
        size = window.size()
        if args.shots is not None:
            window.grab().save(str(args.shots / f"{name}{args.suffix}.png"))
        screens.close(ctx, window)
        return {"size": [size.width(), size.height()], "problems": found}
    except Exception:
        lines = traceback.format_exc().strip().splitlines()
        return {"size": None, "problems": [" | ".join(lines[-3:])]}


if __name__ == "__main__":
    sys.exit(main())
