"""Draws a cell's rich text (the model's HTML_ROLE), such as a snippet with bold matches,
on one line; cells without it are drawn as usual."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF
from PySide6.QtGui import QPainter, QPalette, QTextDocument, QTextOption
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from ui.models.search_results import HTML_ROLE
from ui.widgets.elided_delegate import ElidedTextDelegate


class RichTextDelegate(ElidedTextDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rich = index.data(HTML_ROLE)
        if not rich:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)

        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        colour = item.palette.color(role)
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(item.font)
        no_wrap = QTextOption()
        no_wrap.setWrapMode(QTextOption.WrapMode.NoWrap)
        document.setDefaultTextOption(no_wrap)
        document.setHtml(f'<span style="color: {colour.name()}">{rich}</span>')

        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, widget)
        painter.save()
        top = area.top() + max(0.0, (area.height() - document.size().height()) / 2)
        painter.translate(area.left(), top)
        painter.setClipRect(QRectF(0, 0, area.width(), area.height()))
        document.drawContents(painter)
        painter.restore()
