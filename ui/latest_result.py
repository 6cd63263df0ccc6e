"""Loading on the thread pool where only the latest request counts.

A page that reloads as its user changes filters may have several loads under way; each
has a number, and a result that comes back for any but the latest is dropped, so a slow
old load never replaces a newer one on screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, QTimer, Signal, Slot
from shiboken6 import isValid

from ui.background import BatchJob

# Loads under way, held (with their jobs) until their job reports, even if their owner
# has gone meanwhile: the pool must never run a job that has been collected.
_running: set[_Load] = set()


def single_shot(parent: QObject, interval: int, slot: Callable[[], object]) -> QTimer:
    """A timer that, once started, calls `slot` after `interval` ms (started again, it waits
    afresh): the pause before a reload, a catch-up, an autosave."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval)
    timer.timeout.connect(slot)
    return timer


def _nothing() -> None:
    return None


class _Load(QObject):
    """One load on the thread pool; reports to its owner on the GUI thread."""

    def __init__(self, owner: LatestResult, number: int, work: Callable[[], object]) -> None:
        # The application's, not its owner's: it outlives an owner that goes before the job
        # ends, and is deleted on the GUI thread (see BatchJob), never by Python's collector.
        super().__init__(QCoreApplication.instance())
        self.number = number
        self.result: object = None
        self.refusal = ""
        self._owner = owner
        self._work = work
        self.job: BatchJob[None] = BatchJob([None], self._step)
        self.job.signals.step_failed.connect(self._refused)
        self.job.signals.finished.connect(self._finished)

    def start(self, pool: QThreadPool | None) -> None:
        _running.add(self)
        self.job.start(pool)

    def _step(self, _item: None) -> None:  # on the pool's thread
        self.result = self._work()

    @Slot(object, str)
    def _refused(self, _item: object, sentence: str) -> None:
        self.refusal = sentence

    @Slot(int, bool)
    def _finished(self, _done: int, _cancelled: bool) -> None:
        _running.discard(self)
        if isValid(self._owner):
            self._owner._arrived(self)
        # This object and its job refer to each other through their signals' connections,
        # so Python frees them only in a full collection, which runs seldom: what the load
        # read (two thousand rows of the team overview, say) is let go of now, not then.
        self.result, self._work = None, _nothing
        self.deleteLater()


class LatestResult(QObject):
    """Runs loads off the GUI thread and reports the latest one's result or refusal."""

    ready = Signal(object)  # the latest load's result
    failed = Signal(str)  # the latest load's refusal, one sentence

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._number = 0
        self._busy = False

    def request(self, work: Callable[[], object]) -> int:
        """Starts `work` (it must open its own store session); returns the request's number."""
        self._number += 1
        self._busy = True
        _Load(self, self._number, work).start(self._pool)
        return self._number

    def forget(self) -> None:
        """Whatever is under way is no longer wanted."""
        self._number += 1
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def _arrived(self, load: _Load) -> None:
        if load.number != self._number:
            return
        self._busy = False
        if load.refusal:
            self.failed.emit(load.refusal)
        else:
            self.ready.emit(load.result)
