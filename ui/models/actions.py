"""The actions table: agreed development actions, soonest due first, overdue ones said so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject

from observer.records.actions import ActionSummary
from ui.formatting import OVERDUE, uk_date
from ui.models.table import Column, RecordTableModel

NO_DUE_DATE = "No date"


def _due_key(action: ActionSummary) -> int:
    return action.due_date.toordinal() if action.due_date else date.max.toordinal()


def action_columns(today: Callable[[], date]) -> tuple[Column[ActionSummary], ...]:
    def status(action: ActionSummary) -> str:
        if action.is_overdue(today()):
            return OVERDUE
        return action.status.label

    return (
        Column("Due", lambda a: uk_date(a.due_date) or NO_DUE_DATE, _due_key),
        Column("Action", lambda a: " ".join(a.description.split()), stretch=True, tooltip=True),
        Column("Worker", lambda a: a.worker),
        Column("Owner", lambda a: a.owner or "Not set"),
        Column("Status", status, bold=lambda a: a.is_overdue(today())),
    )


class ActionsModel(RecordTableModel[ActionSummary]):
    def __init__(self, today: Callable[[], date] = date.today, parent: QObject | None = None):
        super().__init__(action_columns(today), parent)
        self._today = today

    def today(self) -> date:
        return self._today()
