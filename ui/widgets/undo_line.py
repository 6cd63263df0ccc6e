"""A line saying what was just done, with an Undo button for a few seconds (Ctrl+Z too).

A step that takes effect at once (ticking an action done) is easy to take by mistake; the
line offers to take it back, through the same service, so the undoing is recorded too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

UNDO_SECONDS = 10


class UndoLine(QWidget):
    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._undo: Callable[[], None] | None = None
        self.label = QLabel()
        self.label.setAccessibleName(accessible_name)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.undo_button = QPushButton("&Undo")
        self.undo_button.setAccessibleName("Undo the last change")
        self.undo_button.setToolTip("Take back what was just done (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.hide()
        self.expiry = QTimer(self)
        self.expiry.setSingleShot(True)
        self.expiry.setInterval(UNDO_SECONDS * 1000)
        self.expiry.timeout.connect(self._expire)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        self.hide()

    def attach_shortcut(self, to: QWidget) -> None:
        """Ctrl+Z anywhere in `to` undoes while the Undo button is offered."""
        shortcut = QShortcut(QKeySequence.StandardKey.Undo, to)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.undo)

    def say(self, sentence: str) -> None:
        """Shows `sentence` alone (or nothing), with no undo."""
        self._expire()
        self.label.setText(sentence)
        self.setVisible(bool(sentence))

    def offer(self, sentence: str, undo: Callable[[], None]) -> None:
        """Shows `sentence` with Undo, which calls `undo` if pressed in the next seconds."""
        self.say(sentence)
        self._undo = undo
        self.undo_button.show()
        self.expiry.start()

    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget() or self) else ""

    def can_undo(self) -> bool:
        return self._undo is not None

    def undo(self) -> None:
        undo = self._undo
        if undo is None:
            return
        self._expire()
        undo()

    def _expire(self) -> None:
        self._undo = None
        self.expiry.stop()
        self.undo_button.hide()
