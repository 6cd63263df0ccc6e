"""Controls kept together when a row of filters wraps onto a second line."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ui.widgets.flow_layout import FlowLayout
from ui.widgets.layout import ROW_SPACING


def together(*parts: QWidget | str) -> QWidget:
    """The parts side by side, as one piece; a str is a label for the control after it."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(ROW_SPACING // 2)
    label: QLabel | None = None
    for part in parts:
        if isinstance(part, str):
            label = QLabel(part)
            row.addWidget(label)
            continue
        if label is not None:
            label.setBuddy(part)
            label = None
        row.addWidget(part)
    return holder


def wrapping_row(*pieces: QWidget, parent: QWidget | None = None) -> QWidget:
    """The pieces in a row that wraps onto more lines when the window is narrow."""
    holder = parent or QWidget()
    flow = FlowLayout(holder, spacing=ROW_SPACING * 2)
    for piece in pieces:
        flow.addWidget(piece)
    return holder
