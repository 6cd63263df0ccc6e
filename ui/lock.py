"""Locking the app: after a stretch without use, or on Ctrl+L, the records are hidden until
the passphrase is typed again.

Locking first saves what every editor holds; a save that fails leaves the typing in its
window, where the autosaver keeps trying, and it is saved again on unlock. Then every
window is hidden and the unlock dialog asks for the passphrase. A dialog waiting for an
answer (a modal dialog, often in exec()) cannot be hidden: Qt ends a hidden dialog's exec()
as if it were cancelled, and what was typed in it would be lost. Such a dialog is covered
instead, and its title replaced. A wrong passphrase goes into the audit trail at once (the
store is open) and makes the next try wait (observer.security.attempts); the right one shows
exactly the windows that were showing, and puts the cursor back.

Use is seen by an event filter on the application: keys, mouse buttons and moves, the wheel
and touch restart a single-shot timer. While locked the timer is stopped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QToolTip, QWidget
from shiboken6 import isValid

from observer.errors import ObserverError
from observer.security.attempts import UnlockAttempts
from observer.security.idle_lock import DEFAULT_IDLE_MINUTES
from observer.security.unlock import TooManyAttempts
from ui.dialogs.passphrase import Attempt, UnlockDialog
from ui.unlock import seconds_to_wait

if TYPE_CHECKING:
    from observer.services import Services
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)
WRONG_PASSPHRASE = "That passphrase does not open the store."
LOCKED_TITLE = "Practice Observer is locked"
FAILED_UNLOCK_ACTOR = "unknown (wrong passphrase)"
RESTORED_TYPES = (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Tool)


@dataclass
class _Hidden:
    window: QWidget
    state: Qt.WindowState


@dataclass
class _Cover:
    """An opaque sheet over a dialog that cannot be hidden, and its title, until unlock."""

    dialog: QWidget
    sheet: QLabel
    title: str

    @classmethod
    def over(cls, dialog: QWidget) -> _Cover:
        # A plain QLabel, not a subclass: Python code must not run while Qt deletes it.
        sheet = QLabel(LOCKED_TITLE, dialog)
        sheet.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sheet.setAutoFillBackground(True)
        sheet.setAccessibleName("Locked")
        sheet.setGeometry(dialog.rect())
        sheet.raise_()
        sheet.show()
        title = dialog.windowTitle()
        dialog.setWindowTitle(LOCKED_TITLE)
        return cls(dialog, sheet, title)

    def fit(self) -> None:
        if isValid(self.sheet):
            self.sheet.setGeometry(self.dialog.rect())
            self.sheet.raise_()

    def remove(self) -> None:
        if not isValid(self.dialog) or not isValid(self.sheet):
            return
        self.dialog.setWindowTitle(self.title)
        self.sheet.hide()
        self.sheet.deleteLater()


class AppLock(QObject):
    """Locks the app on its main window's Lock action and after `idle_ms` without use (by
    default the store's setting, observer.security.idle_lock)."""

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self, services: Services, window: MainWindow, *, idle_ms: int | None = None
    ) -> None:
        super().__init__(window)
        self._services = services
        self._window = window
        self._fixed_idle_ms = idle_ms
        self.dialog: UnlockDialog | None = None
        self._answered_dialog: UnlockDialog | None = None
        self._hidden: list[_Hidden] = []
        self._covers: list[_Cover] = []
        self._active: QWidget | None = None
        self._focus: QWidget | None = None
        self._unaudited: list[datetime] = []  # wrong passphrases the trail could not take yet
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one may be 5% late
        self._idle.timeout.connect(self.lock)
        window.lock_action.triggered.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._start_idle_timer()

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    @property
    def idle_timer(self) -> QTimer:
        return self._idle

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in ACTIVITY:
            if self.dialog is None and self._idle.isActive():
                self._idle.start()
        elif kind == QEvent.Type.Resize and self._covers:
            for cover in self._covers:
                if watched is cover.dialog:
                    cover.fit()
        return False

    def lock(self) -> None:
        """Saves every editor's typing, hides every window, and asks for the passphrase."""
        if self.is_locked:
            return
        self._idle.stop()
        unsaved = self._save_editors()
        if unsaved:
            log.warning("locking with %d editor(s) not saved yet; they keep trying", unsaved)
        self._hide_windows()
        log.info("locked")
        self._ask()
        self.locked.emit()

    # Locking

    def _save_editors(self) -> int:
        """Writes what each editor holds; returns how many could not be saved yet."""
        return self._window.editors.save_all()

    def _hide_windows(self) -> None:
        self._active = QApplication.activeWindow()
        self._focus = QApplication.focusWidget()
        QToolTip.hideText()
        for _ in range(10):  # menus and completer lists: closed, not brought back
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        for widget in QApplication.topLevelWidgets():
            if not widget.isVisible():
                continue
            if widget.windowModality() is not Qt.WindowModality.NonModal:
                self._covers.append(_Cover.over(widget))
                continue
            if widget.windowType() in RESTORED_TYPES:
                self._hidden.append(_Hidden(widget, widget.windowState()))
            widget.hide()

    def _ask(self) -> None:
        dialog = UnlockDialog(
            self._attempt, locked=True, wait_seconds=seconds_to_wait(self._services.data_dir)
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.finished.connect(self._answered)
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    # Unlocking

    def _attempt(self, passphrase: str) -> Attempt:
        data_dir = self._services.data_dir
        wait = seconds_to_wait(data_dir)
        if wait:
            return Attempt(str(TooManyAttempts(wait)), wait)
        if self._services.passphrase_matches(passphrase):
            return Attempt()
        when = datetime.now(UTC)
        UnlockAttempts(data_dir).failed(when)  # the wait grows, and survives a restart
        self._audit([when])
        return Attempt(WRONG_PASSPHRASE, seconds_to_wait(data_dir))

    def _audit(self, attempts: list[datetime]) -> None:
        if not attempts:
            return
        try:
            self._services.audit.record_failed_unlocks(FAILED_UNLOCK_ACTOR, attempts)
        except ObserverError:
            # They stay counted beside the store too, for the next unlock to write.
            log.warning("a failed unlock could not be written to the audit trail yet")
            self._unaudited.extend(when for when in attempts if when not in self._unaudited)
            return
        self._unaudited = [when for when in self._unaudited if when not in attempts]

    def _settle_attempts(self) -> None:
        """Clears the count of wrong passphrases; any not yet in the trail go there now."""
        self._audit(list(self._unaudited))
        if not self._unaudited:
            UnlockAttempts(self._services.data_dir).clear()

    def _answered(self, result: int) -> None:
        # Still inside the dialog's own done(): the reference kept until the next lock stops
        # Python deleting it under Qt's feet; Qt deletes it once the event loop is back.
        self._answered_dialog, self.dialog = self.dialog, None
        if self._answered_dialog is not None:
            self._answered_dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted.value:
            self._quit()
            return
        self._settle_attempts()
        self._show_windows()
        log.info("unlocked")
        self.unlocked.emit()
        self._save_editors()  # what could not be saved when the app locked is tried again
        self._start_idle_timer()

    def _show_windows(self) -> None:
        hidden, self._hidden = self._hidden, []
        for entry in hidden:
            if not isValid(entry.window):
                continue
            entry.window.show()
            if entry.window.windowState() != entry.state:
                entry.window.setWindowState(entry.state)
        covers, self._covers = self._covers, []
        for cover in covers:
            cover.remove()
        active = self._active if self._active is not None and isValid(self._active) else None
        if active is None or not active.isVisible():
            active = self._window if self._window.isVisible() else None
        if active is not None:
            active.raise_()
            active.activateWindow()
        focus = self._focus
        if focus is not None and isValid(focus) and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._active = self._focus = None

    def _quit(self) -> None:
        """Quits as File → Quit does. The work was saved when the app locked; an editor whose
        save still fails asks before its typing is dropped, and if it is kept the app stays
        locked."""
        log.info("quit from the lock screen")
        if not self._window.close():
            self._ask()
            return
        self._settle_attempts()
        QCoreApplication.quit()

    # Idle time

    def _start_idle_timer(self) -> None:
        self._idle.start(self._idle_ms())

    def _idle_ms(self) -> int:
        if self._fixed_idle_ms is not None:
            return self._fixed_idle_ms
        try:
            return self._services.idle_lock.minutes() * 60_000
        except ObserverError:
            log.warning("the idle lock time could not be read; using the default")
            return DEFAULT_IDLE_MINUTES * 60_000
