"""The operation runner: one writer thread in order, undo pushed, one signal with the changes,
failures as exceptions, cancellation as a result, and results always on the UI thread."""

from __future__ import annotations

import gc
import sys
import threading
import weakref

import pytest

from cehrs_cards.core.ops import Cancelled, Changes, OpError, OpResult, UndoStep
from cehrs_cards.ui import ops
from cehrs_cards.ui.ops import OpRunner, active_jobs
from tests.ops_helpers import settle


@pytest.fixture
def runner(qapp):
    r = OpRunner()
    yield r
    r.wait()


def test_operations_run_in_order_and_announce_their_changes(qtbot, runner):
    order: list[int] = []
    announced: list[tuple[Changes, object]] = []
    runner.sig_operation_did_execute.connect(lambda c, i: announced.append((c, i)))
    for n in range(20):
        runner.op(
            lambda _p, n=n: (order.append(n), OpResult(n, Changes(cards=True)))[1],
            initiator="me",
        )
    settle(qtbot)
    assert order == list(range(20))
    assert len(announced) == 20 and all(c.cards and i == "me" for c, i in announced)


def test_undo_steps_are_pushed_and_undo_reports_its_changes(qtbot, runner):
    restored: list[str] = []
    step = UndoStep("Thing", lambda: (restored.append("yes"), Changes(notes=True))[1], card_id=7)
    runner.op(lambda _p: OpResult(None, Changes(cards=True), step))
    settle(qtbot)
    assert runner.undo_label() == "Thing"
    announced: list[Changes] = []
    runner.sig_operation_did_execute.connect(lambda c, _i: announced.append(c))
    got: list[UndoStep | None] = []
    runner.undo(done=got.append)
    settle(qtbot)
    assert restored == ["yes"] and got == [step] and announced[0].notes
    runner.undo(done=got.append)
    settle(qtbot)
    assert got[-1] is None and runner.undo_label() is None


def test_failures_arrive_as_the_exception_and_cancel_as_a_result(qtbot, runner):
    failed: list[Exception] = []
    cancelled: list[bool] = []
    gate = threading.Event()  # the first job holds the writer until the second is cancelled

    def bad(_p):
        gate.wait(5)
        raise OpError("no such card")

    def stop(progress):
        if not progress(1, 2):
            raise Cancelled()
        return OpResult(None, Changes())

    runner.op(bad, failed=failed.append)
    job = runner.op(stop, cancelled=lambda: cancelled.append(True))
    job.cancel()
    gate.set()
    settle(qtbot)
    assert isinstance(failed[0], OpError) and str(failed[0]) == "no such card"
    assert cancelled == [True]
    unhandled: list[tuple[Exception, object]] = []
    runner.sig_failed.connect(lambda e, i: unhandled.append((e, i)))
    runner.op(bad, initiator="view")
    settle(qtbot)
    assert unhandled and unhandled[0][1] == "view"


def test_many_jobs_report_on_the_ui_thread(qtbot, runner):
    """PySide 6.12.0 crashed after a few dozen cross-thread signals; 6.11 does not (pinned)."""
    seen: list[tuple[str, str]] = []
    for _ in range(300):
        runner.query(
            lambda _p: threading.current_thread().name,
            lambda worker: seen.append((worker, threading.current_thread().name)),
        )
    settle(qtbot)
    assert len(seen) == 300 and {ui for _, ui in seen} == {"MainThread"}
    assert all(worker != "MainThread" for worker, _ in seen)
    assert active_jobs() == 0


class _Payload:
    """Something a job's function and callbacks hold (weakly referable, unlike a list)."""


def test_finished_jobs_are_freed_with_what_their_callbacks_hold(qtbot, runner):
    """A job (and its function, its callbacks and what they refer to) was kept until exit:
    PySide's pool kept each started job and its signals' slots referred back to it."""
    held: list[weakref.ref[_Payload]] = []
    kept_job = None
    for n in range(50):
        payload = _Payload()
        held.append(weakref.ref(payload))
        fn = lambda _p, payload=payload: OpResult(payload, Changes(cards=True))  # noqa: E731
        job = runner.op(fn, done=lambda value, payload=payload: (value, payload))
        kept_job = job if n == 0 else kept_job
        runner.query(lambda _p, payload=payload: payload, done=lambda _v: None, long=True)
        del payload, fn, job
    settle(qtbot)
    qtbot.wait(10)  # the last release runs on the next turn of the loop
    gc.collect()
    assert [r for r in held[1:] if r() is not None] == []  # the first: its job is kept
    assert kept_job is not None and not kept_job.cancelled  # a job still held stays usable
    kept_job.cancel()
    assert kept_job.cancelled


def test_an_operation_must_return_an_op_result(qtbot, runner, capsys):
    with pytest.raises(AssertionError):
        runner.finished("plain value", _calls_of_an_op())


def _calls_of_an_op():
    from cehrs_cards.ui.ops import _Callbacks

    return _Callbacks(is_op=True)


def test_the_runner_makes_python_hand_its_lock_over_quickly(qtbot):
    """The window's thread and the writer thread meet at every answer: Python's default
    5 ms turn would let one wait for the other (ops.SWITCH_INTERVAL)."""
    sys.setswitchinterval(0.005)
    try:
        OpRunner()
        assert sys.getswitchinterval() == pytest.approx(ops.SWITCH_INTERVAL)
        assert ops.SWITCH_INTERVAL < 0.001
    finally:
        sys.setswitchinterval(ops.SWITCH_INTERVAL)
