"""Changing the passphrase: the current one, the new one twice; the store, its backups and
the signing identity are re-encrypted (Services.change_passphrase)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QWidget

from observer.errors import InvalidInput
from observer.security.unlock import MIN_PASSPHRASE, WrongStorePassphrase
from observer.services import Services
from ui.dialogs.base import SavingDialog
from ui.prompts import Prompts
from ui.widgets.panel_header import PanelHeader

INTRO = (
    "The store, its backups and your signing identity will open with the new passphrase "
    f"only. It needs at least {MIN_PASSPHRASE} characters. Close other Practice Observer "
    "windows and commands first. If the change is interrupted, it is finished the next time "
    "the store is opened with the new passphrase."
)


def _secret(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class ChangePassphraseDialog(SavingDialog):
    def __init__(self, services: Services, prompts: Prompts, parent: QWidget | None = None):
        super().__init__(prompts, "Change passphrase", parent)
        self._services = services
        self.rekeyed_backups = 0
        # What was typed wrong, cleared after a refusal; a busy store clears nothing.
        self._wrong: tuple[QLineEdit, ...] = ()
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Change passphrase")
        self.current = _secret("Current passphrase")
        self.new = _secret("New passphrase")
        self.again = _secret("New passphrase again")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        form = self.form()
        form.addRow("&Current passphrase:", self.current)
        form.addRow("&New passphrase:", self.new)
        form.addRow("New passphrase &again:", self.again)
        self.arrange(form, self.current, PanelHeader("Change passphrase", ""), intro)

    def save(self) -> None:
        self._wrong = ()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.rekeyed_backups = self._services.change_passphrase(
                self.current.text(), self.new.text(), self.again.text()
            )
        except WrongStorePassphrase:
            self._wrong = (self.current,)
            raise
        except InvalidInput:
            self._wrong = (self.new, self.again)
            raise
        finally:
            QGuiApplication.restoreOverrideCursor()

    def accept(self) -> None:
        super().accept()
        if not self.result():
            for field in self._wrong:
                field.clear()
            (self._wrong or (self.current,))[0].setFocus()

    @classmethod
    def change(cls, parent: QWidget | None, services: Services, prompts: Prompts) -> bool:
        dialog = cls(services, prompts, parent)
        changed = bool(dialog.exec())
        dialog.deleteLater()
        if changed:
            backups = dialog.rekeyed_backups
            prompts.information(
                parent,
                f"The passphrase is changed: the store, {backups} backup"
                f"{'' if backups == 1 else 's'} and the signing identity now open with the "
                "new one; use it from now on.",
            )
        return changed
