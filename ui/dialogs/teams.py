"""Teams: the list of teams, adding one, and renaming one or changing its manager."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.people.directory import People, TeamSummary
from ui.dialogs.base import SavingDialog
from ui.dialogs.choices import chosen_id, person_combo
from ui.models.table import Column, RecordFilterProxy, RecordTableModel
from ui.prompts import Prompts
from ui.widgets.panel_header import PanelHeader
from ui.widgets.record_table import RecordTable

TEAM_COLUMNS: tuple[Column[TeamSummary], ...] = (
    Column("Team", lambda t: t.name, stretch=True),
    Column("Manager", lambda t: t.manager_name or "No manager"),
    Column("Active members", lambda t: str(t.members), lambda t: t.members, centred=True),
)
NO_TEAMS = "There are no teams yet. Choose Add team to create the first one."


class TeamDialog(SavingDialog):
    """One team's name and manager."""

    def __init__(
        self,
        people: People,
        prompts: Prompts,
        team: TeamSummary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(prompts, f"Edit {team.name}" if team else "Add team", parent)
        self._people = people
        self._team = team
        self.saved_id: uuid.UUID | None = None
        current_manager = team.manager_id if team else None
        candidates = [p for p in people.list_people() if p.active or p.id == current_manager]
        self.name = QLineEdit(team.name if team else "")
        self.name.setAccessibleName("Team name")
        self.name.setPlaceholderText("For example, Assessment team North")
        self.manager = person_combo(candidates, current_manager, "Manager")
        form = self.form()
        form.addRow("Team &name:", self.name)
        form.addRow("&Manager:", self.manager)
        self.arrange(form, self.name)

    def save(self) -> None:
        manager_id = chosen_id(self.manager)
        if self._team is None:
            self.saved_id = self._people.add_team(self.name.text(), manager_id)
        else:
            self._people.update_team(
                self._team.id, self.name.text(), manager_id, self._team.revision
            )
            self.saved_id = self._team.id

    @classmethod
    def add(
        cls, parent: QWidget | None, people: People, prompts: Prompts
    ) -> tuple[uuid.UUID | None, bool]:
        return cls._run(cls(people, prompts, None, parent))

    @classmethod
    def edit(
        cls, parent: QWidget | None, people: People, prompts: Prompts, team: TeamSummary
    ) -> tuple[uuid.UUID | None, bool]:
        return cls._run(cls(people, prompts, team, parent))

    @staticmethod
    def _run(dialog: TeamDialog) -> tuple[uuid.UUID | None, bool]:
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.saved_id, accepted


class TeamsDialog(QDialog):
    """Every team; adding and editing open a TeamDialog. Reports whether anything changed."""

    def __init__(self, people: People, prompts: Prompts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._people = people
        self._prompts = prompts
        self.changed = False
        self.setWindowTitle("Teams")
        self.model: RecordTableModel[TeamSummary] = RecordTableModel(TEAM_COLUMNS, self)
        self.proxy: RecordFilterProxy[TeamSummary] = RecordFilterProxy(self.model, self)
        self.table = RecordTable(self.model, self.proxy, "Teams")
        self.table.set_empty_texts(NO_TEAMS, NO_TEAMS)
        self.table.sort_by(0, Qt.SortOrder.AscendingOrder)
        self.table.open_requested.connect(self.edit_selected)
        self.table.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton("&Add team…")
        self.add_button.setAccessibleName("Add team")
        self.add_button.clicked.connect(self.add_team)
        self.edit_button = QPushButton("&Edit team…")
        self.edit_button.setAccessibleName("Edit team")
        self.edit_button.clicked.connect(self.edit_selected)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(14)
        layout.addWidget(
            PanelHeader("Teams", "Name each team and say who manages it. Double-click to edit.")
        )
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        average = self.fontMetrics().averageCharWidth()
        self.resize(average * 90, self.fontMetrics().height() * 26)
        self.reload()

    def reload(self, select: uuid.UUID | None = None) -> None:
        self.model.set_records(self._people.list_teams())
        self.table.fit_columns()
        if select is not None:
            for row in range(self.proxy.rowCount()):
                if self.proxy.record(row).id == select:
                    self.table.view.selectRow(row)
        self._update_buttons()

    def selected(self) -> TeamSummary | None:
        rows = self.table.view.selectionModel().selectedRows()
        return self.proxy.record(rows[0].row()) if rows else None

    def select_team(self, name: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.record(row).name == name:
                self.table.view.selectRow(row)
                return

    def add_team(self) -> None:
        team_id, accepted = TeamDialog.add(self, self._people, self._prompts)
        if accepted:
            self.changed = True
            self.reload(team_id)

    def edit_selected(self) -> None:
        team = self.selected()
        if team is None:
            return
        team_id, accepted = TeamDialog.edit(self, self._people, self._prompts, team)
        if accepted:
            self.changed = True
            self.reload(team_id)

    def _update_buttons(self, *_: object) -> None:
        self.edit_button.setEnabled(self.selected() is not None)

    @classmethod
    def manage(cls, parent: QWidget | None, people: People, prompts: Prompts) -> tuple[bool, bool]:
        """Returns (whether any team changed, accepted)."""
        dialog = cls(people, prompts, parent)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.changed, accepted
