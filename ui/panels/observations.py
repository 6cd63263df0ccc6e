"""Observations: every recorded observation, newest first, filtered by kind, status or text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from observer.recording import ObservationFilter, ObservationSummary, Recording
from observer.vocabulary import Kind, Status
from ui.formatting import showing
from ui.models.observations import ObservationsModel
from ui.models.table import RecordFilterProxy
from ui.widgets.layout import ROW_SPACING, panel_layout
from ui.widgets.panel_header import PanelHeader
from ui.widgets.record_table import RecordTable

NO_OBSERVATIONS = (
    "No observations have been recorded yet. Each one you record is listed here, newest "
    "first, with its status: draft, ready for sign-off or signed."
)
NO_MATCHES = "No observation matches these filters."
ALL_KINDS = "All kinds"
LIST_LIMIT = 1000
ALL_STATUSES = "Any status"


class ObservationsPanel(QWidget):
    def __init__(self, recording: Recording, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recording = recording
        self._matching = 0
        self._any = False
        self.model = ObservationsModel(self)
        self.proxy: RecordFilterProxy[ObservationSummary] = RecordFilterProxy(self.model, self)

        self.header = PanelHeader(
            "Observations",
            "Observations of direct work, visits, meetings and supervision, newest first.",
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find by worker, observer or judgement")
        self.search.setAccessibleName("Find an observation")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of observation")
        self.kind.addItem(ALL_KINDS, None)
        for kind in Kind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind.setMinimumContentsLength(22)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.status.addItem(ALL_STATUSES, None)
        for status in Status:
            self.status.addItem(status.label, status.value)
        self.kind.currentIndexChanged.connect(self._filter_changed)
        self.status.currentIndexChanged.connect(self._filter_changed)

        self.summary = QLabel()
        self.summary.setAccessibleName("Observations summary")
        self.table = RecordTable(self.model, self.proxy, "Observations")
        self.table.counts_changed.connect(self._show_counts)
        self.table.set_empty_texts(NO_OBSERVATIONS, NO_MATCHES)
        self.table.sort_by(0, Qt.SortOrder.DescendingOrder)

        tools = QHBoxLayout()
        tools.setSpacing(ROW_SPACING)
        tools.addWidget(self.search, 1)
        tools.addSpacing(ROW_SPACING)
        kind_label = QLabel("&Kind:")
        kind_label.setBuddy(self.kind)
        tools.addWidget(kind_label)
        tools.addWidget(self.kind)
        tools.addSpacing(ROW_SPACING)
        status_label = QLabel("&Status:")
        status_label.setBuddy(self.status)
        tools.addWidget(status_label)
        tools.addWidget(self.status)

        layout = panel_layout(QVBoxLayout(), self)
        layout.addWidget(self.header)
        layout.addLayout(tools)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def reload(self) -> None:
        """Loads the newest observations of the chosen kind and status from the store.

        Only the newest LIST_LIMIT are held, so a store of years of records opens at once;
        the kind and status filters narrow the query, the text filter what is loaded."""
        query = self._query()
        self._matching = self._recording.count(query)
        self._any = self._matching > 0 or self._recording.count() > 0
        self.model.set_records(self._recording.list(query, limit=LIST_LIMIT))
        self.table.fit_columns()
        self.table.set_empty_texts(NO_MATCHES if self._any else NO_OBSERVATIONS, NO_MATCHES)
        for control in (self.search, self.kind, self.status):
            control.setEnabled(self._any)
        self._show_counts(self.proxy.rowCount(), self.model.rowCount())

    def _query(self) -> ObservationFilter:
        kind = self.kind.currentData()
        status = self.status.currentData()
        return ObservationFilter(
            kind=Kind(kind) if kind is not None else None,
            status=Status(status) if status is not None else None,
        )

    def _filter_changed(self) -> None:
        self.reload()

    def _show_counts(self, shown: int, loaded: int) -> None:
        if loaded < self._matching:
            newest = f"the newest {loaded:,} of {self._matching:,} observations"
            text = f"Showing {newest}" if shown == loaded else f"Showing {shown:,} of {newest}"
            text += ". Choose a kind or status to narrow the list."
        else:
            text = showing(shown, loaded, "observation")
        self.summary.setText(text)
        self.summary.setVisible(self._any)
