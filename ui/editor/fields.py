"""Bindings between the editor's inputs and what they change in the record.

Each binding knows its target (a field, a rating, an action's field), how to read the
input, how to show a value without announcing it as the user's change, and tells the
editor when the user changes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime, SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ui.formatting import local
from ui.widgets.growing_text import GrowingTextEdit
from ui.widgets.rating_buttons import RatingButtons

NO_DATE = QDate(2000, 1, 1)
Changed = Callable[[str, Any], None]


class Binding:
    def __init__(
        self,
        target: str,
        widget: QWidget,
        read: Callable[[], Any],
        show: Callable[[Any], None],
    ) -> None:
        self.target = target
        self.widget = widget
        self.read = read
        self._show = show
        self.showing = False

    def show(self, value: Any) -> None:
        self.showing = True
        try:
            self._show(value)
        finally:
            self.showing = False

    def tell(self, changed: Changed) -> Callable[..., None]:
        def slot(*_args: object) -> None:
            if not self.showing:
                changed(self.target, self.read())

        return slot


def bound(
    target: str,
    widget: QWidget,
    read: Callable[[], Any],
    show: Callable[[Any], None],
    signal: SignalInstance,
    changed: Changed,
) -> Binding:
    """A binding whose input announces the user's changes through `signal`."""
    binding = Binding(target, widget, read, show)
    signal.connect(binding.tell(changed))
    return binding


def bind_line(target: str, edit: QLineEdit, changed: Changed) -> Binding:
    return bound(target, edit, edit.text, lambda v: _set_line(edit, v), edit.textChanged, changed)


def bind_text(target: str, edit: GrowingTextEdit, changed: Changed) -> Binding:
    return bound(target, edit, edit.text, edit.set_text, edit.textChanged, changed)


def bind_choice(target: str, combo: QComboBox, changed: Changed) -> Binding:
    show = partial(_set_choice, combo)
    return bound(target, combo, combo.currentData, show, combo.currentIndexChanged, changed)


def bind_moment(target: str, edit: QDateTimeEdit, changed: Changed) -> Binding:
    read, show = partial(read_moment, edit), partial(show_moment, edit)
    return bound(target, edit, read, show, edit.dateTimeChanged, changed)


def bind_minutes(target: str, spin: QSpinBox, changed: Changed) -> Binding:
    def read() -> int | None:
        return spin.value() or None

    def show(value: int | None) -> None:
        spin.setValue(value or 0)

    return bound(target, spin, read, show, spin.valueChanged, changed)


def bind_check(target: str, box: QCheckBox, changed: Changed) -> Binding:
    def show(value: Any) -> None:
        box.setChecked(bool(value))

    return bound(target, box, box.isChecked, show, box.toggled, changed)


def bind_rating(target: str, buttons: RatingButtons, changed: Changed) -> Binding:
    return bound(target, buttons, buttons.value, buttons.set_value, buttons.changed, changed)


def bind_day(target: str, edit: QDateEdit, changed: Changed) -> Binding:
    read, show = partial(read_day, edit), partial(show_day, edit)
    return bound(target, edit, read, show, edit.dateChanged, changed)


def read_moment(edit: QDateTimeEdit) -> datetime:
    moment = edit.dateTime()
    day, clock = moment.date(), moment.time()
    naive = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())
    return naive.astimezone()


def show_moment(edit: QDateTimeEdit, value: datetime) -> None:
    shown = local(value)
    edit.setDateTime(
        QDateTime(QDate(shown.year, shown.month, shown.day), QTime(shown.hour, shown.minute))
    )


def read_day(edit: QDateEdit) -> date | None:
    day = edit.date()
    if day == edit.minimumDate():
        return None
    return date(day.year(), day.month(), day.day())


def show_day(edit: QDateEdit, value: date | None) -> None:
    edit.setDate(edit.minimumDate() if value is None else QDate(value.year, value.month, value.day))


def _set_line(edit: QLineEdit, value: Any) -> None:
    if edit.text() != (value or ""):
        edit.setText(value or "")


def _set_choice(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else 0)
