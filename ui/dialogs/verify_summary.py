"""Verify a summary: is this PDF intact, who signed it and when, and does it match the record?"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from observer.errors import ObserverError
from observer.services import Services
from ui.prompts import Prompts

VERDICT_OK = "This summary is intact: nothing in it has changed since it was signed."
VERDICT_BAD = "Do not rely on this summary."


class VerifySummaryDialog(QDialog):
    def __init__(self, path: Path, lines: list[str], intact: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Verify a summary")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        self.verdict = QLabel(VERDICT_OK if intact else VERDICT_BAD)
        font = self.verdict.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.verdict.setFont(font)
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Verdict")
        self.file = QLabel(str(path))
        self.file.setTextFormat(Qt.TextFormat.PlainText)
        self.file.setWordWrap(True)
        self.file.setAccessibleName("File")
        self.details = QLabel("\n".join(lines))
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("What was checked")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(self.verdict)
        layout.addWidget(self.file)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    @classmethod
    def verify(cls, parent: QWidget | None, services: Services, prompts: Prompts) -> bool | None:
        """Asks for a PDF and shows what its check found; None when nothing was checked."""
        chosen = prompts.open_file(parent, "Verify a summary", "PDF files (*.pdf)")
        if chosen is None:
            return None
        try:
            result = services.summaries.verify(chosen)
        except ObserverError as error:
            prompts.error(parent, str(error))
            return None
        intact = result.ok
        dialog = cls(chosen, result.summary_lines(), intact, parent)
        dialog.exec()
        return intact
