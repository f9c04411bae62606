"""Running operations in tests as the UI's runner does: the service call returns an OpResult,
its undo step goes on a real UndoStack, the value comes back. And waiting for a window's
runner to finish its queued work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cehrs_cards.core.ops import OpResult
from cehrs_cards.services.undo import UndoStack


class Applied:
    """Wraps services so that each call's undo step is pushed and its value returned."""

    def __init__(self, undo: UndoStack, *services: object) -> None:
        self._undo = undo
        self._services = services

    def __getattr__(self, name: str) -> Callable[..., Any]:
        for service in self._services:
            fn = getattr(service, name, None)
            if fn is not None:
                return self._applied(fn)
        raise AttributeError(name)

    def _applied(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            result = fn(*args, **kwargs)
            if isinstance(result, OpResult):
                self._undo.push(result.undo)
                return result.value
            return result

        return call


def settle(qtbot: Any, timeout: int = 10_000) -> None:
    """Wait until every queued job of every runner has reported back."""
    from cehrs_cards.ui.ops import active_jobs

    qtbot.waitUntil(lambda: active_jobs() == 0, timeout=timeout)


def make_main_window(qtbot: Any, col: Any) -> Any:
    """The real main window on `col`, built by the composition root, shown and settled."""
    from PySide6.QtWidgets import QApplication

    from cehrs_cards.ui.app import build_main_window

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    w = build_main_window(col, app)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    settle(qtbot)
    return w
