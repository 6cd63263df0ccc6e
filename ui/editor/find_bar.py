"""Find in this record: a bar that steps through every text box, wrapping at the end."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ui.widgets.cards import describe, muted
from ui.widgets.growing_text import GrowingTextEdit

TextBox = QLineEdit | GrowingTextEdit


class FindBar(QWidget):
    found = Signal(QWidget)

    def __init__(self, boxes: Callable[[], Sequence[TextBox]], parent: QWidget | None = None):
        super().__init__(parent)
        self._boxes = boxes
        self.query = QLineEdit()
        self.query.setPlaceholderText("Find in this record")
        self.query.setClearButtonEnabled(True)
        describe(self.query, "Find in this record", "Type, then press Enter for the next match.")
        self.query.returnPressed.connect(self.find_next)
        self.next_button = QPushButton("Find &next")
        self.next_button.setAutoDefault(False)
        describe(self.next_button, "Find next", "Goes to the next match.")
        self.next_button.clicked.connect(self.find_next)
        self.result = muted("")
        self.result.setAccessibleName("Find result")
        close = QPushButton("Close")
        close.setAutoDefault(False)
        describe(close, "Close find", "Hides the find bar.")
        close.clicked.connect(self.close_bar)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 6, 24, 6)
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.query, 1)
        layout.addWidget(self.next_button)
        layout.addWidget(self.result)
        layout.addWidget(close)
        self._last: TextBox | None = None

    def open_bar(self) -> None:
        self.setVisible(True)
        self.query.setFocus()
        self.query.selectAll()

    def close_bar(self) -> None:
        self.setVisible(False)
        self.result.clear()
        if self._last is not None:
            self._last.setFocus()

    def find_next(self) -> bool:
        """Selects the next match after the last one, in page order; False when none."""
        text = self.query.text()
        boxes = list(self._boxes())
        if not text or not boxes:
            return False
        start = boxes.index(self._last) if self._last in boxes else 0
        order = boxes[start:] + boxes[:start] + boxes[start : start + 1]
        for position, box in enumerate(order):
            from_start = position > 0
            if _select_next(box, text, from_start):
                self._last = box
                self.result.setText("")
                self.found.emit(box)
                return True
        self.result.setText("Not found")
        return False


def _select_next(box: TextBox, text: str, from_start: bool) -> bool:
    if isinstance(box, QLineEdit):
        start = 0 if from_start or not box.hasSelectedText() else box.selectionStart() + 1
        at = box.text().casefold().find(text.casefold(), start)
        if at < 0:
            return False
        box.setSelection(at, len(text))
        return True
    if from_start:
        cursor = box.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        box.setTextCursor(cursor)
    return bool(box.find(text))
