"""A panel's title and a sentence saying what the panel is for."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PanelHeader(QWidget):
    def __init__(self, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName(title)
        # Made inside the header: shown while it had no parent, it would flash up as a
        # window of its own and take the focus from the one the user is in.
        self.description = QLabel(description, self)
        self.description.setWordWrap(True)
        self.description.setVisible(bool(description))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.description)
