"""Spacing shared by panels and dialogs, so every screen sits on the same rhythm."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QBoxLayout, QWidget

PANEL_MARGIN = 24
PANEL_SPACING = 14
ROW_SPACING = 8


def panel_layout(layout: QBoxLayout, owner: QWidget) -> QBoxLayout:
    owner.setLayout(layout)
    layout.setContentsMargins(PANEL_MARGIN, PANEL_MARGIN - 4, PANEL_MARGIN, PANEL_MARGIN - 4)
    layout.setSpacing(PANEL_SPACING)
    return layout


SCREEN_SHARE = 0.9  # of the screen's room, at most, for a window's opening size


def opening_size(window: QWidget, chars: int, lines: int, available: QRect | None = None) -> QSize:
    """A window's opening size: `chars` average characters by `lines` lines of its font,
    within the room the screen has (`available`, else the window's screen's)."""
    if available is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
    metrics = window.fontMetrics()
    return QSize(
        min(metrics.averageCharWidth() * chars, int(available.width() * SCREEN_SHARE)),
        min(metrics.height() * lines, int(available.height() * SCREEN_SHARE)),
    )


class _GrowWithText(QObject):
    """Keeps its parent window at least as tall as the window's layout needs at the
    window's width."""

    FITS_ON = (QEvent.Type.LayoutRequest, QEvent.Type.Resize, QEvent.Type.Show)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.FITS_ON and watched is self.parent():
            assert isinstance(watched, QWidget)
            fit_height_to_text(watched)
        return False


def fit_height_to_text(window: QWidget) -> None:
    layout = window.layout()
    if layout is None or not layout.hasHeightForWidth():
        return
    layout.activate()
    needed = max(layout.totalHeightForWidth(window.width()), layout.totalMinimumSize().height())
    if window.minimumHeight() != needed:
        window.setMinimumHeight(needed)
    if window.height() < needed:
        window.resize(window.width(), needed)


def grow_with_text(window: QWidget) -> None:
    """Wrapped text in a window takes as many lines as it needs, at every font size and
    whenever the text changes: Qt sizes a window from its layout's minimum size, which
    does not count the lines that wrapped text needs at the window's actual width."""
    window.installEventFilter(_GrowWithText(window))
