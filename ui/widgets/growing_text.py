"""A plain-text box that grows with what is typed, so the page scrolls and the box never does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextEdit, QWidget


class GrowingTextEdit(QTextEdit):
    def __init__(self, min_lines: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._min_lines = min_lines
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.document().setDocumentMargin(6)
        self.document().contentsChanged.connect(self._fit)
        self._fit()

    def text(self) -> str:
        return self.toPlainText()

    def set_text(self, text: str) -> None:
        """Replaces the text, keeping the cursor where it was (words merged in from another
        window must not throw the typist to the start)."""
        if text == self.toPlainText():
            return
        position = self.textCursor().position()
        self.setPlainText(text)
        cursor = self.textCursor()
        cursor.setPosition(min(position, len(text)))
        self.setTextCursor(cursor)

    def _fit(self) -> None:
        line = self.fontMetrics().lineSpacing()
        margins = self.contentsMargins()
        content = self.document().size().height()
        chrome = margins.top() + margins.bottom() + 2
        height = max(content, self._min_lines * line + 2 * self.document().documentMargin())
        self.setFixedHeight(int(height + chrome))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()
