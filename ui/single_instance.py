"""One app per data folder: a second start brings the first forward and opens nothing.

Two apps on one store would each autosave over the other's drafts and each hold the key in
memory, so the GUI claims the data folder before it asks for the passphrase: a lock file in
the folder (QLockFile), and a local server named after a hash of the folder's path. A
second start finds the lock held, tells the first over the local socket to come forward
(raise and activate its foremost window: the lock screen when locked), and exits 0. A lock
left by a process that has died (a crash, a power cut) is taken over, as QLockFile sees
that its process is gone; the socket file such a crash leaves behind is removed. A lock
held by a process that is alive but does not answer is never taken over: the second start
says so and exits.

The lock file holds what QLockFile writes: the process id and name, the host name, and
machine and boot ids; no names of people and nothing from the records. The server name is a
hash, so the folder's path (often the user's name) is not published either.

The command line (observer/cli/main.py) takes no part: IT scripts may run while the app is open,
and the store copes with two writers (observer.records.merge).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Qt, QThread, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget

from observer.errors import ObserverError

log = logging.getLogger(__name__)

LOCK_FILE = "practice-observer.lock"
SERVER_PREFIX = "practice-observer-"
BRING_FORWARD = b"bring-forward\n"
LONGEST_MESSAGE = 64
CONNECT_MS = 1000
RETRY_MS = 100
# How long a second start waits for a first that holds the lock but is not listening yet.
PATIENCE_MS = 3000


class Claim(Enum):
    FIRST = "first"  # this process has the folder
    FORWARDED = "forwarded"  # another has it and was asked to come forward
    NOT_ANSWERING = "not answering"  # another has it, alive, and did not answer


class AlreadyOpen(ObserverError):
    """Another Practice Observer has this data folder and does not answer."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"Practice Observer is already open with the folder {data_dir} but is not "
            "answering; close it (or end it in the task manager) and start it again."
        )


def server_name(data_dir: Path) -> str:
    """A short name, safe as a socket or pipe name on every platform, for one folder."""
    path = os.path.normcase(str(data_dir.expanduser().resolve()))
    return SERVER_PREFIX + hashlib.sha256(path.encode("utf-8")).hexdigest()[:24]


class SingleInstance(QObject):
    """This process's claim on a data folder; `activation_requested` fires when another
    start of the app asks this one to come forward."""

    activation_requested = Signal()

    def __init__(
        self, data_dir: Path, *, patience_ms: int | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.name = server_name(data_dir)
        self._patience_ms = PATIENCE_MS if patience_ms is None else patience_ms
        self._lock = QLockFile(str(data_dir / LOCK_FILE))
        # Never stale by age: a long-running app keeps its claim. A dead process is still
        # detected (its id is no longer running).
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None
        self._incoming: dict[int, bytes] = {}

    @property
    def lock_path(self) -> Path:
        return self.data_dir / LOCK_FILE

    def claim(self) -> Claim:
        """Takes the folder, or asks the app that has it to come forward."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return Claim.FIRST  # nothing can open a store here; the start-up says why
        deadline = time.monotonic() + self._patience_ms / 1000
        while True:
            if self._lock.tryLock(0):
                self._listen()
                return Claim.FIRST
            if self._lock.error() is not QLockFile.LockError.LockFailedError:
                # Unwritable folder: the store cannot be opened either, and says so.
                log.warning("cannot lock the data folder: %s", self._lock.error().name)
                return Claim.FIRST
            if self._ask_to_come_forward():
                log.info("the app is already open on this data folder; asked it to come forward")
                return Claim.FORWARDED
            if time.monotonic() >= deadline:
                log.warning("the app holding this data folder does not answer")
                return Claim.NOT_ANSWERING
            QThread.msleep(RETRY_MS)

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()

    # The first start

    def _listen(self) -> None:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # A socket left by a crash: we hold the lock, so nobody is behind it.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("a second start cannot reach this one: %s", server.errorString())
                return
        server.newConnection.connect(self._accept)
        self._server = server

    def _accept(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            self._incoming[id(socket)] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        key = id(socket)
        if key not in self._incoming:
            return
        received = self._incoming[key] + bytes(socket.read(LONGEST_MESSAGE).data())
        if b"\n" not in received and len(received) < LONGEST_MESSAGE:
            self._incoming[key] = received
            return
        del self._incoming[key]
        socket.disconnectFromServer()
        if received.startswith(BRING_FORWARD):
            log.info("another start of the app asked this one to come forward")
            self.activation_requested.emit()

    def _forget(self, socket: QLocalSocket) -> None:
        if id(socket) in self._incoming:
            self._read(socket)  # a message that arrived with the hang-up
        self._incoming.pop(id(socket), None)
        socket.deleteLater()

    # A second start

    def _ask_to_come_forward(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_MS):
            return False
        socket.write(BRING_FORWARD)
        socket.flush()
        socket.waitForBytesWritten(CONNECT_MS)
        socket.disconnectFromServer()
        if socket.state() is not QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(CONNECT_MS)
        return True


def bring_forward() -> None:
    """Shows the user this app: a dialog waiting for an answer (the passphrase, the lock
    screen) if there is one, else the main window."""
    target: QWidget | None = QApplication.activeModalWidget()
    if target is None:
        from ui.main_window import MainWindow

        windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        target = next((w for w in windows if isinstance(w, MainWindow)), None)
        target = target or QApplication.activeWindow() or (windows[0] if windows else None)
    if target is None or not target.isVisible():
        return
    if target.isMinimized():
        target.setWindowState(target.windowState() & ~Qt.WindowState.WindowMinimized)
    target.raise_()
    target.activateWindow()
