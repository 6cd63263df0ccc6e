"""A pad to sign on with a mouse, a pen or a finger.

Strokes are kept as lists of points and drawn as smooth curves. On screen the ink follows
the palette's text colour; the exported image is always dark ink on a transparent
background, cropped to the signature, so it prints and sits on any page. Drawing is
optional: when someone cannot draw, the typed name beside the pad is the signature.
"""

from __future__ import annotations

import math
from itertools import pairwise

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

Stroke = tuple[QPointF, ...]

HINT = "Sign here"
ACCESSIBLE_NAME = "Signature pad"
ACCESSIBLE_DESCRIPTION = (
    "Draw your signature with a mouse, pen or finger. Ctrl+Z undoes a stroke, "
    "Ctrl+Shift+Z redoes it. When drawing is not possible, your typed name is your signature."
)
PEN_WIDTH = 2.4
INK = QColor(22, 27, 45)  # the exported ink: near-black, prints on any paper
MIN_STEP = 0.8  # points closer than this to the last one add nothing but noise
EXPORT_SCALE = 2.0  # exported pixels per pad pixel, for a crisp print
EXPORT_MARGIN = 8.0
MAX_EXPORT = QSize(1200, 400)
BASELINE_AT = 0.72  # of the height, from the top


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[Stroke] = []
        self._paths: list[QPainterPath] = []
        self._current: list[QPointF] | None = None
        self._undo: list[list[Stroke]] = []
        self._redo: list[list[Stroke]] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(ACCESSIBLE_NAME)
        self.setAccessibleDescription(ACCESSIBLE_DESCRIPTION)
        self.setToolTip("Draw your signature here")
        self.setMinimumHeight(self.fontMetrics().height() * 7)

    # What is drawn

    def is_empty(self) -> bool:
        return not self._strokes

    def stroke_count(self) -> int:
        return len(self._strokes)

    def strokes(self) -> tuple[Stroke, ...]:
        return tuple(self._strokes)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def clear(self) -> None:
        """Wipes the pad; Undo brings the strokes back."""
        if self._strokes:
            self._replace([])

    def undo(self) -> None:
        if self._undo:
            self._redo.append(self._strokes)
            self._show(self._undo.pop())

    def redo(self) -> None:
        if self._redo:
            self._undo.append(self._strokes)
            self._show(self._redo.pop())

    def to_png(self) -> bytes:
        """The signature as a PNG: dark ink on transparent, cropped with a small margin."""
        if self.is_empty():
            raise ValueError("nothing is drawn on the signature pad")
        bounds = QRectF()
        for path in self._paths:
            bounds = bounds.united(path.boundingRect())
        margin = EXPORT_MARGIN + PEN_WIDTH
        bounds.adjust(-margin, -margin, margin, margin)
        scale = min(
            EXPORT_SCALE,
            MAX_EXPORT.width() / bounds.width(),
            MAX_EXPORT.height() / bounds.height(),
        )
        width = max(1, math.ceil(bounds.width() * scale))
        height = max(1, math.ceil(bounds.height() * scale))
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        painter.translate(-bounds.topLeft())
        painter.setPen(_pen(INK))
        for path in self._paths:
            painter.drawPath(path)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())

    def _replace(self, strokes: list[Stroke]) -> None:
        self._undo.append(self._strokes)
        self._redo.clear()
        self._show(strokes)

    def _show(self, strokes: list[Stroke]) -> None:
        self._strokes = strokes
        self._paths = [smooth_path(stroke) for stroke in strokes]
        self.update()
        self.changed.emit()

    # Drawing

    def _begin(self, position: QPointF) -> None:
        self._current = [QPointF(position)]
        self.update()

    def _extend(self, position: QPointF) -> None:
        if self._current is None:
            return
        last = self._current[-1]
        if abs(position.x() - last.x()) + abs(position.y() - last.y()) >= MIN_STEP:
            self._current.append(QPointF(position))
            self.update()

    def _end(self, position: QPointF | None = None) -> None:
        if self._current is None:
            return
        if position is not None:
            self._extend(position)
        stroke = tuple(self._current)
        self._current = None
        self._replace([*self._strokes, stroke])

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end(event.position())
        event.accept()  # so Qt does not draw the same stroke again from made-up mouse events

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(event, QTouchEvent) and kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            points = event.points()
            position = points[0].position() if points else None
            if kind == QEvent.Type.TouchBegin and position is not None:
                self._begin(position)
            elif kind == QEvent.Type.TouchUpdate and position is not None:
                self._extend(position)
            elif kind == QEvent.Type.TouchEnd:
                self._end(position)
            else:
                self._current = None
                self.update()
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = Qt.KeyboardModifier.ControlModifier
        shift = Qt.KeyboardModifier.ShiftModifier
        modifiers = event.modifiers() & (ctrl | shift | Qt.KeyboardModifier.AltModifier)
        key = event.key()
        if event.matches(QKeySequence.StandardKey.Redo) or (
            key == Qt.Key.Key_Z and modifiers == ctrl | shift
        ):
            self.redo()
        elif event.matches(QKeySequence.StandardKey.Undo) or (
            key == Qt.Key.Key_Z and modifiers == ctrl
        ):
            self.undo()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    # Painting

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 28, line * 10)

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 16, line * 7)

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        focused = self.hasFocus()
        border = palette.color(QPalette.ColorRole.Highlight if focused else QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, 2.0 if focused else 1.0))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(frame.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)

        side = self.fontMetrics().height() * 1.2
        baseline = round(self.height() * BASELINE_AT) + 0.5
        faint = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(QPen(faint, 1.0))
        painter.drawLine(QPointF(side, baseline), QPointF(self.width() - side, baseline))
        painter.drawText(QPointF(side, baseline - 6), "×")
        if self.is_empty() and self._current is None:
            font = painter.font()
            font.setItalic(True)
            painter.setFont(font)
            painter.drawText(
                QPointF(side + self.fontMetrics().horizontalAdvance("×  "), baseline - 6), HINT
            )

        painter.setPen(_pen(palette.color(QPalette.ColorRole.Text)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for path in self._paths:
            painter.drawPath(path)
        if self._current:
            painter.drawPath(smooth_path(tuple(self._current)))
        painter.end()


def smooth_path(points: Stroke) -> QPainterPath:
    """A curve through the midpoints of a stroke's points, so a shaky hand draws smoothly."""
    path = QPainterPath(points[0])
    if len(points) == 1:
        path.lineTo(points[0] + QPointF(0.01, 0))  # a dot: the round cap makes it visible
        return path
    for here, after in pairwise(points[1:]):
        path.quadTo(here, (here + after) / 2)
    path.lineTo(points[-1])
    return path


def _pen(colour: QColor) -> QPen:
    return QPen(
        colour,
        PEN_WIDTH,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
