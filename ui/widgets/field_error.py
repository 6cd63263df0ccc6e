"""An error shown beside the field it is about, all of a form's errors at once.

A pop-up per error, one at a time, takes the focus away and gives it back to the first
field, so the next thing typed lands in the wrong box; these labels take no focus at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from observer.errors import ObserverError

ERROR_STYLE = "color: #B3261E;"


class FieldError(QLabel):
    """Hidden while there is nothing wrong; the field's accessible description carries it."""

    def __init__(self, field: QWidget) -> None:
        super().__init__()
        self._field = field
        self.setWordWrap(True)
        self.setStyleSheet(ERROR_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.hide()

    def say(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))
        self._field.setAccessibleDescription(message)

    def clear_error(self) -> None:
        self.say("")


def with_error(field: QWidget) -> tuple[QWidget, FieldError]:
    """The field with its error line under it, for one row of a form."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    error = FieldError(field)
    layout.addWidget(field)
    layout.addWidget(error)
    holder.setFocusProxy(field)
    return holder, error


Check = Callable[[str], object]


def show_errors(checks: Iterable[tuple[Check, QLineEdit, FieldError]]) -> bool:
    """Runs every check (each raises ObserverError for a mistake) and shows each mistake
    beside its field, clearing those put right; True when any is wrong. Moves no focus."""
    found = False
    window = None
    for check, field, error in checks:
        window = field.window()
        try:
            check(field.text())
        except ObserverError as problem:
            error.say(str(problem))
            found = True
        else:
            error.clear_error()
    if window is not None:
        window.adjustSize()  # room for the lines shown, none left over for those gone
    return found
