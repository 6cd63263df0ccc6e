"""Typing as a user types, and reading tables back the way a user sees them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QTableView, QWidget


def type_text(widget: QWidget, text: str) -> None:
    """Key presses carrying any character; QTest.keyClicks only manages Latin-1."""
    for character in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, character)
            QApplication.sendEvent(widget, event)


def headers(view: QTableView) -> list[str]:
    model = view.model()
    return [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]


def column_texts(view: QTableView, header: str) -> list[str]:
    model = view.model()
    column = headers(view).index(header)
    return [model.index(row, column).data() for row in range(model.rowCount())]


def row_texts(view: QTableView, row: int) -> dict[str, str]:
    model = view.model()
    return {h: model.index(row, c).data() for c, h in enumerate(headers(view))}
