"""Draws a cell's rich text (the model's HTML_ROLE), such as a snippet with bold matches,
on one line; cells without it are drawn as usual.

Laying out rich text is the slow part of painting such a cell, and a view paints each
visible cell again whenever anything moves: the laid-out documents of the cells lately
painted are kept, as many as a screen or two holds.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRectF
from PySide6.QtGui import QFont, QPainter, QPalette, QTextDocument, QTextOption
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from ui.models.search_results import HTML_ROLE
from ui.widgets.elided_delegate import ElidedTextDelegate

KEPT_DOCUMENTS = 128


class RichTextDelegate(ElidedTextDelegate):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._documents: OrderedDict[tuple[str, str, str], QTextDocument] = OrderedDict()

    def document(self, rich: str, colour: str, font: QFont) -> QTextDocument:
        """The rich text laid out on one line in `font` and `colour`."""
        key = (rich, colour, font.key())
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
            return document
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(font)
        no_wrap = QTextOption()
        no_wrap.setWrapMode(QTextOption.WrapMode.NoWrap)
        document.setDefaultTextOption(no_wrap)
        document.setHtml(f'<span style="color: {colour}">{rich}</span>')
        self._documents[key] = document
        if len(self._documents) > KEPT_DOCUMENTS:
            self._documents.popitem(last=False)
        return document

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
        document = self.document(rich, item.palette.color(role).name(), item.font)

        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, widget)
        painter.save()
        top = area.top() + max(0.0, (area.height() - document.size().height()) / 2)
        painter.translate(area.left(), top)
        painter.setClipRect(QRectF(0, 0, area.width(), area.height()))
        document.drawContents(painter)
        painter.restore()
