"""The one place where message boxes and file pickers are shown, so tests can stand in.

Windows and dialogs receive a `Prompts` and never call QMessageBox, QFileDialog or
QInputDialog themselves. Messages are one plain sentence.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

APP_TITLE = "Practice Observer"


class Prompts:
    def information(self, parent: QWidget | None, message: str) -> None:
        QMessageBox.information(parent, APP_TITLE, message)

    def warning(self, parent: QWidget | None, message: str) -> None:
        QMessageBox.warning(parent, APP_TITLE, message)

    def error(self, parent: QWidget | None, message: str) -> None:
        QMessageBox.critical(parent, APP_TITLE, message)

    def ask(self, parent: QWidget | None, question: str, *, default_yes: bool = False) -> bool:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        default = QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
        answer = QMessageBox.question(parent, APP_TITLE, question, buttons, default)
        return answer == QMessageBox.StandardButton.Yes

    def discard(self, parent: QWidget | None, question: str) -> bool:
        """Whether to throw typed work away; Keep editing is the default and Escape's answer."""
        box = QMessageBox(QMessageBox.Icon.Question, APP_TITLE, question, parent=parent)
        throw_away = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is throw_away

    def text(self, parent: QWidget | None, label: str, value: str = "") -> str | None:
        """A line of text, or None when cancelled."""
        typed, ok = QInputDialog.getText(parent, APP_TITLE, label, QLineEdit.EchoMode.Normal, value)
        return typed if ok else None

    def passphrase(self, parent: QWidget | None, label: str) -> str | None:
        """A secret typed with its characters hidden, or None when cancelled."""
        typed, ok = QInputDialog.getText(parent, APP_TITLE, label, QLineEdit.EchoMode.Password)
        return typed if ok else None

    def open_file(self, parent: QWidget | None, caption: str, file_filter: str = "") -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(parent, caption, "", file_filter)
        return Path(chosen) if chosen else None

    def save_file(
        self, parent: QWidget | None, caption: str, suggested: Path, file_filter: str = ""
    ) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(parent, caption, str(suggested), file_filter)
        return Path(chosen) if chosen else None

    def folder(
        self, parent: QWidget | None, caption: str, start: Path | None = None
    ) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(parent, caption, str(start or ""))
        return Path(chosen) if chosen else None
