"""The worker's actions: overdue first, then open, each ticked done in one step."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from observer.review.worker_history import HistoryAction
from observer.vocabulary import ActionStatus
from ui.models.history_actions import DONE_COLUMN, HistoryActionsModel
from ui.models.table import RecordFilterProxy
from ui.widgets.layout import ROW_SPACING
from ui.widgets.record_table import RecordTable
from ui.widgets.undo_line import UndoLine

ABOUT = (
    "Open actions from every observation of this worker, whatever the filters; tick one to "
    "mark it done. Done actions follow the filters."
)
NO_ACTIONS = (
    "No actions have been agreed with this worker yet. Actions agreed in their observations "
    "are listed here, overdue ones first, until they are done."
)
ALL_DONE = "Every action is done. Tick Show done actions to see who did them, and when."
NO_MATCHES = "No action matches."


FIT_ROWS = 60  # the columns fit the first rows; a long list need not be read to the end


def _is_open(action: HistoryAction) -> bool:
    return action.status is ActionStatus.OPEN


class ActionsView(QWidget):
    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryActionsModel(today, self)
        self.proxy: RecordFilterProxy[HistoryAction] = RecordFilterProxy(self.model, self)
        self.proxy.set_keep(_is_open)
        self.about = QLabel(ABOUT)
        self.about.setWordWrap(True)
        self.show_done = QCheckBox("Show &done actions")
        self.show_done.setAccessibleName("Show done actions")
        self.show_done.toggled.connect(self._show_done_changed)
        self.outcome = UndoLine("Last change to an action")
        self.outcome.attach_shortcut(self)
        self.table = RecordTable(self.model, self.proxy, "Actions of this worker")
        self.table.set_empty_texts(NO_ACTIONS, ALL_DONE)
        self.table.fit_to_first_rows(FIT_ROWS)
        # Overdue, open, then done; within each, the history's order (soonest due first).
        self.table.sort_by(DONE_COLUMN, Qt.SortOrder.AscendingOrder)

        top = QHBoxLayout()
        top.setSpacing(ROW_SPACING)
        top.addWidget(self.about, 1)
        top.addWidget(self.show_done)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(ROW_SPACING)
        layout.addLayout(top)
        layout.addWidget(self.outcome)
        layout.addWidget(self.table, 1)

    def set_actions(self, actions: tuple[HistoryAction, ...], today: date) -> None:
        self.model.today = today
        self.model.set_records(actions)
        self.table.fit_columns()
        self._update_empty_text()

    def say(self, sentence: str, undo: Callable[[], None] | None = None) -> None:
        """Says what last changed; with `undo`, offers to take it back for a few seconds."""
        if undo is None:
            self.outcome.say(sentence)
        else:
            self.outcome.offer(sentence, undo)

    def shown(self) -> list[HistoryAction]:
        return [self.proxy.record(row) for row in range(self.proxy.rowCount())]

    def row_of(self, action_id: uuid.UUID) -> int:
        """The action's row in view, or -1."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.record(row).id == action_id:
                return row
        return -1

    def _show_done_changed(self, show: bool) -> None:
        self.proxy.set_keep(None if show else _is_open)
        self._update_empty_text()

    def _update_empty_text(self) -> None:
        no_matches = NO_MATCHES if self.show_done.isChecked() else ALL_DONE
        self.table.set_empty_texts(NO_ACTIONS, no_matches)
