"""Agreed actions, added and removed inline: what, who owns it, and when it is due."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from functools import partial

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from observer.records.fields import default_due_date, due_before_observation
from observer.records.recording import ActionView, ObservationView, text_limit
from observer.text import uk_date
from observer.vocabulary import Kind, observation_day
from ui.editor.fields import NO_DATE, Binding, Changed, bind_day, bind_line, bound
from ui.formatting import uk_date_time
from ui.widgets.cards import Card, describe, muted

DUE_HINT = "When it is due (day/month/year), on or after the day of the observation."
NO_ACTIONS = "No actions yet. Agree what the {who} will do next, who owns it and by when."
ACTIONS_NOTE = "What the {who} will do next, who owns it, by when."
DUE_TOO_EARLY = (
    "⚠ The due date must be on or after the observation date, {day}. "
    "This date is not saved; the rest of the record is."
)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class _DueCalendar(QCalendarWidget):
    def __init__(self, default: Callable[[], date]) -> None:
        super().__init__()
        self._default = default

    def showEvent(self, event: QShowEvent) -> None:
        # Opened on an empty due date, the calendar shows the month of the default due date,
        # not the empty date's sentinel month.
        if self.selectedDate() == self.minimumDate():
            day = self._default()
            self.setCurrentPage(day.year, day.month)
        super().showEvent(event)


class DueDateEdit(QDateEdit):
    """A due date that may be empty (its minimum, shown as "No due date"). From empty, the
    calendar opens on, and the arrow keys go to, the default: four weeks after the
    observation."""

    def __init__(self, default: Callable[[], date]) -> None:
        super().__init__()
        self._default = default
        self.setDisplayFormat("dd/MM/yyyy")
        self.setCalendarPopup(True)
        self.setCalendarWidget(_DueCalendar(default))
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText("No due date")

    def stepBy(self, steps: int) -> None:
        if self.date() == self.minimumDate():
            self.setDate(_qdate(self._default()))
            return
        super().stepBy(steps)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        if self.date() == self.minimumDate() and not self.isReadOnly():
            return (
                QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
                | QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
            )
        return super().stepEnabled()


class ActionRow(QWidget):
    def __init__(
        self,
        action: ActionView,
        people: list[tuple[str, str]],
        number: int,
        default_due: Callable[[], date],
    ) -> None:
        super().__init__()
        self.id = action.id
        self.what = QLineEdit()
        self.what.setMaxLength(text_limit("the action"))
        self.what.setPlaceholderText("What will be done")
        self.owner = QComboBox()
        self.owner.addItem("No owner", "")
        for person_id, name in people:
            self.owner.addItem(name, person_id)
        self.due = DueDateEdit(default_due)
        self.remove = QPushButton("Remove")
        self.remove.setAutoDefault(False)
        self.done = muted("")
        if action.done_at is not None:
            self.done.setText(f"Done {uk_date_time(action.done_at)} by {action.done_by}")
        self.done.setVisible(action.done_at is not None)
        self.due_problem = QLabel()
        self.due_problem.setObjectName("fieldProblem")
        self.due_problem.setWordWrap(True)
        self.due_problem.setVisible(False)
        self.describe(number)

    def describe(self, number: int) -> None:
        label = f"action {number}"
        describe(self.what, f"What, {label}", "What will be done.")
        describe(self.owner, f"Owner, {label}", "Who will do it.")
        describe(self.due, f"Due date, {label}", self.due_problem.text() or DUE_HINT)
        self.due_problem.setAccessibleName(f"Problem with the due date, {label}")
        describe(self.remove, f"Remove {label}", "Removes this action from the record.")


class ActionsCard(Card):
    add_requested = Signal()
    remove_requested = Signal(uuid.UUID)

    def __init__(
        self, view: ObservationView, people: list[tuple[str, str]], changed: Changed
    ) -> None:
        super().__init__("Agreed actions", ACTIONS_NOTE.format(who="worker"))
        self._people = people
        self._changed = changed
        # When the observation was, as the editor now shows it; the page points this at
        # its own input, so that a moved observation moves the default due date too.
        self.observed_at: Callable[[], datetime] = lambda: view.observed_at
        # Drops a held change that will not be sent; the window points it at its autosaver.
        self.withdraw: Callable[[str], None] = lambda _target: None
        self.rows: dict[uuid.UUID, ActionRow] = {}
        self._headers = [QLabel(text) for text in ("What", "Owner", "Due")]
        self.bindings: dict[str, Binding] = {}
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(0, 5)
        self.grid.setColumnStretch(1, 2)
        self.layout_.addLayout(self.grid)
        self.empty = muted(NO_ACTIONS.format(who="worker"))
        self.add(self.empty)
        self.add_button = QPushButton("&Add action")
        self.add_button.setAutoDefault(False)
        describe(self.add_button, "Add action", "Adds an agreed action to this record.")
        self.add_button.clicked.connect(self.add_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        self.layout_.addLayout(buttons)
        self._read_only = False
        self.show_actions(view)

    def show_kind(self, kind: Kind) -> None:
        """In supervision the one who acts on what was agreed is the supervisor observed."""
        who = "supervisor" if kind.is_supervision else "worker"
        self.note.setText(ACTIONS_NOTE.format(who=who))
        self.empty.setText(NO_ACTIONS.format(who=who))

    def show_actions(self, view: ObservationView) -> None:
        for action_id in list(self.rows):
            if action_id not in {a.id for a in view.actions}:
                self.remove_row(action_id)
        for action in view.actions:
            if action.id not in self.rows:
                self.add_row(action)
            self.bindings[f"action:{action.id}:description"].show(action.description)
            self.bindings[f"action:{action.id}:owner"].show(action.owner_id)
            self.bindings[f"action:{action.id}:due"].show(action.due_date)
        self._relayout()

    def add_row(self, action: ActionView) -> ActionRow:
        row = ActionRow(action, self._people, len(self.rows) + 1, self._default_due)
        self.rows[action.id] = row
        prefix = f"action:{action.id}"
        for binding in (
            bind_line(f"{prefix}:description", row.what, self._changed),
            _bind_owner(f"{prefix}:owner", row.owner, self._changed),
            bind_day(f"{prefix}:due", row.due, partial(self._due_changed, row)),
        ):
            self.bindings[binding.target] = binding
        self.bindings[f"{prefix}:description"].show(action.description)
        self.bindings[f"{prefix}:owner"].show(action.owner_id)
        self.bindings[f"{prefix}:due"].show(action.due_date)
        self._show_due_problem(row, action.due_date)
        row.remove.clicked.connect(lambda: self.remove_requested.emit(action.id))
        self._relayout()
        self.set_read_only(self._read_only)
        return row

    def _due_changed(self, row: ActionRow, target: str, due: date | None) -> None:
        """A due date before the observation is refused by the record: it is said at the
        field and kept back, so that it never stops the rest of the record saving."""
        if self._show_due_problem(row, due):
            self.withdraw(target)
        else:
            self._changed(target, due)

    def _show_due_problem(self, row: ActionRow, due: date | None) -> bool:
        observed_at = self.observed_at()
        early = due_before_observation(observed_at, due)
        day = uk_date(observation_day(observed_at))
        row.due_problem.setText(DUE_TOO_EARLY.format(day=day) if early else "")
        row.due_problem.setVisible(early)
        row.due.setAccessibleDescription(row.due_problem.text() or DUE_HINT)
        return early

    def check_due_dates(self) -> None:
        """The observation moved: each due date is checked against its new day."""
        for action_id, row in self.rows.items():
            target = f"action:{action_id}:due"
            self._due_changed(row, target, self.bindings[target].read())

    def _default_due(self) -> date:
        return default_due_date(self.observed_at())

    def remove_row(self, action_id: uuid.UUID) -> None:
        row = self.rows.pop(action_id, None)
        if row is None:
            return
        for target in [t for t in self.bindings if t.startswith(f"action:{action_id}")]:
            del self.bindings[target]
        for widget in (row.what, row.owner, row.due, row.remove, row.done, row.due_problem):
            self.grid.removeWidget(widget)
            widget.deleteLater()
        row.deleteLater()
        self._relayout()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.add_button.setVisible(not read_only)
        for row in self.rows.values():
            row.what.setReadOnly(read_only)
            row.owner.setEnabled(not read_only)
            row.due.setEnabled(not read_only)
            row.remove.setVisible(not read_only)

    def _relayout(self) -> None:
        for widget in self._grid_widgets():
            self.grid.removeWidget(widget)
        for column, header in enumerate(self._headers):
            self.grid.addWidget(header, 0, column)
        line = 1
        for number, row in enumerate(self.rows.values(), start=1):
            row.describe(number)
            self.grid.addWidget(row.what, line, 0)
            self.grid.addWidget(row.owner, line, 1)
            self.grid.addWidget(row.due, line, 2)
            self.grid.addWidget(row.remove, line, 3)
            line += 1
            if row.done.text():
                self.grid.addWidget(row.done, line, 0, 1, 4)
                line += 1
            self.grid.addWidget(row.due_problem, line, 0, 1, 4)
            line += 1
        for header in self._headers:
            header.setVisible(bool(self.rows))
        self.empty.setVisible(not self.rows)
        previous: QWidget | None = None
        for row in self.rows.values():
            for widget in (row.what, row.owner, row.due, row.remove):
                if previous is not None:
                    QWidget.setTabOrder(previous, widget)
                previous = widget
        if previous is not None:
            QWidget.setTabOrder(previous, self.add_button)

    def _grid_widgets(self) -> list[QWidget]:
        widgets = []
        for index in range(self.grid.count()):
            item = self.grid.itemAt(index)
            if item is not None and item.widget() is not None:
                widgets.append(item.widget())
        return widgets


def _bind_owner(target: str, combo: QComboBox, changed: Changed) -> Binding:
    def read() -> uuid.UUID | None:
        data = combo.currentData()
        return uuid.UUID(data) if data else None

    def show(value: uuid.UUID | None) -> None:
        index = combo.findData(str(value) if value else "")
        combo.setCurrentIndex(max(index, 0))

    return bound(target, combo, read, show, combo.currentIndexChanged, changed)
