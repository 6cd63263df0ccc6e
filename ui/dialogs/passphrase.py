"""The passphrase screens: choosing one for a new (or earlier, unencrypted) store, and
unlocking, at start and after the app has locked itself.

A wrong passphrase is said in the dialog itself, the field is cleared and kept focused, and
after repeated failures the button waits out the delay with a visible countdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from observer.errors import ObserverError
from observer.security.unlock import MIN_PASSPHRASE
from ui.widgets.layout import grow_with_text
from ui.widgets.panel_header import PanelHeader

NEW_STORE = (
    "Practice Observer keeps its records encrypted on this laptop. Choose a passphrase of at "
    f"least {MIN_PASSPHRASE} characters: you will type it each time you open the app and to "
    "sign summaries. Nobody can recover the records without it, so keep it safe."
)
EARLIER_STORE = (
    "Your records were kept by an earlier version without encryption. Choose a passphrase "
    f"of at least {MIN_PASSPHRASE} characters and they will be encrypted now, with their "
    "backups. Nobody can recover the records without it, so keep it safe."
)
UNLOCK = "Type your passphrase to open your records."
LOCKED = "Practice Observer is locked. Type your passphrase to carry on."


@dataclass(frozen=True)
class Attempt:
    """What trying a passphrase came to: an error to show, and seconds to wait first."""

    error: str = ""
    wait_seconds: int = 0


def _secret_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


def _layout(dialog: QDialog, header: str, intro: str, form: QFormLayout, *below: QWidget) -> None:
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(20, 20, 20, 16)
    layout.setSpacing(14)
    layout.addWidget(PanelHeader(header, ""))
    text = QLabel(intro)
    text.setWordWrap(True)
    layout.addWidget(text)
    layout.addLayout(form)
    for widget in below:
        layout.addWidget(widget)
    dialog.setMinimumWidth(dialog.fontMetrics().averageCharWidth() * 64)
    grow_with_text(dialog)


def _problem_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName("Problem")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class NewPassphraseDialog(QDialog):
    """Chooses the passphrase of a new store, or of an earlier one about to be encrypted."""

    def __init__(
        self,
        check: Callable[[str, str], None],
        *,
        earlier_store: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._check = check
        self.passphrase = ""
        self.setWindowTitle("Protect your records")
        self.setModal(True)
        self.first = _secret_field("Passphrase")
        self.second = _secret_field("Passphrase again")
        self.problem = _problem_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "&Encrypt and open" if earlier_store else "&Set passphrase"
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Passphrase:", self.first)
        form.addRow("&Again:", self.second)
        intro = EARLIER_STORE if earlier_store else NEW_STORE
        _layout(self, "Protect your records", intro, form, self.problem, self.buttons)
        self.first.setFocus()

    def accept(self) -> None:
        try:
            self._check(self.first.text(), self.second.text())
        except ObserverError as error:
            self.problem.setText(str(error))
            self.problem.show()
            self.second.clear()
            self.first.setFocus()
            self.first.selectAll()
            return
        self.passphrase = self.first.text()
        super().accept()

    @classmethod
    def choose(
        cls,
        check: Callable[[str, str], None],
        *,
        earlier_store: bool = False,
        parent: QWidget | None = None,
    ) -> str | None:
        """The chosen passphrase, or None when the user cancels."""
        dialog = cls(check, earlier_store=earlier_store, parent=parent)
        accepted = bool(dialog.exec())
        passphrase = dialog.passphrase
        dialog.deleteLater()
        return passphrase if accepted else None


class UnlockDialog(QDialog):
    """Asks for the passphrase until `attempt` accepts it or the user gives up.

    `attempt` returns an Attempt with no error when the passphrase was right; it may raise
    ObserverError for a problem that another try cannot mend (the dialog then closes)."""

    def __init__(
        self,
        attempt: Callable[[str], Attempt],
        *,
        locked: bool = False,
        wait_seconds: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._attempt = attempt
        self._locked = locked
        self.failure: ObserverError | None = None
        self.setWindowTitle("Practice Observer is locked" if locked else "Open Practice Observer")
        self.setModal(True)
        self.passphrase = _secret_field("Passphrase")
        self.problem = _problem_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.addButton(
            "&Quit" if not locked else "&Quit Practice Observer",
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        self.open_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.open_button.setText("&Unlock" if locked else "&Open")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._remaining = 0
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        header = "Locked" if locked else "Welcome back"
        _layout(self, header, LOCKED if locked else UNLOCK, form, self.problem, self.buttons)
        self.passphrase.setFocus()
        if wait_seconds:
            self._wait(wait_seconds, "Too many wrong passphrases in a row.")

    def accept(self) -> None:
        if self._remaining:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            outcome = self._attempt(self.passphrase.text())
        except ObserverError as error:
            self.failure = error
            self.reject()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        if not outcome.error:
            self.passphrase.clear()
            super().accept()
            return
        self.passphrase.clear()
        self.passphrase.setFocus()
        self.problem.setText(outcome.error)
        self.problem.show()
        if outcome.wait_seconds:
            self._wait(outcome.wait_seconds, outcome.error)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A stray Escape must not quit the app from the lock screen; Quit is a button.
        if self._locked and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)

    def _wait(self, seconds: int, reason: str) -> None:
        self._remaining = seconds
        self._reason = reason
        self.open_button.setEnabled(False)
        self._show_wait()
        self._countdown.start()

    def _tick(self) -> None:
        self._remaining -= 1
        if self._remaining <= 0:
            self._remaining = 0
            self._countdown.stop()
            self.open_button.setEnabled(True)
            self.problem.setText(f"{self._reason} You can try again now.")
            self.passphrase.setFocus()
            return
        self._show_wait()

    def _show_wait(self) -> None:
        unit = "second" if self._remaining == 1 else "seconds"
        self.problem.setText(f"{self._reason} Try again in {self._remaining} {unit}.")
        self.problem.show()

    @property
    def waiting(self) -> bool:
        return self._remaining > 0
