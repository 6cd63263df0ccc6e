"""Help → Getting started: a short guide in plain words, kept in resources/help/."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from observer.paths import HELP_DIR
from ui.widgets.layout import opening_size

GUIDE = HELP_DIR / "getting-started.md"


class GuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, guide: Path = GUIDE) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting started")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Getting started guide")
        self.browser.setOpenExternalLinks(False)
        self.browser.setMarkdown(guide.read_text(encoding="utf-8"))
        self.browser.document().setDocumentMargin(12)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(opening_size(self, 110, 46))

    def text(self) -> str:
        return self.browser.toPlainText()

    @classmethod
    def show_guide(cls, parent: QWidget | None) -> None:
        dialog = cls(parent)
        dialog.exec()
        dialog.deleteLater()
