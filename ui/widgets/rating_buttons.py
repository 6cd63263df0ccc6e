"""A row of rating buttons, one per level of a framework's scale, that the keyboard can work.

The row is one stop in the tab order, as a radio group is: the arrow keys move between
levels, Space chooses the one with focus, and choosing the chosen level again (or Delete)
clears the rating. The chosen level is marked by a tick and bold text, never by colour
alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from observer.records.recording import LevelView
from ui.widgets.flow_layout import FlowLayout

TICK = "✓ "


class RatingButtons(QWidget):
    changed = Signal(object)  # the chosen level's code, or None when cleared

    def __init__(
        self, levels: Sequence[LevelView], subject: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._value: str | None = None
        self._read_only = False
        self._labels = {level.code: level.label for level in levels}
        self.buttons: dict[str, QPushButton] = {}
        self.setAccessibleName(f"Rating for {subject}")
        layout = FlowLayout(self, spacing=6)
        for level in levels:
            button = QPushButton(level.label)
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setAccessibleName(f"{level.label}: rating for {subject}")
            button.setAccessibleDescription(level.description or f"Rate {subject} {level.label}.")
            button.setToolTip(level.description)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(_chosen_width(button, level.label))
            button.clicked.connect(lambda _checked=False, code=level.code: self._clicked(code))
            button.installEventFilter(self)
            layout.addWidget(button)
            self.buttons[level.code] = button
        self._update()

    def value(self) -> str | None:
        return self._value

    def set_value(self, code: str | None) -> None:
        """Shows a level as chosen without announcing a change (loading, merging)."""
        self._value = code if code in self.buttons else None
        self._update()

    def choose(self, code: str | None) -> None:
        """Chooses a level as the user would, announcing the change."""
        if code == self._value:
            return
        self.set_value(code)
        self.changed.emit(self._value)

    def set_read_only(self, read_only: bool) -> None:
        """A locked rating stays readable: the chosen level shows, nothing can change it."""
        self._read_only = read_only
        for button in self.buttons.values():
            button.setEnabled(not read_only or button.isChecked())

    def focus_rating(self) -> None:
        self._stop().setFocus(Qt.FocusReason.OtherFocusReason)

    def _clicked(self, code: str) -> None:
        if self._read_only:
            self._update()  # a click on the chosen level must not untick it on screen
            return
        self.choose(None if code == self._value else code)

    def _stop(self) -> QPushButton:
        chosen = self.buttons.get(self._value or "")
        return chosen or next(iter(self.buttons.values()))

    def _update(self) -> None:
        stop = self._stop()
        for code, button in self.buttons.items():
            chosen = code == self._value
            button.setChecked(chosen)
            button.setText((TICK if chosen else "") + self._labels[code])
            font = button.font()
            font.setBold(chosen)
            button.setFont(font)
            button.setFocusPolicy(
                Qt.FocusPolicy.StrongFocus if button is stop else Qt.FocusPolicy.ClickFocus
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(watched, QPushButton):
            assert isinstance(event, QKeyEvent)
            codes = list(self.buttons)
            here = next(c for c, b in self.buttons.items() if b is watched)
            step = {
                Qt.Key.Key_Left: -1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_Right: 1,
                Qt.Key.Key_Down: 1,
            }.get(Qt.Key(event.key()))
            if step is not None:
                target = codes[(codes.index(here) + step) % len(codes)]
                self.buttons[target].setFocus(Qt.FocusReason.TabFocusReason)
                return True
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                if not self._read_only:
                    self.choose(None)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._clicked(here)
                return True
        return super().eventFilter(watched, event)


def _chosen_width(button: QPushButton, label: str) -> int:
    """Wide enough for the chosen look, so choosing a level never shifts the row."""
    font = button.font()
    font.setBold(True)
    padding = 4 * button.fontMetrics().averageCharWidth()
    return QFontMetrics(font).horizontalAdvance(TICK + label) + padding
