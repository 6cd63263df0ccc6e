"""Changing the passphrase: the current one, the new one twice; the store, its backups and
the signing identity are re-encrypted (Services.change_passphrase)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QWidget

from observer.security.unlock import MIN_PASSPHRASE
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
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.rekeyed_backups = self._services.change_passphrase(
                self.current.text(), self.new.text(), self.again.text()
            )
        finally:
            QGuiApplication.restoreOverrideCursor()

    def accept(self) -> None:
        super().accept()
        if not self.result():
            self.current.clear()
            self.new.clear()
            self.again.clear()
            self.current.setFocus()

    @classmethod
    def change(cls, parent: QWidget | None, services: Services, prompts: Prompts) -> bool:
        dialog = cls(services, prompts, parent)
        changed = bool(dialog.exec())
        dialog.deleteLater()
        if changed:
            prompts.information(parent, "The passphrase is changed; use the new one from now on.")
        return changed
