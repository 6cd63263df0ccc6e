"""The observations table: newest first, one line per observed piece of practice."""

from __future__ import annotations

from PySide6.QtCore import QObject

from observer.records.recording import ObservationSummary
from ui.formatting import uk_date_time
from ui.models.table import Column, RecordTableModel

OBSERVATION_COLUMNS: tuple[Column[ObservationSummary], ...] = (
    Column("Date", lambda o: uk_date_time(o.observed_at), lambda o: o.observed_at.timestamp()),
    Column("Worker", lambda o: o.worker, max_chars=26),
    Column(
        "Kind",
        lambda o: o.kind.short_label,
        stretch=True,
        tooltip_text=lambda o: o.kind.label,
    ),
    Column("Observer", lambda o: o.observer, max_chars=26),
    Column(
        "Framework",
        lambda o: o.framework,
        stretch=True,
        tooltip_text=lambda o: o.framework_title or o.framework,
    ),
    Column("Overall judgement", lambda o: o.overall or "Not yet judged"),
    Column("Status", lambda o: o.status.label),
)


class ObservationsModel(RecordTableModel[ObservationSummary]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(OBSERVATION_COLUMNS, parent)
