"""Cells that are cut short show their whole text on hover.

A table elides text that does not fit its column ("Child protection conf…"); this delegate
answers a tooltip request over such a cell with the cell's whole text. Over a cell shown
in full, the model's own tooltip (if any) is shown as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

AnyIndex = QModelIndex | QPersistentModelIndex


class ElidedTextDelegate(QStyledItemDelegate):
    def is_elided(self, option: QStyleOptionViewItem, index: AnyIndex) -> bool:
        """Whether the cell at `index`, drawn in `option.rect`, cuts its text short."""
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        text = item.text
        if not text:
            return False
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, widget)
        # As QCommonStyle draws item text: inset by the focus frame's margin and a pixel.
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        room = area.width() - 2 * margin
        return any(item.fontMetrics.horizontalAdvance(line) > room for line in text.splitlines())

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        if event is not None and index.isValid() and self.is_elided(option, index):
            # The model's tooltip may say more than the cell (a short label's whole form).
            text = str(
                index.data(Qt.ItemDataRole.ToolTipRole) or index.data(Qt.ItemDataRole.DisplayRole)
            )
            QToolTip.showText(event.globalPos(), text, view.viewport(), option.rect)
            return True
        return super().helpEvent(event, view, option, index)
