"""A date and time typed as one piece of text, day first, with a calendar beside it.

One tab stop: the calendar button takes no focus (the keyboard user types the date, or
opens the calendar with F4 or Alt+Down). The
text is read by observer.dates; text it cannot read stays exactly as typed and the sentence
saying why shows under the field, so no part of a date ever changes behind the user's back.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QDate, QPoint, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from observer.dates import EXAMPLE, InvalidDate, format_date_time, parse_date_time
from ui.widgets.field_hint import FieldHint

CALENDAR_NAME = "Choose the date from a calendar"


class _Line(QLineEdit):
    """Tells the field when focus leaves, so a finished entry is checked then, and when the
    calendar is asked for from the keyboard (F4 or Alt+Down, as in Qt's own date fields)."""

    left = Signal()
    calendar_asked = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt_down = event.key() == Qt.Key.Key_Down and (
            event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if event.key() == Qt.Key.Key_F4 or alt_down:
            self.calendar_asked.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.left.emit()


class DateTimeField(QWidget):
    """`changed` carries each new minute the text names as it is typed; `value()` is None
    while the text names none."""

    changed = Signal(object)
    message_toggled = Signal()  # the sentence under the field appeared or went

    def __init__(self, initial: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._last = initial.replace(second=0, microsecond=0)
        self.line = _Line(format_date_time(self._last))
        self.line.setPlaceholderText(f"Day first, for example {EXAMPLE}")
        self.line.setToolTip(f"Day first, then the time: for example {EXAMPLE} or 7/12/26 2:30pm.")
        self.calendar_button = QToolButton()
        self.calendar_button.setText("Calendar…")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_button.setAccessibleName(CALENDAR_NAME)
        self.calendar_button.setToolTip(CALENDAR_NAME)
        self.message = FieldHint()
        self.message.setObjectName("fieldError")
        self.message.setStyleSheet("QLabel#fieldError { color: #a4262c; }")
        self.message.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.line, 1)
        row.addWidget(self.calendar_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.message)
        # No focus proxy: a proxy puts this box in the tab chain as well as the line (Qt 6),
        # so a label names `line` as its buddy instead.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self.line.textEdited.connect(self._typed)
        self.line.left.connect(self._finished)
        self.line.returnPressed.connect(self._finished)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.line.calendar_asked.connect(self.open_calendar)
        self.calendar: QCalendarWidget | None = None  # while it is open

    # What it holds

    def value(self) -> datetime | None:
        try:
            return parse_date_time(self.line.text(), self._last.time())
        except InvalidDate:
            return None

    def checked_value(self) -> datetime:
        """The minute typed; raises InvalidDate, with the sentence to show, when there is none
        (and shows that sentence at the field as well)."""
        try:
            return parse_date_time(self.line.text(), self._last.time())
        except InvalidDate as refusal:
            self._show(str(refusal))
            raise

    def set_value(self, moment: datetime) -> None:
        self._last = moment.replace(second=0, microsecond=0)
        self.line.setText(format_date_time(self._last))
        self._show(None)
        self.changed.emit(self._last)

    def error(self) -> str | None:
        return self.message.text() if not self.message.isHidden() else None

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.line.setAccessibleName(name)

    def setAccessibleDescription(self, description: str) -> None:
        super().setAccessibleDescription(description)
        self.line.setAccessibleDescription(description)

    # Reacting

    def _typed(self, text: str) -> None:
        try:
            moment = parse_date_time(text, self._last.time())
        except InvalidDate:
            return  # said when the user has finished typing, not at every key
        self._show(None)
        if moment != self._last:
            self._last = moment
            self.changed.emit(moment)

    def _finished(self) -> None:
        try:
            moment = parse_date_time(self.line.text(), self._last.time())
        except InvalidDate as refusal:
            self._show(str(refusal))
            return
        self._show(None)
        shown = format_date_time(moment)
        if self.line.text() != shown:
            self.line.setText(shown)  # the same minute, in the form that shows how it was read

    def _show(self, message: str | None) -> None:
        self.message.setText(message or "")
        if self.message.isHidden() == (message is not None):
            self.message.resize(self.width(), self.message.height())  # wrap at the real width
            self.message.setVisible(message is not None)
            self.message_toggled.emit()
        self.line.setAccessibleDescription(
            " ".join(part for part in (self.accessibleDescription(), message) if part)
        )

    def open_calendar(self) -> None:
        calendar = QCalendarWidget()
        calendar.setWindowFlags(Qt.WindowType.Popup)
        calendar.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        calendar.setGridVisible(True)
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        shown = self.value() or self._last
        calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        calendar.clicked.connect(self._picked)
        calendar.activated.connect(self._picked)
        calendar.move(self.line.mapToGlobal(QPoint(0, self.line.height())))
        self.calendar = calendar
        calendar.destroyed.connect(self._calendar_closed)
        calendar.show()
        calendar.setFocus()

    def _calendar_closed(self) -> None:
        self.calendar = None

    def _picked(self, day: QDate) -> None:
        """A day from the calendar keeps the time already typed."""
        kept: time = (self.value() or self._last).time()
        self.set_value(datetime(day.year(), day.month(), day.day(), kept.hour, kept.minute))
        if self.calendar is not None:
            self.calendar.close()
            self.calendar = None
        self.line.setFocus()
