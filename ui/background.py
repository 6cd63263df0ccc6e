"""Work off the GUI thread: a job runs on the shared QThreadPool and reports by signals.

A job gets plain values (ids, paths) and opens its own store sessions; it hands plain
results back, never live ORM objects. Cancelling is a request the job checks between
steps, so a step in hand always finishes cleanly (no half-written file).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal

from observer.errors import ObserverError

log = logging.getLogger(__name__)

Item = TypeVar("Item")


class JobSignals(QObject):
    progress = Signal(int, int)  # steps done, steps in all
    step_failed = Signal(object, str)  # the item, one sentence
    finished = Signal(int, bool)  # steps done, whether it was cancelled


class BatchJob(Generic[Item]):
    """Runs `step` for each item in turn; a refused step is reported and the rest go on.

    The caller holds the job until `finished`. The pool is given only the job's `run`, which
    it lets go of once run: a QRunnable handed to PySide's pool stays referenced by it for
    good, and with it everything its steps hold (a worker's whole history, each load).

    The signals belong to the application, not to Python, and are deleted on the GUI
    thread once they have reported: the job itself may be let go of last on the pool's
    thread, or by the garbage collector on any, and a QObject must not be deleted there.
    """

    def __init__(self, items: Sequence[Item], step: Callable[[Item], Any]) -> None:
        self.signals = JobSignals(QCoreApplication.instance())
        self._items = list(items)
        self._step = step
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self, pool: QThreadPool | None = None) -> None:
        (pool or QThreadPool.globalInstance()).start(self.run)

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.signals.deleteLater()  # safe from this thread; done after what it reported

    def _run(self) -> None:
        done = 0
        total = len(self._items)
        for item in self._items:
            if self._cancel.is_set():
                break
            try:
                self._step(item)
            except ObserverError as error:
                self.signals.step_failed.emit(item, str(error))
            except Exception as error:
                # Loud, but without the error's text: it may hold a file name with a name in it.
                log.error(
                    "a background step failed: %s\n%s",
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)),
                )
                self.signals.step_failed.emit(
                    item, "Something unexpected went wrong; the details are in the log."
                )
            done += 1
            self.signals.progress.emit(done, total)
        self.signals.finished.emit(done, self._cancel.is_set())
