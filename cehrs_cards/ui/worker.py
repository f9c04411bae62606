"""Run long work off the UI thread. The worker gets plain values and returns records; results,
progress and errors come back as signals on the UI thread, so no widget is touched elsewhere.

Connect the signals to methods of a QObject (a widget): Qt then queues the call to that
object's thread. A lambda or plain function would run in the worker thread instead."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class WorkerSignals(QObject):
    sig_done = Signal(object)
    sig_error = Signal(str)
    sig_progress = Signal(int, int)
    sig_finished = Signal()  # after sig_done or sig_error


class Worker(QRunnable):
    """fn(progress) -> result, where progress(done, total) -> bool (False = cancel requested)."""

    def __init__(self, fn: Callable[[Callable[[int, int], bool]], Any]) -> None:
        super().__init__()
        # Python owns the worker (kept in _ACTIVE until it finishes): Qt deleting a Python
        # QRunnable after run() corrupted PySide's reference counts and crashed at exit.
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = WorkerSignals()
        self.cancelled = False

    def _progress(self, done: int, total: int) -> bool:
        self.signals.sig_progress.emit(done, total)
        return not self.cancelled

    def run(self) -> None:
        try:
            result = self.fn(self._progress)
        except Exception as exc:  # shown to the user, never lost in the thread
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.signals.sig_error.emit(detail)
        else:
            self.signals.sig_done.emit(result)
        finally:
            self.signals.sig_finished.emit()


_POOL: QThreadPool | None = None


def pool() -> QThreadPool:
    """One serialized background writer, as Anki does: jobs never race each other."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(1)
    return _POOL


_FILES: QThreadPool | None = None


def file_pool() -> QThreadPool:
    """A second single thread for work on files only, never the database (packing backups):
    long file work must not hold up the database jobs queued behind it."""
    global _FILES
    if _FILES is None:
        _FILES = QThreadPool()
        _FILES.setMaxThreadCount(1)
    return _FILES


def wait_for_all() -> None:
    """Block until every background job has finished (at exit: PySide crashes otherwise)."""
    pool().waitForDone()
    file_pool().waitForDone()


class _Reaper(QObject):
    """Lives on the UI thread; drops a finished worker from _ACTIVE there."""

    def release(self) -> None:
        signals = self.sender()
        for job in [j for j in _ACTIVE if j.signals is signals]:
            _ACTIVE.discard(job)


_ACTIVE: set[Worker] = set()
_REAPER: _Reaper | None = None


def start(worker: Worker, on: QThreadPool | None = None) -> Worker:
    """Run `worker` on the database pool (or `on`, e.g. file_pool())."""
    global _REAPER
    if _REAPER is None:
        _REAPER = _Reaper()
    _ACTIVE.add(worker)
    worker.signals.sig_finished.connect(_REAPER.release)
    (on or pool()).start(worker)
    return worker
