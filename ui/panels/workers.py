"""Workers: everyone observed or observing, how often and how recently they were observed."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from observer.changes import Topic
from observer.people.directory import People, WorkerRow
from ui.change_bus import ChangeBus, Freshness
from ui.formatting import showing
from ui.models.table import RecordFilterProxy
from ui.models.workers import WorkersModel
from ui.prompts import Prompts
from ui.widgets.layout import ROW_SPACING, panel_layout
from ui.widgets.panel_header import PanelHeader
from ui.widgets.record_table import RecordTable

NO_WORKERS = (
    "No one has been added yet. Choose Add person to add the practitioners you observe "
    "and their managers; set up teams first through People, then Teams, if you like."
)
NO_MATCHES = "No one matches what you typed in Find a worker."


class WorkersPanel(QWidget):
    worker_requested = Signal(uuid.UUID)  # double-click or Enter: the person's history

    def __init__(
        self,
        people: People,
        prompts: Prompts,
        parent: QWidget | None = None,
        *,
        changes: ChangeBus | None = None,
    ) -> None:
        super().__init__(parent)
        self._people = people
        self._prompts = prompts
        # Counts and last-observed dates move with every record; names and teams with people.
        self.freshness = Freshness(self, self.reload, changes, Topic.LISTED | Topic.PEOPLE)
        self.model = WorkersModel(self)
        self.proxy: RecordFilterProxy[WorkerRow] = RecordFilterProxy(self.model, self)

        self.header = PanelHeader(
            "Workers",
            "Everyone you observe or who observes, with how often and how recently "
            "each was observed. Double-click a person, or press Enter, to see their history; "
            "Edit person… changes their details.",
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a worker")
        self.search.setAccessibleName("Find a worker")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.add_button = QPushButton("&Add person…")
        self.add_button.setAccessibleName("Add person")
        self.add_button.clicked.connect(self.add_person)
        self.edit_button = QPushButton("&Edit person…")
        self.edit_button.setAccessibleName("Edit person")
        self.edit_button.clicked.connect(self.edit_selected)

        self.summary = QLabel()
        self.summary.setAccessibleName("Workers summary")
        self.table = RecordTable(self.model, self.proxy, "Workers")
        self.table.counts_changed.connect(self._show_counts)
        self.table.set_empty_texts(NO_WORKERS, NO_MATCHES)
        self.table.sort_by(0, Qt.SortOrder.AscendingOrder)
        self.table.open_requested.connect(self.open_selected)
        self.table.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.proxy.modelReset.connect(self._update_buttons)

        tools = QHBoxLayout()
        tools.setSpacing(ROW_SPACING)
        tools.addWidget(self.search, 1)
        tools.addSpacing(ROW_SPACING * 2)
        tools.addWidget(self.add_button)
        tools.addWidget(self.edit_button)

        layout = panel_layout(QVBoxLayout(), self)
        layout.addWidget(self.header)
        layout.addLayout(tools)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self._update_buttons()

    def reload(self) -> None:
        self.freshness.note_reloaded()
        chosen = self.selected()
        self.model.set_records(self._people.list_workers())
        self.table.fit_columns()
        if chosen is not None:
            self.select(chosen.person.id)
        self._update_buttons()

    def add_person(self) -> None:
        from ui.dialogs.person import PersonDialog

        person_id, accepted = PersonDialog.add(self, self._people, self._prompts)
        if accepted and person_id is not None:
            self._changed(person_id)

    def edit_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        from ui.dialogs.person import PersonDialog

        person_id, accepted = PersonDialog.edit(self, self._people, self._prompts, row.person)
        if accepted and person_id is not None:
            self._changed(person_id)

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.worker_requested.emit(row.person.id)

    def selected(self) -> WorkerRow | None:
        rows = self.table.view.selectionModel().selectedRows()
        return self.proxy.record(rows[0].row()) if rows else None

    def select(self, person_id: uuid.UUID) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.record(row).person.id == person_id:
                self.table.view.selectRow(row)
                self.table.view.scrollTo(self.proxy.index(row, 0))
                return

    def _changed(self, person_id: uuid.UUID) -> None:
        self.reload()
        self.search.clear()
        self.select(person_id)

    def _update_buttons(self, *_: object) -> None:
        self.edit_button.setEnabled(self.selected() is not None)
        self.search.setEnabled(self.model.rowCount() > 0)

    def _show_counts(self, shown: int, total: int) -> None:
        self.summary.setText(showing(shown, total, "person", "people"))
        self.summary.setVisible(total > 0)
