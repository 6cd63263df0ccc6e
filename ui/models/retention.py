"""The retention preview table: people whose observations are due for removal, and how many."""

from __future__ import annotations

from PySide6.QtCore import QObject

from observer.governance.retention import PersonDue
from ui.formatting import searchable, uk_date
from ui.models.table import Column, RecordTableModel

RETENTION_COLUMNS: tuple[Column[PersonDue], ...] = (
    Column("Person", lambda p: p.name, lambda p: searchable(p.name), stretch=True),
    Column("Left on", lambda p: uk_date(p.left_on), lambda p: p.left_on.toordinal()),
    Column(
        "Observations",
        lambda p: str(p.observations),
        lambda p: p.observations,
        centred=True,
        description="Observations of this person that would be removed",
    ),
    Column(
        "Signed",
        lambda p: str(p.signed),
        lambda p: p.signed,
        centred=True,
        description="How many of those observations are signed; they are removed too",
    ),
    Column("Due since", lambda p: uk_date(p.due_since), lambda p: p.due_since.toordinal()),
)


class RetentionModel(RecordTableModel[PersonDue]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(RETENTION_COLUMNS, parent)
