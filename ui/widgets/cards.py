"""The building blocks of the editor's page: titled cards, muted notes, labelled inputs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

CARD_MARGIN = 20
CARD_SPACING = 10


class Card(QFrame):
    """A section of the record: a title, an optional note, then its inputs."""

    def __init__(self, title: str, note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.title = heading(title, 1.2)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(CARD_MARGIN, CARD_MARGIN - 4, CARD_MARGIN, CARD_MARGIN)
        self.layout_.setSpacing(CARD_SPACING)
        self.layout_.addWidget(self.title)
        self.note = muted(note)
        self.note.setVisible(bool(note))
        self.layout_.addWidget(self.note)

    def add(self, widget: QWidget) -> QWidget:
        self.layout_.addWidget(widget)
        return widget


def heading(text: str, scale: float = 1.0, *, bold: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    label.setFont(font)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def field_label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def describe(widget: QWidget, name: str, description: str) -> QWidget:
    """Gives an input the name and description a screen reader speaks."""
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)
    return widget


STYLE = """
QScrollArea#page, QWidget#pageBody { background: palette(window); }
QFrame#card {
    background: palette(base);
    border: 1px solid palette(midlight);
    border-radius: 8px;
}
QFrame#standard { border-top: 1px solid palette(midlight); }
QLabel#status {
    background: palette(midlight);
    color: palette(window-text);
    border: none;
    border-radius: 4px;
    padding: 2px 8px;
    font-weight: 600;
}
QLabel#fieldProblem { font-weight: bold; }
QLabel#banner, QLabel#sectionNote {
    background: palette(alternate-base);
    border: 1px solid palette(mid);
    border-radius: 6px;
    padding: 8px 12px;
}
"""
