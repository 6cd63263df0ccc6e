"""Observations: every recorded observation, newest first, filtered by person, kind, status,
observer, framework version, dates or text; from here a new one is started and an existing
one opened, copied or deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.changes import Topic
from observer.errors import ObserverError
from observer.people.directory import People, PersonSummary
from observer.records.frameworks import FrameworkInfo
from observer.records.recording import ObservationFilter, ObservationSummary, Recording
from observer.vocabulary import Kind, Status
from ui.change_bus import ChangeBus, Freshness
from ui.formatting import framework_label, searchable, showing, uk_date
from ui.models.observations import ObservationsModel
from ui.models.table import RecordFilterProxy
from ui.prompts import Prompts
from ui.widgets.labelled import together, wrapping_row
from ui.widgets.layout import ROW_SPACING, panel_layout
from ui.widgets.optional_date import day_of, optional_date
from ui.widgets.panel_header import PanelHeader
from ui.widgets.record_table import RecordTable

NO_OBSERVATIONS = (
    "No observations have been recorded yet. Choose New observation… (Ctrl+N) to record "
    "your first; each one is listed here, newest first, with its status: draft, ready for "
    "sign-off or signed."
)
NO_MATCHES = "No observation matches these filters."
ALL_KINDS = "All kinds"
ALL_STATUSES = "Any status"
ANYONE = "Anyone"
ANY_OBSERVER = "Any observer"
ANY_FRAMEWORK = "Any framework"
LIST_LIMIT = 1000
SIGNED_NOT_DELETABLE = "Signed records cannot be deleted; correct one with an addendum."
DELETE_TIP = "Delete the selected observation for good; only unsigned records can be deleted."
SELECT_FIRST = "Select an observation first."


class ObservationsPanel(QWidget):
    new_requested = Signal()
    open_requested = Signal(uuid.UUID)
    duplicate_requested = Signal(uuid.UUID)
    export_requested = Signal(list)  # the ObservationSummary rows shown

    def __init__(
        self,
        recording: Recording,
        people: People,
        prompts: Prompts,
        parent: QWidget | None = None,
        *,
        changes: ChangeBus | None = None,
    ) -> None:
        super().__init__(parent)
        self._recording = recording
        self._people = people
        self._prompts = prompts
        # People and frameworks too: the filters offer them by name.
        self.freshness = Freshness(
            self, self.reload, changes, Topic.LISTED | Topic.PEOPLE | Topic.FRAMEWORKS
        )
        # Closes whatever holds a record open before it is deleted; False if the user kept it.
        self.release: Callable[[uuid.UUID], bool] = lambda _record_id: True
        self._people_listed: list[PersonSummary] = []
        self._frameworks_listed: list[FrameworkInfo] = []
        self._matching = 0
        self._any = False
        self.model = ObservationsModel(self)
        self.proxy: RecordFilterProxy[ObservationSummary] = RecordFilterProxy(self.model, self)

        self.header = PanelHeader(
            "Observations",
            "Observations of direct work, visits, meetings and supervision, newest first. "
            "Double-click one to open it.",
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find by worker, observer or judgement")
        self.search.setAccessibleName("Find an observation")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.person = self._person_filter()
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of observation")
        self.kind.addItem(ALL_KINDS, None)
        for kind in Kind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind.setMinimumContentsLength(12)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.status.addItem(ALL_STATUSES, None)
        for status in Status:
            self.status.addItem(status.label, status.value)
        self.observer = _short_combo("Observer", 12)
        self.observer.setAccessibleDescription("Show only observations made by this person.")
        self.observer.addItem(ANY_OBSERVER, None)
        self.framework = _short_combo("Framework version", 14)
        self.framework.setAccessibleDescription(
            "Show only observations recorded against this version of a framework."
        )
        self.framework.addItem(ANY_FRAMEWORK, None)
        today = QDate.currentDate()
        self.use_date_from, self.date_from = optional_date(
            "Fro&m:", "From date", today.addMonths(-3)
        )
        self.use_date_to, self.date_to = optional_date("&To:", "To date", today)

        self.new_button = _button("&New observation…", "New observation")
        self.new_button.setToolTip("Record a new observation (Ctrl+N).")
        self.open_button = _button("&Open", "Open observation")
        self.duplicate_button = _button("D&uplicate as new draft", "Duplicate as new draft")
        self.duplicate_button.setToolTip(
            "Start a new draft with the selected one's person, kind, framework, case and "
            "focus; ratings, evidence, narrative, consent and actions start empty."
        )
        self.delete_button = _button("&Delete draft…", "Delete draft")
        self.export_button = _button("E&xport summaries…", "Export summaries")
        self.export_button.setToolTip(
            "Export a PDF summary of every observation shown, to a folder; narrow the list "
            "first with the filters."
        )

        self.summary = QLabel()
        self.summary.setAccessibleName("Observations summary")
        self.table = RecordTable(self.model, self.proxy, "Observations")
        self.table.counts_changed.connect(self._show_counts)
        self.table.set_empty_texts(NO_OBSERVATIONS, NO_MATCHES)
        self.table.sort_by(0, Qt.SortOrder.DescendingOrder)

        layout = panel_layout(QVBoxLayout(), self)
        layout.addWidget(self.header)
        layout.addLayout(self._filters())
        layout.addLayout(self._toolbar())
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.export_button)
        layout.addLayout(summary_row)
        layout.addWidget(self.table, 1)
        self._connect()
        self._update_buttons()

    # Building

    def _person_filter(self) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setAccessibleName("Observed person")
        combo.setAccessibleDescription(
            "Show only observations of this person; type part of a name. Anyone shows all."
        )
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        combo.addItem(ANYONE, None)
        completer = QCompleter(combo.model(), combo)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        combo.setCompleter(completer)
        combo.lineEdit().setAccessibleName("Observed person")
        return combo

    def _filters(self) -> QVBoxLayout:
        first = QHBoxLayout()
        first.setSpacing(ROW_SPACING)
        first.addWidget(self.search, 1)
        first.addSpacing(ROW_SPACING)
        _labelled(first, "P&erson:", self.person)
        first.addSpacing(ROW_SPACING)
        _labelled(first, "&Status:", self.status)
        second = wrapping_row(
            together("&Kind:", self.kind),
            together("O&bserver:", self.observer),
            together("F&ramework:", self.framework),
            together(self.use_date_from, self.date_from),
            together(self.use_date_to, self.date_to),
        )
        rows = QVBoxLayout()
        rows.setSpacing(ROW_SPACING)
        rows.addLayout(first)
        rows.addWidget(second)
        return rows

    def _toolbar(self) -> QHBoxLayout:
        tools = QHBoxLayout()
        tools.setSpacing(ROW_SPACING)
        tools.addWidget(self.new_button)
        tools.addSpacing(ROW_SPACING * 2)
        tools.addWidget(self.open_button)
        tools.addWidget(self.duplicate_button)
        tools.addWidget(self.delete_button)
        tools.addStretch(1)
        return tools

    def _connect(self) -> None:
        self.person.editTextChanged.connect(self._filter_changed)
        self.kind.currentIndexChanged.connect(self._filter_changed)
        self.status.currentIndexChanged.connect(self._filter_changed)
        self.observer.currentIndexChanged.connect(self._filter_changed)
        self.framework.currentIndexChanged.connect(self._filter_changed)
        for check, edit in ((self.use_date_from, self.date_from), (self.use_date_to, self.date_to)):
            check.toggled.connect(self._filter_changed)
            edit.dateChanged.connect(self._filter_changed)
        self.new_button.clicked.connect(self._new)
        self.open_button.clicked.connect(self._open_selected)
        self.table.open_requested.connect(self._open_selected)
        self.duplicate_button.clicked.connect(self._duplicate_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button.clicked.connect(lambda: self.export_requested.emit(self.shown()))
        self.table.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.proxy.modelReset.connect(self._update_buttons)
        self.proxy.layoutChanged.connect(self._update_buttons)
        self.proxy.rowsRemoved.connect(self._update_buttons)
        self.table.counts_changed.connect(self._counts_for_export)

    # Loading

    def reload(self) -> None:
        """Loads the newest observations matching the person, kind, status, observer,
        framework version and dates.

        Only the newest LIST_LIMIT are held, so a store of years of records opens at once;
        those filters narrow the query, the text filter what is loaded."""
        self.freshness.note_reloaded()
        chosen = self.selected_id()
        self._refresh_people()
        self._refresh_frameworks()
        query = self._query()
        self._matching = self._recording.count(query)
        self._any = self._matching > 0 or self._recording.count() > 0
        self.model.set_records(self._recording.list(query, limit=LIST_LIMIT))
        self.table.fit_columns()
        self.table.set_empty_texts(NO_MATCHES if self._any else NO_OBSERVATIONS, NO_MATCHES)
        for control in (
            self.search,
            self.person,
            self.kind,
            self.status,
            self.observer,
            self.framework,
            self.use_date_from,
            self.use_date_to,
        ):
            control.setEnabled(self._any)
        self.date_from.setEnabled(self._any and self.use_date_from.isChecked())
        self.date_to.setEnabled(self._any and self.use_date_to.isChecked())
        self._show_counts(self.proxy.rowCount(), self.model.rowCount())
        if chosen is not None:
            self.select(chosen)
        self._update_buttons()

    def _refresh_people(self) -> None:
        people = self._people.list_people()
        if people == self._people_listed:
            return
        self._people_listed = people
        typed = self.person.currentText()
        self.person.blockSignals(True)
        try:
            while self.person.count() > 1:
                self.person.removeItem(1)
            for person in people:
                self.person.addItem(person.name, person.id)
            self.person.setEditText(typed)
        finally:
            self.person.blockSignals(False)
        _refill(self.observer, [(p.name, p.id) for p in people])

    def _refresh_frameworks(self) -> None:
        frameworks = self._recording.frameworks()
        if frameworks == self._frameworks_listed:
            return
        self._frameworks_listed = frameworks
        _refill(
            self.framework,
            [(framework_label(f.short_name or f.name, f.version), f.id) for f in frameworks],
        )

    def person_ids(self) -> tuple[uuid.UUID, ...] | None:
        """Whom the person filter names: None for anyone, else everyone the text matches."""
        text = self.person.currentText().strip()
        if not text or text == ANYONE:
            return None
        index = self.person.currentIndex()
        data = self.person.itemData(index) if index > 0 else None
        if isinstance(data, uuid.UUID) and self.person.itemText(index) == text:
            return (data,)
        wanted = searchable(text)
        exact = tuple(p.id for p in self._people_listed if searchable(p.name) == wanted)
        if exact:
            return exact
        return tuple(p.id for p in self._people_listed if wanted in searchable(p.name))

    def _query(self) -> ObservationFilter:
        kind = self.kind.currentData()
        status = self.status.currentData()
        observer = self.observer.currentData()
        framework = self.framework.currentData()
        return ObservationFilter(
            person_ids=self.person_ids(),
            kind=Kind(kind) if kind is not None else None,
            status=Status(status) if status is not None else None,
            observer_id=observer if isinstance(observer, uuid.UUID) else None,
            framework_id=framework if isinstance(framework, uuid.UUID) else None,
            date_from=day_of(self.date_from) if self.use_date_from.isChecked() else None,
            date_to=day_of(self.date_to) if self.use_date_to.isChecked() else None,
        )

    def _filter_changed(self, *_: object) -> None:
        self.reload()

    # Selection

    def selected(self) -> ObservationSummary | None:
        rows = self.table.view.selectionModel().selectedRows()
        return self.proxy.record(rows[0].row()) if rows else None

    def _counts_for_export(self, shown: int, _loaded: int) -> None:
        self.export_button.setEnabled(shown > 0)

    def shown(self) -> list[ObservationSummary]:
        """The rows in view, in their order: what the filters and the find box leave."""
        return [self.proxy.record(row) for row in range(self.proxy.rowCount())]

    def selected_id(self) -> uuid.UUID | None:
        record = self.selected()
        return record.id if record else None

    def select(self, observation_id: uuid.UUID) -> bool:
        """Selects the observation's row when it is listed; says whether it was."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.record(row).id == observation_id:
                self.table.view.selectRow(row)
                self.table.view.scrollTo(self.proxy.index(row, 0))
                return True
        return False

    # Acting on the selection

    def _new(self) -> None:
        self.new_requested.emit()

    def _open_selected(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            self.open_requested.emit(chosen)

    def _duplicate_selected(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            self.duplicate_requested.emit(chosen)

    def delete_selected(self) -> None:
        record = self.selected()
        if record is None:
            return
        if record.status is Status.SIGNED:
            self._prompts.error(self, SIGNED_NOT_DELETABLE)
            return
        what = "draft observation" if record.status is Status.DRAFT else "observation"
        question = (
            f"Delete this {what} of {record.worker} on {uk_date(record.observed_at)}? "
            "This cannot be undone."
        )
        if not self._prompts.ask(self, question) or not self.release(record.id):
            return
        try:
            self._recording.delete_draft(record.id)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            self.reload()
            return
        self.reload()

    def _update_buttons(self, *_: object) -> None:
        record = self.selected()
        self.open_button.setEnabled(record is not None)
        self.duplicate_button.setEnabled(record is not None)
        deletable = record is not None and record.status is not Status.SIGNED
        self.delete_button.setEnabled(deletable)
        if record is None:
            self.delete_button.setToolTip(SELECT_FIRST)
        elif record.status is Status.SIGNED:
            self.delete_button.setToolTip(SIGNED_NOT_DELETABLE)
        else:
            self.delete_button.setToolTip(DELETE_TIP)

    def _show_counts(self, shown: int, loaded: int) -> None:
        if loaded < self._matching:
            newest = f"the newest {loaded:,} of {self._matching:,} observations"
            text = f"Showing {newest}" if shown == loaded else f"Showing {shown:,} of {newest}"
            text += ". Choose a person, kind, status, observer or dates to narrow the list."
        else:
            text = showing(shown, loaded, "observation")
        self.summary.setText(text)
        self.summary.setVisible(self._any)


def _button(text: str, accessible_name: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible_name)
    return button


def _labelled(row: QHBoxLayout, text: str, field: QWidget, stretch: int = 0) -> None:
    label = QLabel(text)
    label.setBuddy(field)
    row.addWidget(label)
    row.addWidget(field, stretch)


def _short_combo(name: str, characters: int) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo


def _refill(combo: QComboBox, items: list[tuple[str, uuid.UUID]]) -> None:
    """Replaces every choice after the first ("any"), keeping the one chosen if still there."""
    chosen = combo.currentData()
    combo.blockSignals(True)
    try:
        while combo.count() > 1:
            combo.removeItem(1)
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
    finally:
        combo.blockSignals(False)
