"""Observations: every recorded observation, newest first, filtered by kind, status or text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from observer.recording import ObservationSummary, Recording
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
ALL_STATUSES = "Any status"


class ObservationsPanel(QWidget):
    def __init__(self, recording: Recording, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recording = recording
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
        self.model.set_records(self._recording.list())
        self.table.fit_columns()
        has_records = self.model.rowCount() > 0
        for control in (self.search, self.kind, self.status):
            control.setEnabled(has_records)

    def _filter_changed(self) -> None:
        kind = self.kind.currentData()
        status = self.status.currentData()
        if kind is None and status is None:
            self.proxy.set_keep(None)
            return
        wanted_kind = Kind(kind) if kind is not None else None
        wanted_status = Status(status) if status is not None else None

        def keep(o: ObservationSummary) -> bool:
            return (wanted_kind is None or o.kind is wanted_kind) and (
                wanted_status is None or o.status is wanted_status
            )

        self.proxy.set_keep(keep)

    def _show_counts(self, shown: int, total: int) -> None:
        self.summary.setText(showing(shown, total, "observation"))
        self.summary.setVisible(total > 0)
