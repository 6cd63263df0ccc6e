"""Actions: agreed development actions across all observations, overdue ones named as such."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.changes import Topic
from observer.errors import ObserverError
from observer.records.actions import ActionSummary, AgreedActions
from observer.vocabulary import ActionStatus
from ui.change_bus import ChangeBus, Freshness
from ui.formatting import OVERDUE, count
from ui.models.actions import ActionsModel
from ui.models.table import RecordFilterProxy
from ui.prompts import Prompts
from ui.widgets.layout import ROW_SPACING, panel_layout
from ui.widgets.panel_header import PanelHeader
from ui.widgets.record_table import RecordTable
from ui.widgets.undo_line import UndoLine

NO_ACTIONS = (
    "No actions have been agreed yet. Actions agreed in an observation are listed here, "
    "soonest due first, until they are done."
)
NO_OPEN_ACTIONS = "Every action is done. Tick Show done actions to see them."
NO_MATCHES = "No action matches what you typed."
LIST_LIMIT = 1000


def _is_open(action: ActionSummary) -> bool:
    return action.status is ActionStatus.OPEN


class ActionsPanel(QWidget):
    def __init__(
        self,
        actions: AgreedActions,
        prompts: Prompts,
        actor: Callable[[], str],
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
        *,
        changes: ChangeBus | None = None,
    ) -> None:
        super().__init__(parent)
        self._actions = actions
        self._prompts = prompts
        self._actor = actor
        self._has_any = False
        # People too: the list names each action's worker and owner.
        self.freshness = Freshness(
            self, self.reload, changes, Topic.ACTIONS | Topic.LISTED | Topic.PEOPLE
        )
        self.model = ActionsModel(today, self)
        self.proxy: RecordFilterProxy[ActionSummary] = RecordFilterProxy(self.model, self)
        self.proxy.set_keep(_is_open)

        self.header = PanelHeader(
            "Actions",
            "Development actions agreed in observations, soonest due first. "
            f"Open actions past their due date say {OVERDUE}.",
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find by action, worker or owner")
        self.search.setAccessibleName("Find an action")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.search.textChanged.connect(self._update_empty_text)
        self.show_done = QCheckBox("Show &done actions")
        self.show_done.setAccessibleName("Show done actions")
        self.show_done.toggled.connect(self._show_done_changed)
        self.done_button = QPushButton("&Mark done")
        self.done_button.setAccessibleName("Mark the selected action done")
        self.done_button.clicked.connect(self.toggle_selected)
        self.summary = QLabel()
        self.summary.setAccessibleName("Actions summary")
        self.outcome = UndoLine("Last change to an action")
        self.outcome.attach_shortcut(self)

        self.table = RecordTable(self.model, self.proxy, "Actions")
        self.table.set_empty_texts(NO_ACTIONS, NO_OPEN_ACTIONS)
        self.table.sort_by(0, Qt.SortOrder.AscendingOrder)
        self.table.view.selectionModel().selectionChanged.connect(self._update_button)
        self.proxy.modelReset.connect(self._update_button)
        self.proxy.layoutChanged.connect(self._update_button)

        tools = QHBoxLayout()
        tools.setSpacing(ROW_SPACING)
        tools.addWidget(self.search, 1)
        tools.addSpacing(ROW_SPACING * 2)
        tools.addWidget(self.show_done)
        tools.addWidget(self.done_button)

        layout = panel_layout(QVBoxLayout(), self)
        layout.addWidget(self.header)
        layout.addLayout(tools)
        layout.addWidget(self.summary)
        layout.addWidget(self.outcome)
        layout.addWidget(self.table, 1)
        self._update_button()

    def reload(self) -> None:
        """Loads the soonest-due LIST_LIMIT actions: open ones, or all when done are shown."""
        self.freshness.note_reloaded()
        counts = self._actions.action_counts(self.model.today())
        show_done = self.show_done.isChecked()
        actions = self._actions.actions(status=ActionStatus.OPEN, limit=LIST_LIMIT)
        if show_done:
            # Open work first, then what was done most recently: never old history only.
            actions += self._actions.actions(status=ActionStatus.DONE, limit=LIST_LIMIT)
        self.model.set_records(actions)
        self.table.fit_columns()
        text = f"{count(counts.open, 'open action')}, {counts.overdue} overdue."
        if len(actions) < (counts.total if show_done else counts.open):
            text += f" Showing {len(actions):,} of them: open ones due soonest first."
        self.summary.setText(text)
        self.summary.setVisible(counts.total > 0)
        self.search.setEnabled(counts.total > 0)
        self.show_done.setEnabled(counts.total > 0)
        self._has_any = counts.total > 0
        self._update_empty_text()

    def selected(self) -> ActionSummary | None:
        rows = self.table.view.selectionModel().selectedRows()
        return self.proxy.record(rows[0].row()) if rows else None

    def toggle_selected(self) -> None:
        """Marks the selected open action done (by this laptop's user), or reopens it."""
        action = self.selected()
        if action is None:
            return
        self._set_done(action.id, _is_open(action))

    def _set_done(self, action_id: uuid.UUID, done: bool) -> None:
        who = self._actor()
        try:
            if done:
                self._actions.complete_action(action_id, who)
            else:
                self._actions.reopen_action(action_id, who)
        except ObserverError as error:
            self._prompts.error(self, str(error))
        else:
            if done:
                self.outcome.offer(
                    f"Marked done by {who}.", lambda: self._set_done(action_id, False)
                )
            else:
                self.outcome.say(f"Reopened by {who}.")
        self.reload()

    def _update_button(self, *_: object) -> None:
        action = self.selected()
        self.done_button.setEnabled(action is not None)
        self.done_button.setText("&Reopen" if action and not _is_open(action) else "&Mark done")

    def _show_done_changed(self, show: bool) -> None:
        self.proxy.set_keep(None if show else _is_open)
        self.reload()

    def _update_empty_text(self, *_: object) -> None:
        typed = bool(self.search.text().strip())
        no_matches = NO_MATCHES if typed or self.show_done.isChecked() else NO_OPEN_ACTIONS
        self.table.set_empty_texts(no_matches if self._has_any else NO_ACTIONS, no_matches)
