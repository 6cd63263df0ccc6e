"""Backups in the GUI: a daily one after start-up and "Back up now", both off the GUI
thread; one on closing; and, when the store cannot be read at start, the offer to restore
the latest good backup.

Restoring a backup while the app is open is left to start-up (offered for a damaged store)
and to `observer restore`: the store would have to be closed under the open windows.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from observer.errors import DatabaseUnreadable, ObserverError
from ui.background import BatchJob
from ui.prompts import Prompts

if TYPE_CHECKING:
    from observer.services import Services

log = logging.getLogger(__name__)

BACK_UP_NOW = "&Back up now"
# The pool may still hold a job when its window has gone; it is kept here until the app
# has waited for the pool (back_up_on_close), so it is never freed while it runs.
_running: list[BatchJob[None]] = []


class RestoreDeclined(ObserverError):
    """The user chose not to restore a backup of a store that cannot be read."""


class UnreadableStore(ObserverError):
    """The store cannot be read with a passphrase that is known to be right (it opens the
    backups, or the store's first page): a backup that passphrase opens can be offered."""

    def __init__(self, error: DatabaseUnreadable, passphrase: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.passphrase = passphrase


def restore_question(when: str) -> str:
    return (
        "Practice Observer cannot read its store: it looks damaged. The damaged file will be "
        f"kept aside, unchanged. Restore the backup of {when}?"
    )


def offer_restore(
    prompts: Prompts, directory: Path, unreadable: UnreadableStore, interactive: bool = True
) -> Services:
    """Asks whether to restore the latest good backup, restores it and opens the store.
    Raises the original error when there is no good backup, RestoreDeclined on No."""
    from observer.services import DataFolder

    folder = DataFolder(directory)
    backup = folder.latest_good_backup(unreadable.passphrase)
    if backup is None:
        raise unreadable.error
    if not interactive:
        message = folder.damaged_store_message(unreadable.passphrase, unreadable.error)
        raise ObserverError(message)
    # The same plan, question and refusals as `observer restore`: what would be lost is
    # named and counted, and a store under another passphrase is never set aside.
    plan = folder.plan_restore(backup.path, unreadable.passphrase)
    if not prompts.ask(None, plan.question(), default_yes=True):
        log.info("the user chose not to restore a backup of a store that cannot be read")
        raise RestoreDeclined("The store was left as it was.")
    opened, kept_as = folder.restore_and_open(backup, unreadable.passphrase, plan.to_confirm)
    prompts.information(
        None,
        f"The backup of {backup.describe()} is restored; the damaged file is kept as {kept_as}.",
    )
    return opened


class _BackupReporter(QObject):
    """Tells the window how a background backup went. A child of the window, so nothing is
    told to a window that has gone."""

    def __init__(
        self, window: QMainWindow, prompts: Prompts, made: list[Path], done: Callable[[Path], None]
    ) -> None:
        super().__init__(window)
        self._window = window
        self._prompts = prompts
        self._made = made
        self._done = done

    @Slot(object, str)
    def failed(self, _item: object, message: str) -> None:
        self._prompts.warning(self._window, message)

    @Slot(int, bool)
    def finished(self, _done: int, _cancelled: bool) -> None:
        if self._made:
            self._done(self._made[0])
        self.deleteLater()


def _in_background(
    window: QMainWindow,
    prompts: Prompts,
    backup: Callable[[], Path | None],
    done: Callable[[Path], None],
) -> BatchJob[None]:
    made: list[Path] = []

    def step(_: None) -> None:
        path = backup()
        if path is not None:
            made.append(path)

    job: BatchJob[None] = BatchJob([None], step)
    reporter = _BackupReporter(window, prompts, made, done)
    job.signals.step_failed.connect(reporter.failed)
    job.signals.finished.connect(reporter.finished)
    _running.append(job)
    job.start()
    return job


def start_daily_backup(window: QMainWindow, services: Services, prompts: Prompts) -> BatchJob[None]:
    """A daily backup, if one is due, without holding up the window."""

    def done(path: Path) -> None:
        window.statusBar().showMessage("Today's backup is made.", 5000)

    return _in_background(window, prompts, services.backups.if_due, done)


def back_up_now(window: QMainWindow, services: Services, prompts: Prompts) -> BatchJob[None]:
    window.statusBar().showMessage("Backing up…")

    def done(path: Path) -> None:
        window.statusBar().clearMessage()
        prompts.information(window, f"Backed up to {path}.")

    return _in_background(window, prompts, services.backups.make, done)


def add_backup_action(window: QMainWindow, services: Services, prompts: Prompts) -> QAction:
    """File → Back up now, just above Quit's group."""
    action = QAction(BACK_UP_NOW, window)
    action.setStatusTip("Make an encrypted backup of the records now")
    action.triggered.connect(lambda: back_up_now(window, services, prompts))
    file_menu = next(
        (
            menu
            for menu in (a.menu() for a in window.menuBar().actions())
            if isinstance(menu, QMenu) and menu.title() == "&File"
        ),
        None,
    )
    if file_menu is None:
        return action
    separators = [a for a in file_menu.actions() if a.isSeparator()]
    if separators:
        file_menu.insertAction(separators[-1], action)
    else:
        file_menu.addAction(action)
    return action


def back_up_on_close(services: Services, prompts: Prompts, args: argparse.Namespace) -> None:
    """The on-close backup, once background work has finished and before the store closes.
    Start-up timing runs (--quit-after-startup) make none."""
    QThreadPool.globalInstance().waitForDone()
    _running.clear()
    if args.quit_after_startup:
        return
    try:
        services.backups.on_close()
    except ObserverError as error:
        log.error("the backup on closing failed: %s", type(error).__name__)
        prompts.warning(None, str(error))
    except OSError as error:
        log.error("the backup on closing could not be written: %s", error.strerror)
        prompts.warning(None, f"The backup on closing could not be written: {error.strerror}.")
