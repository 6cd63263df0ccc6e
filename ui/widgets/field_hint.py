"""A wrapped sentence under a form field, as tall as its text needs at the field's width."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel


class FieldHint(QLabel):
    """A wrapped line under a field that asks for the height its text needs at its width.

    QLabel's own size hint wraps to a narrow column of several lines, and QFormLayout sizes
    rows by it, which leaves gaps under short hints."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def sizeHint(self) -> QSize:
        width = self.width() if self.testAttribute(Qt.WidgetAttribute.WA_Resized) else 0
        width = max(width, self.fontMetrics().averageCharWidth() * 36)
        return QSize(self.minimumSizeHint().width(), self.heightForWidth(width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()
