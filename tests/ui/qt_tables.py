"""Reading a table back the way a user sees it: the visible text, column by column."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView


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
