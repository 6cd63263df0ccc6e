"""A date limit a filter may use: a tick box that switches it on, and the date itself."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QLineEdit

DATE_FORMAT = "dd/MM/yyyy"


def optional_date(text: str, name: str, initial: QDate) -> tuple[QCheckBox, QDateEdit]:
    """A tick box that switches a date limit on, and the date, off until it is ticked."""
    check = QCheckBox(text)
    check.setAccessibleName(f"Limit by {name.lower()}")
    edit = QDateEdit(initial)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setAccessibleName(name)
    edit.setAccessibleDescription(f"Tick {text.replace('&', '').rstrip(':')} to use this date.")
    inner = edit.findChild(QLineEdit)
    if inner is not None:
        inner.setAccessibleName(name)
    edit.setEnabled(False)
    check.toggled.connect(edit.setEnabled)
    return check, edit


def day_of(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
