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


def shown_title(window: QWidget, app_name: str = "Practice Observer") -> str:
    """The title bar's text, as Qt makes it for an app whose display name is `app_name`:
    the window's title with " — " and the app's name added, unless it already ends so."""
    title = window.windowTitle()
    if title.endswith(app_name):
        return title
    return f"{title} — {app_name}" if title else app_name


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
