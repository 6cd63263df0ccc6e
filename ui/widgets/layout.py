"""Spacing shared by panels and dialogs, so every screen sits on the same rhythm."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QWidget

PANEL_MARGIN = 24
PANEL_SPACING = 14
ROW_SPACING = 8


def panel_layout(layout: QBoxLayout, owner: QWidget) -> QBoxLayout:
    owner.setLayout(layout)
    layout.setContentsMargins(PANEL_MARGIN, PANEL_MARGIN - 4, PANEL_MARGIN, PANEL_MARGIN - 4)
    layout.setSpacing(PANEL_SPACING)
    return layout
