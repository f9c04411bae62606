"""The one way work reaches the database from the window, and the one way changes come back.

Every operation (a service call returning an OpResult) runs on the single writer thread, in
the order asked; when it is done, on the UI thread, its undo step is pushed and one signal,
sig_operation_did_execute(changes, initiator), tells every view what changed; each view
decides from the Changes whether to redraw. Undo travels the same way. Queries (reads) run on
the same thread, so they see every earlier operation; long reads (statistics, exports) run
on a reader thread of their own so they never hold up an answer. Failures come back as the
exception itself (an OpError is shown as it is); a cancelled job is a result, not a failure.
Nothing here touches a widget off the UI thread: results arrive through queued signals.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal

from cehrs_cards.core.ops import Cancelled, Changes, OpError, OpResult, Progress, UndoStep
from cehrs_cards.services.undo import UndoStack

T = TypeVar("T")
Done = Callable[[T], object]
Failed = Callable[[Exception], object]
ProgressShown = Callable[[int, int], object]


class _Signals(QObject):
    sig_done = Signal(object)
    sig_failed = Signal(object)  # the exception
    sig_cancelled = Signal()
    sig_progress = Signal(int, int)
    sig_finished = Signal()  # last of all: only then may the job be released


class Job(QRunnable):
    """fn(progress) on a pool thread; progress(done, total) returns False once cancel() was
    called (fn then raises Cancelled)."""

    def __init__(self, fn: Callable[[Progress], Any]) -> None:
        super().__init__()
        # Python owns the job (kept in _ACTIVE until it reports): Qt deleting a Python
        # QRunnable after run() corrupted PySide's reference counts and crashed at exit.
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def _progress(self, done: int, total: int) -> bool:
        self.signals.sig_progress.emit(done, total)
        return not self.cancelled

    def run(self) -> None:
        try:
            result = self.fn(self._progress)
        except Cancelled:
            self.signals.sig_cancelled.emit()
        except Exception as exc:  # handed to the UI thread, never lost in the thread
            if not isinstance(exc, OpError):
                traceback.print_exception(exc, file=sys.stderr)
            self.signals.sig_failed.emit(exc)
        else:
            self.signals.sig_done.emit(result)
        finally:
            self.signals.sig_finished.emit()


@dataclass
class _Callbacks(Generic[T]):
    done: Done[T] | None = None
    failed: Failed | None = None
    cancelled: Callable[[], object] | None = None
    progress: ProgressShown | None = None
    initiator: object = None
    is_op: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _connect(runner: OpRunner, job: Job, calls: _Callbacks[Any]) -> None:
    """Deliver the job's signals to the callbacks on the UI thread: queued connections to
    functions run in the thread of the sender, and the job's signals object was made on the
    UI thread. (No helper QObject per job: a parented QObject whose Python side was collected
    crashed PySide when its deferred delete ran.)"""
    queued = Qt.ConnectionType.QueuedConnection
    sig = job.signals
    sig.sig_done.connect(lambda result: runner.finished(result, calls), queued)
    sig.sig_failed.connect(lambda exc: runner.failed(exc, calls), queued)
    sig.sig_cancelled.connect(lambda: calls.cancelled() if calls.cancelled else None, queued)
    if calls.progress is not None:
        progress = calls.progress
        sig.sig_progress.connect(lambda done, total: progress(done, total), queued)
    # Let go of the job only after its run() returned (Qt may still be running it before),
    # and not from inside the handling of its own signal: on the next turn of the loop. The
    # slot names the job by its key, not the job itself (see _release).
    key = id(job)
    sig.sig_finished.connect(lambda: QTimer.singleShot(0, lambda: _release(key)), queued)


def _release(key: int) -> None:
    """Free a finished job and all it refers to (its callbacks and what they hold).

    Two references would otherwise keep every job until exit (650 jobs, +5 MB of peak memory
    over 300 answers): the pool's, as PySide keeps a started QRunnable that Qt does not delete
    alive from the pool's side; and any slot connected to the job's signals that refers to the
    job, as PySide holds a slot from the C++ side, where Python's collector cannot see the
    cycle. So no slot refers to the job, and the finished job's C++ side is deleted here, on
    the UI thread, which drops the pool's reference (Qt does not touch a runnable that is not
    auto-deleted once its run() has returned). Its Python attributes stay readable."""
    job = _ACTIVE.pop(key, None)
    if job is not None:
        shiboken6.delete(job)


_ACTIVE: dict[int, Job] = {}


SWITCH_INTERVAL = 0.0002
"""Seconds a thread may keep Python's lock while another waits for it (Python's default:
0.005). An answer hands its job to the writer thread and goes back to the window's event
loop; with the default, one of the two threads could wait a millisecond for the other at
that hand-over. At 0.2 ms an answer and the next card took about 10% less in a probe timing
each step of the answer (p50, heavy collection, three paired runs: 3.3-4.0 against 3.7-4.5
ms); benchmarks/probe_gui.py, noisier, could not tell the two apart (seven paired runs,
medians 5.5 ms both). The threads rarely run Python at the same time otherwise, so the extra
switching costs next to nothing."""


class OpRunner(QObject):
    """Runs operations, queries and undo for one open collection (see the module doc)."""

    sig_operation_did_execute = Signal(object, object)  # Changes, initiator
    sig_failed = Signal(object, object)  # exception, initiator (when no `failed` was given)
    sig_undo_changed = Signal()

    def __init__(self, undo: UndoStack | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = undo or UndoStack()
        self.writer = QThreadPool(self)
        self.writer.setMaxThreadCount(1)  # one writer, as Anki: operations never race
        self.reader = QThreadPool(self)
        self.reader.setMaxThreadCount(1)
        self.files = QThreadPool(self)
        self.files.setMaxThreadCount(1)  # file work only (packing backups), never the database
        sys.setswitchinterval(SWITCH_INTERVAL)

    # ----- starting work ---------------------------------------------------------------------
    def op(
        self,
        fn: Callable[[Progress], OpResult[T]],
        *,
        initiator: object = None,
        done: Done[T] | None = None,
        failed: Failed | None = None,
        cancelled: Callable[[], object] | None = None,
        progress: ProgressShown | None = None,
    ) -> Job:
        """Run an operation on the writer thread; then push its undo step, announce its
        changes and call done(value), on the UI thread."""
        calls = _Callbacks(done, failed, cancelled, progress, initiator, is_op=True)
        return self._start(Job(fn), calls, self.writer)

    def query(
        self,
        fn: Callable[[Progress], T],
        done: Done[T] | None = None,
        *,
        failed: Failed | None = None,
        cancelled: Callable[[], object] | None = None,
        progress: ProgressShown | None = None,
        long: bool = False,
    ) -> Job:
        """Read on the writer thread (after every operation asked before it), or with `long`
        on the reader thread so a slow read never delays an answer."""
        calls: _Callbacks[T] = _Callbacks(done, failed, cancelled, progress)
        return self._start(Job(fn), calls, self.reader if long else self.writer)

    def file_job(self, fn: Callable[[Progress], T], done: Done[T] | None = None) -> Job:
        """Work on files only (never the database), on a thread of its own."""
        return self._start(Job(fn), _Callbacks(done), self.files)

    def undo(
        self, *, initiator: object = None, done: Callable[[UndoStep | None], object] | None = None
    ) -> Job:
        """Undo the newest step on the writer thread; announces what it changed."""
        stack = self.undo_stack

        def run(_progress: Progress) -> OpResult[UndoStep | None]:
            got = stack.undo()
            if got is None:
                return OpResult(None, Changes())
            step, changes = got
            return OpResult(step, changes)

        return self.op(run, initiator=initiator, done=done)

    def undo_label(self) -> str | None:
        return self.undo_stack.label()

    def _start(self, job: Job, calls: _Callbacks[Any], pool: QThreadPool) -> Job:
        _ACTIVE[id(job)] = job
        _connect(self, job, calls)
        pool.start(job)
        return job

    # ----- results ---------------------------------------------------------------------------
    def failed(self, exc: Exception, calls: _Callbacks[Any]) -> None:
        if calls.failed is not None:
            calls.failed(exc)
        else:
            self.sig_failed.emit(exc, calls.initiator)

    def finished(self, result: object, calls: _Callbacks[Any]) -> None:
        value = result
        if calls.is_op:
            assert isinstance(result, OpResult), f"an operation must return OpResult: {result!r}"
            if result.undo is not None:
                self.undo_stack.push(result.undo)
            value = result.value
            if result.changes.any or result.undo is not None:
                self.sig_undo_changed.emit()
            if result.changes.any:
                self.sig_operation_did_execute.emit(result.changes, calls.initiator)
        if calls.done is not None:
            calls.done(value)

    def wait(self, msecs: int = -1) -> bool:
        """Block until every job has finished (at exit: PySide crashes otherwise)."""
        return all(p.waitForDone(msecs) for p in (self.writer, self.reader, self.files))


def active_jobs() -> int:
    return len(_ACTIVE)
