"""Opening the encrypted store from the GUI: a new passphrase for a new or earlier store,
else the unlock dialog, which keeps asking (with the growing wait) until one opens it."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QProgressDialog

from observer.errors import DatabaseUnreadable
from observer.security.attempts import UnlockAttempts
from observer.security.unlock import (
    StoreState,
    TooManyAttempts,
    WrongStorePassphrase,
    check_new_passphrase,
    store_state,
    unlock,
)
from ui.backup import UnreadableStore

if TYPE_CHECKING:
    from observer.services import Services

T = TypeVar("T")
ENCRYPTING = (
    "Encrypting your records and their backups. This happens once, and may take a minute "
    "or two for a large store; please leave the laptop on."
)
OPENING = (
    "Opening your records. The first start after an update prepares them for the new "
    "version, which can take a few minutes for a large store; please leave the laptop on."
)
# An open that takes longer than this shows the busy indicator (an upgrade, say).
SHOW_PROGRESS_AFTER = 0.4


def open_store(directory: Path, meanwhile: Callable[[], object] = lambda: None) -> Services | None:
    """The opened store, or None when the user chose not to go on. Raises ObserverError
    for a store that no passphrase can open (too new), UnreadableStore for a damaged one.
    `meanwhile` runs while the store opens (see `opening`)."""
    from ui.dialogs.passphrase import Attempt, NewPassphraseDialog, UnlockDialog

    state = store_state(directory)
    if state is StoreState.NEW:
        passphrase = NewPassphraseDialog.choose(check_new_passphrase)
        return None if passphrase is None else opening(directory, passphrase, meanwhile)
    if state is StoreState.PLAIN:
        passphrase = NewPassphraseDialog.choose(check_new_passphrase, earlier_store=True)
        if passphrase is None:
            return None
        chosen = passphrase
        return with_progress(ENCRYPTING, lambda: _open(directory, chosen), after=0)

    opened: list[Services] = []

    def attempt(passphrase: str) -> Attempt:
        try:
            opened.append(opening(directory, passphrase, meanwhile))
        except WrongStorePassphrase as error:
            return Attempt(str(error), seconds_to_wait(directory))
        except TooManyAttempts as error:
            return Attempt(str(error), error.seconds)
        except DatabaseUnreadable as error:
            # The passphrase is right but the store is damaged: start-up offers a backup.
            raise UnreadableStore(error, passphrase) from error
        return Attempt()

    dialog = UnlockDialog(attempt, wait_seconds=seconds_to_wait(directory))
    dialog.exec()
    failure = dialog.failure
    dialog.deleteLater()
    if failure is not None:
        raise failure
    return opened[0] if opened else None


def opening(
    directory: Path, passphrase: str, meanwhile: Callable[[], object] = lambda: None
) -> Services:
    """Opens the store, with the busy indicator if it takes long (a schema upgrade).
    `meanwhile` runs on this thread while the key is derived on the other, which leaves
    this one free: start-up imports the main window's modules then."""
    return with_progress(OPENING, lambda: _open(directory, passphrase), meanwhile=meanwhile)


def _open(directory: Path, passphrase: str) -> Services:
    key = unlock(directory, passphrase)  # first: the derivation lets the other thread run
    from observer.services import open_services

    return open_services(directory, passphrase, key)


def with_progress(
    message: str,
    work: Callable[[], T],
    *,
    after: float = SHOW_PROGRESS_AFTER,
    meanwhile: Callable[[], object] = lambda: None,
) -> T:
    """Runs `work` on a thread, and `meanwhile` on this one; if `work` takes longer than
    `after` seconds more, a busy indicator keeps the screen alive until it ends."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=run, name="opening-store", daemon=False)
    started = time.monotonic()
    worker.start()
    meanwhile_failed: BaseException | None = None
    try:
        meanwhile()
    except BaseException as error:  # reported once the store's own outcome is known
        meanwhile_failed = error
    # A quick open never flashes a dialog; a long one shows it `after` seconds in.
    worker.join(max(0.0, started + after - time.monotonic()))
    if worker.is_alive():
        _busy_until_done(worker, message)
    if failure:
        raise failure[0]
    if meanwhile_failed is not None:
        raise meanwhile_failed
    return outcome[0]


def _busy_until_done(worker: threading.Thread, message: str) -> None:
    progress = QProgressDialog(message, "", 0, 0)
    progress.setCancelButton(None)  # type: ignore[arg-type]
    progress.setWindowTitle("Practice Observer")
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.show()
    while worker.is_alive():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        worker.join(0.05)
    progress.close()
    progress.deleteLater()


def seconds_to_wait(directory: Path) -> int:
    return math.ceil(UnlockAttempts(directory).wait().total_seconds())
