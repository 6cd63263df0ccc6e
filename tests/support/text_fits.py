"""Whether a screen shows the whole of every label's text, at any font size.

`clipped_labels(widget)` lists each visible label in `widget` whose text does not fit the
room it was given: a wrapped label shorter than its text needs at its width, or narrower
than its longest word; an unwrapped label narrower or shorter than its text; or a label
that sticks out of a widget it sits in (a window too small for its layout). Labels inside
a scroll area are judged only by their own size: scrolling shows the rest of the area.

`cut_cells(view, header)` lists the cells of a table's column that are cut short.
`app_font(points)` runs a block at another font size, as a user with larger text sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ui.widgets.elided_delegate import ElidedTextDelegate

LARGE_FONT_POINTS = 16


@contextmanager
def app_font(points: float | None) -> Iterator[None]:
    """The application's font at `points` (unchanged for None) while the block runs."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QFont(app.font())
    if points is not None:
        font = QFont(before)
        font.setPointSizeF(points)
        app.setFont(font)
    try:
        yield
    finally:
        app.setFont(before)


def settle_layouts() -> None:
    """Lets pending layout requests run, as the event loop would before painting."""
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
        QApplication.processEvents()


def _describe(label: QLabel, why: str) -> str:
    name = label.accessibleName() or label.objectName() or type(label).__name__
    text = label.text().replace("\n", " ")
    if len(text) > 60:
        text = text[:57] + "…"
    return f"{name} {text!r}: {why}"


def _own_clipping(label: QLabel) -> str | None:
    size = label.size()
    if label.wordWrap():
        longest_word = label.minimumSizeHint().width()
        if size.width() < longest_word:
            return f"{size.width()} px wide, its longest word needs {longest_word}"
        needed = label.heightForWidth(size.width())
        if needed > size.height():
            return f"{size.height()} px high, its text needs {needed} at {size.width()} px"
        return None
    hint = label.sizeHint()
    if size.width() < hint.width() or size.height() < hint.height():
        return f"{size.width()}×{size.height()} px, its text needs {hint.width()}×{hint.height()}"
    return None


def _sticks_out(label: QLabel, root: QWidget) -> str | None:
    """The first widget between the label and the window that cuts the label off."""
    child: QWidget = label
    rect = QRect(QPoint(0, 0), label.size())
    while child is not root and not child.isWindow():
        parent = child.parentWidget()
        if parent is None:
            return None
        rect = rect.translated(child.pos())
        if isinstance(parent.parentWidget(), QAbstractScrollArea):
            return None  # a scroll area's viewport: the user scrolls to the rest
        if not parent.rect().contains(rect):
            name = parent.accessibleName() or type(parent).__name__
            return f"cut off by {name} ({parent.width()}×{parent.height()} px)"
        child = parent
    return None


def clipped_labels(root: QWidget) -> list[str]:
    """Each visible label in `root` that does not show its whole text, and why."""
    settle_layouts()
    problems = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text().strip():
            continue
        why = _own_clipping(label) or _sticks_out(label, root)
        if why:
            problems.append(_describe(label, why))
    return problems


def cut_cells(view: QTableView, header: str) -> list[str]:
    """The texts of the column's cells that its width cuts short (elides)."""
    model = view.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = titles.index(header)
    delegate = view.itemDelegate()
    assert isinstance(delegate, ElidedTextDelegate)
    cut = []
    for row in range(model.rowCount()):
        index = model.index(row, column)
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        option.rect = view.visualRect(index)
        option.rect.setWidth(view.columnWidth(column))  # rows out of view are measured too
        if delegate.is_elided(option, index):
            cut.append(str(index.data()))
    return cut
