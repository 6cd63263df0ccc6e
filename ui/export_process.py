"""The GUI's end of the summary export process (observer/cli/export_process.py).

A QProcess reports through the event loop: reading a line of its news is all the GUI
thread does while summaries are built and signed in the other process, so the window never
waits on the interpreter's lock for them. Cancelling asks the process to stop after the
summary in hand; a process that ends without saying it finished (killed, crashed) is
reported as `stopped`, once.
"""

from __future__ import annotations

import json
import logging
import sys

from PySide6.QtCore import QCoreApplication, QObject, QProcess, QProcessEnvironment, Signal

from observer.documents.export_job import CANCEL, Job
from observer.paths import PASSPHRASE_ENV

log = logging.getLogger(__name__)

MODULE = "observer.cli.export_process"
EXIT_WAIT_MS = 30_000
PASSPHRASE_VARIABLES = (PASSPHRASE_ENV, "OBSERVER_NEW_PASSPHRASE")

# Processes not yet exited, so that the app can wait for them as it quits.
_live: set[ExportProcess] = set()
_peak_kib = 0  # the largest peak memory an export process reported


def largest_peak_kib() -> int:
    """The largest peak resident memory (KiB) any export process of this app has had."""
    return _peak_kib


def end_export_processes(wait_ms: int = EXIT_WAIT_MS) -> None:
    """Asks every export still running to stop after the summary in hand, and waits for
    their processes to exit (killed if they do not within `wait_ms`)."""
    for export in list(_live):
        export.cancel()
    for export in list(_live):
        if not export.process.waitForFinished(wait_ms):
            export.process.kill()
            export.process.waitForFinished(wait_ms)


class ExportProcess(QObject):
    identity = Signal(str, str, bool, bool)  # name, fingerprint, made now, adopted now
    earlier = Signal()  # the signing key is under an earlier passphrase: ask for it
    earlier_refused = Signal()  # the earlier passphrase given does not open it either
    refused = Signal(str)  # the key cannot be opened (one sentence); nothing exported
    step = Signal(int, str)  # the item's index; why it was refused ("" when exported)
    finished = Signal(int, bool)  # items done, whether cancelled
    stopped = Signal(int)  # the process ended without finishing (items done by then)

    def __init__(self, job: Job) -> None:
        # The application's: it deletes itself once its process has exited, which may be
        # after its dialog has gone (a QProcess deleted while its process runs kills it).
        super().__init__(QCoreApplication.instance())
        self._job = job
        self._done = 0
        self._ended = False
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedErrorChannel)
        # The passphrase goes through the pipe: none that started the app is passed on.
        environment = QProcessEnvironment.systemEnvironment()
        for name in PASSPHRASE_VARIABLES:
            environment.remove(name)
        self.process.setProcessEnvironment(environment)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._exited)
        self.process.errorOccurred.connect(self._failed)

    def start(self) -> None:
        _live.add(self)
        self.process.start(sys.executable, ["-m", MODULE])
        self.process.write(self._job.to_line())

    def running(self) -> bool:
        return not self._ended

    def cancel(self) -> None:
        if self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.write(CANCEL.encode() + b"\n")

    def _read(self) -> None:
        while self.process.canReadLine():
            line = bytes(self.process.readLine().data())
            try:
                news = json.loads(line)
            except ValueError:
                log.error("the export process said something unreadable")
                continue
            self._tell(news)

    def _tell(self, news: dict[str, object]) -> None:
        event = news.get("event")
        if event == "identity":
            self.identity.emit(
                str(news["name"]),
                str(news["fingerprint"]),
                bool(news["created"]),
                bool(news["adopted"]),
            )
        elif event == "earlier":
            self._end()
            self.earlier.emit()
        elif event == "earlier_refused":
            self._end()
            self.earlier_refused.emit()
        elif event == "refused":
            self._end()
            self.refused.emit(str(news["sentence"]))
        elif event == "step":
            self._done += 1
            index = news["index"]
            assert isinstance(index, int)
            self.step.emit(index, str(news["problem"] or ""))
        elif event == "finished":
            self._end()
            peak = news.get("peak_kib")
            if isinstance(peak, int):
                global _peak_kib
                _peak_kib = max(_peak_kib, peak)
                log.info("an export process ended, its peak memory %d MB", peak // 1024)
            done = news["done"]
            assert isinstance(done, int)
            self.finished.emit(done, bool(news["cancelled"]))

    def _end(self) -> None:
        self._ended = True
        self.process.closeWriteChannel()

    def _exited(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read()  # what it said last, if not yet read
        if not self._ended:
            log.error("the export process ended unexpectedly (exit %s, %s)", code, status.name)
            self._ended = True
            self.stopped.emit(self._done)
        _live.discard(self)
        self.deleteLater()

    def _failed(self, error: QProcess.ProcessError) -> None:
        if error is QProcess.ProcessError.FailedToStart and not self._ended:
            log.error("the export process could not start")
            self._ended = True
            self.stopped.emit(self._done)
            _live.discard(self)
            self.deleteLater()
