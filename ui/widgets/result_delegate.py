"""Draws the search results' cells: plain text as Qt's own delegate draws it, and each
snippet on one line with its matched words in bold, cut short with "…" where the column
ends.

A page of results must be on screen within a frame. Qt's own delegate asks the model for a
dozen roles per cell and lays each cell's text out afresh at every paint; the rich text
this replaced was slower still. Here a cell costs one question to the model (PAINT_ROLE:
the text, or the snippet's pieces, made when the rows were) and, at a width it has drawn
at before, no measuring: what fits is kept, for as many cells as a screen or two holds.

Only value types (QFont, QColor, numbers, str) are handed to the painter, so nothing Qt
still uses belongs to Python (drawing with a QTextLayout the delegate owned crashed).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem, QWidget

from ui.models.search_results import PAINT_ROLE, Segments
from ui.widgets.elided_delegate import ElidedTextDelegate

KEPT_LINES = 512  # cells' fitted text kept: several screens of six columns
Run = tuple[int, str, bool]  # where a piece starts (from the text's left), its text, bold

_ELIDE = Qt.TextElideMode.ElideRight
# As plain numbers: Python's flag enums cost more than the drawing they decide.
_SELECTED = QStyle.StateFlag.State_Selected.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_FOCUSED = QStyle.StateFlag.State_HasFocus.value
_ALTERNATE = QStyleOptionViewItem.ViewItemFeature.Alternate.value
_CENTRED = Qt.AlignmentFlag.AlignHCenter.value
_PEN_ROLES = {
    (group, selected): (
        group,
        QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text,
    )
    for group in (
        QPalette.ColorGroup.Normal,
        QPalette.ColorGroup.Disabled,
        QPalette.ColorGroup.Inactive,
    )
    for selected in (False, True)
}


def fitted(pieces: Segments, width: int, plain: QFontMetrics, bold: QFontMetrics) -> list[Run]:
    """The pieces that fit in `width`, the matched ones in bold; the last one that does
    not fit whole is cut short with "…" (the one before it, when not even "…" fits)."""
    runs: list[Run] = []
    x = 0
    for text, matched in pieces:
        metrics = bold if matched else plain
        advance = metrics.horizontalAdvance(text)
        if x + advance <= width:
            runs.append((x, text, matched))
            x += advance
            continue
        cut = metrics.elidedText(text, _ELIDE, width - x)
        if cut:
            runs.append((x, cut, matched))
        elif runs:
            start, before, was_matched = runs.pop()
            metrics = bold if was_matched else plain
            cut = metrics.elidedText(before + text, _ELIDE, width - start)
            runs.append((start, cut, was_matched))
        break
    return runs


class ResultDelegate(ElidedTextDelegate):
    """Draws every cell of a table whose model answers PAINT_ROLE; `alignments` are its
    columns' (from RecordTableModel's columns)."""

    def __init__(self, alignments: Sequence[Qt.AlignmentFlag], parent: QObject | None = None):
        super().__init__(parent)
        self._centred = [bool(a.value & _CENTRED) for a in alignments]
        self._lines: OrderedDict[tuple[object, int, bool], list[Run]] = OrderedDict()
        self._font: QFont | None = None  # the font of the lines kept, and its measures
        self._bold = QFont()
        self._margin = self._height = self._ascent = 0

    def line(
        self, cell: str | Segments, width: int, font: QFont, centred: bool = False
    ) -> list[Run]:
        """What of `cell` is drawn in a cell `width` wide, and where from its left: the text
        cut short with "…" where it does not fit, or a snippet's runs (see `fitted`)."""
        if self._font is None or font != self._font:
            self._use(font)
        key = (cell, width, centred)
        kept = self._lines.get(key)
        if kept is not None:
            self._lines.move_to_end(key)
            return kept
        plain = QFontMetrics(font)
        room = width - 2 * self._margin
        if isinstance(cell, str):
            text = plain.elidedText(cell, _ELIDE, room)
            offset = (room - plain.horizontalAdvance(text)) // 2 if centred else 0
            shown = [(self._margin + offset, text, False)]
        else:
            runs = fitted(cell, room, plain, QFontMetrics(self._bold))
            shown = [(self._margin + x, text, matched) for x, text, matched in runs]
        self._lines[key] = shown
        if len(self._lines) > KEPT_LINES:
            self._lines.popitem(last=False)
        return shown

    def _use(self, font: QFont) -> None:
        self._lines.clear()
        self._font = QFont(font)
        self._bold = _bold(font)
        metrics = QFontMetrics(font)
        self._height = metrics.height()
        self._ascent = metrics.ascent()
        # As QCommonStyle insets an item's text: the focus frame's margin and a pixel.
        style = self.parent().style() if isinstance(self.parent(), QWidget) else None
        style = style or QApplication.style()
        self._margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        cell = index.data(PAINT_ROLE)
        if cell is None:
            super().paint(painter, option, index)
            return
        state = option.state.value
        if state & _FOCUSED:  # one cell: Qt places its focus frame round its text
            self._paint_focused(cell, painter, option, index)
            return
        if state & _SELECTED or option.features.value & _ALTERNATE:
            # The selection or the alternate rows' colour, as Qt draws them (the
            # option has no text to draw); other cells have nothing but the view's base.
            widget: QWidget | None = option.widget
            style = widget.style() if widget is not None else QApplication.style()
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        self._draw_text(cell, painter, option, index.column(), state)

    def _draw_text(
        self,
        cell: str | Segments,
        painter: QPainter,
        option: QStyleOptionViewItem,
        column: int,
        state: int,
    ) -> None:
        # The text's colour, as QCommonStyle chooses it for an item.
        if not state & _ENABLED:
            group = QPalette.ColorGroup.Disabled
        elif state & _ACTIVE:
            group = QPalette.ColorGroup.Normal
        else:
            group = QPalette.ColorGroup.Inactive
        pen = _PEN_ROLES[group, bool(state & _SELECTED)]
        left, top, width, height = option.rect.getRect()
        font = option.font
        shown = self.line(cell, width, font, self._centred[column])
        # Centred as Qt centres a line of text in a rectangle (drawText with AlignVCenter,
        # which lays the text out again: several times slower than drawing it at a point).
        baseline = top + (height - self._height) // 2 + self._ascent
        painter.save()
        painter.setPen(option.palette.color(*pen))
        for x, text, matched in shown:
            painter.setFont(self._bold if matched else font)
            painter.drawText(left + x, baseline, text)
        painter.restore()

    def _paint_focused(
        self,
        cell: str | Segments,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(cell, str):
            super().paint(painter, option, index)  # Qt's own, focus frame and all
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        self._draw_text(cell, painter, option, index.column(), option.state.value)


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold
