"""A worker's actions: overdue first, then open, then done; each ticked done in one step.

The first column is a tick box. Ticking an open action asks for it to be marked done;
unticking a done one asks for it to be reopened. The model only says what was asked
(`done_requested`): the page records it in the store, and then shows the action as done.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QStyle

from observer.review.worker_history import HistoryAction
from observer.vocabulary import ActionStatus
from ui.formatting import OVERDUE, count, uk_date, uk_date_time
from ui.models.table import AnyIndex, Column, RecordTableModel

DONE_COLUMN = 0
STATUS_COLUMN = 2
NO_DUE_DATE = "No date"


def status_text(action: HistoryAction, today: date) -> str:
    """ "Overdue by 12 days", "Open", "Done": overdue in words, not by colour alone."""
    if action.overdue and action.due_date is not None:
        return f"{OVERDUE} by {count((today - action.due_date).days, 'day')}"
    return action.status.label


def _due_key(action: HistoryAction) -> int:
    return action.due_date.toordinal() if action.due_date else date.max.toordinal()


def _done_by(action: HistoryAction) -> str:
    if action.status is not ActionStatus.DONE:
        return ""
    when = uk_date_time(action.done_at)
    return f"{action.done_by}, {when}" if action.done_by else when


def _status_key(action: HistoryAction) -> int:
    return 0 if action.overdue else 1 if action.status is ActionStatus.OPEN else 2


class HistoryActionsModel(RecordTableModel[HistoryAction]):
    done_requested = Signal(uuid.UUID, bool)  # the action, whether it is to be done

    def __init__(self, today: date, parent: QObject | None = None) -> None:
        self.today = today
        columns: tuple[Column[HistoryAction], ...] = (
            Column(
                "Done",
                lambda a: "",
                _status_key,
                centred=True,
                description="Tick an action to mark it done; untick it to reopen it",
            ),
            Column("Due", lambda a: uk_date(a.due_date) or NO_DUE_DATE, _due_key),
            Column(
                "Status",
                lambda a: status_text(a, self.today),
                _status_key,
                bold=lambda a: a.overdue,
            ),
            Column("Action", lambda a: " ".join(a.description.split()), stretch=True, tooltip=True),
            Column(
                "Agreed in",
                lambda a: f"{a.observation_kind.label}, {uk_date(a.observation_observed_on)}",
                lambda a: a.observation_observed_on.toordinal(),
                tooltip=True,
                max_chars=34,
            ),
            Column("Owner", lambda a: a.owner_name or "Not set", max_chars=24),
            Column("Done by", _done_by, max_chars=34),
        )
        super().__init__(columns, parent)
        style = QApplication.style()
        self._overdue_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == DONE_COLUMN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        action = self.record(index.row())
        if index.column() == DONE_COLUMN:
            if role == Qt.ItemDataRole.CheckStateRole:
                done = action.status is ActionStatus.DONE
                return Qt.CheckState.Checked if done else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return "Done" if action.status is ActionStatus.DONE else "Not done"
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    "Untick to reopen this action"
                    if action.status is ActionStatus.DONE
                    else "Tick to mark this action done"
                )
        if (
            index.column() == STATUS_COLUMN
            and role == Qt.ItemDataRole.DecorationRole
            and action.overdue
        ):
            return self._overdue_icon
        return super().data(index, role)

    def setData(self, index: AnyIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != DONE_COLUMN:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        action = self.record(index.row())
        if checked == (action.status is ActionStatus.DONE):
            return False
        self.done_requested.emit(action.id, checked)
        return True

    def row_of(self, action_id: uuid.UUID) -> int:
        for row in range(self.rowCount()):
            if self.record(row).id == action_id:
                return row
        return -1

    def show_done(self, action_id: uuid.UUID, by: str, at: datetime) -> None:
        """Shows the action as done by `by` at `at`, until the page reloads the history."""
        self._replace(
            action_id,
            lambda a: replace(a, status=ActionStatus.DONE, done_at=at, done_by=by, overdue=False),
        )

    def show_reopened(self, action_id: uuid.UUID) -> None:
        def reopened(a: HistoryAction) -> HistoryAction:
            late = a.due_date is not None and a.due_date < self.today
            return replace(a, status=ActionStatus.OPEN, done_at=None, done_by="", overdue=late)

        self._replace(action_id, reopened)

    def _replace(
        self, action_id: uuid.UUID, change: Callable[[HistoryAction], HistoryAction]
    ) -> None:
        row = self.row_of(action_id)
        if row < 0:
            return
        self.replace_record(row, change(self.record(row)))
