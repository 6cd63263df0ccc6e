"""The workers table: everyone observed or observing, with a glance at their observations."""

from __future__ import annotations

from PySide6.QtCore import QObject

from observer.people.directory import WorkerRow
from ui.formatting import searchable, uk_date, yes_no
from ui.models.table import Column, RecordTableModel


def _last_observed_key(row: WorkerRow) -> float:
    return row.last_observed.timestamp() if row.last_observed else 0.0


WORKER_COLUMNS: tuple[Column[WorkerRow], ...] = (
    Column("Name", lambda r: r.person.name, lambda r: searchable(r.person.name)),
    Column("Role", lambda r: r.person.role.label, tooltip=True),
    Column("Team", lambda r: r.person.team_name or "No team", stretch=True),
    Column(
        "Observations",
        lambda r: str(r.observations),
        lambda r: r.observations,
        centred=True,
        description="How many observations of this person are recorded",
    ),
    Column("Last observed", lambda r: uk_date(r.last_observed), _last_observed_key),
    Column("Active", lambda r: yes_no(r.person.active)),
)


class WorkersModel(RecordTableModel[WorkerRow]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(WORKER_COLUMNS, parent)
