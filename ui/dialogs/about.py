"""What this program is, which version, and where it keeps its data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from observer import __version__
from ui.widgets.panel_header import PanelHeader

PURPOSE = (
    "Record observations of social work practice against practice standards, "
    "and review each worker's practice over time."
)


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Practice Observer")
        purpose = QLabel(PURPOSE)
        purpose.setWordWrap(True)
        self.version = QLabel(__version__)
        self.version.setAccessibleName("Version")
        self.data_folder = QLabel(str(data_dir))
        self.data_folder.setAccessibleName("Data folder")
        self.data_folder.setWordWrap(True)
        for label in (self.version, self.data_folder):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.addRow("Version:", self.version)
        form.addRow("Data folder:", self.data_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 18)
        layout.setSpacing(14)
        layout.addWidget(PanelHeader("Practice Observer", ""))
        layout.addWidget(purpose)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)

    def text(self) -> str:
        """Everything the dialog says, for reading back."""
        return " ".join(label.text() for label in self.findChildren(QLabel) if label.text())

    @classmethod
    def show_about(cls, parent: QWidget | None, data_dir: Path) -> tuple[None, bool]:
        dialog = cls(data_dir, parent)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return None, accepted
