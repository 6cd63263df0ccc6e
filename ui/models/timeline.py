"""A worker's timeline: each observation of them, newest first, with its judgement and status."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from PySide6.QtCore import QObject

from observer.review.worker_history import TimelineEntry
from ui.formatting import uk_date
from ui.models.table import Column, RecordTableModel

NOT_JUDGED = "Not yet judged"


def timeline_columns(
    framework_titles: Mapping[uuid.UUID, str],
) -> tuple[Column[TimelineEntry], ...]:
    def framework(entry: TimelineEntry) -> str:
        return framework_titles.get(entry.framework_id, entry.framework_name)

    return (
        Column("Date", lambda e: uk_date(e.observed_on), lambda e: e.observed_at.timestamp()),
        Column(
            "Kind",
            lambda e: e.kind.short_label,
            stretch=True,
            tooltip_text=lambda e: e.kind.label,
        ),
        Column("Observer", lambda e: e.observer_name, max_chars=26),
        Column("Framework", framework, tooltip=True, max_chars=30),
        Column(
            "Overall judgement",
            lambda e: e.overall or NOT_JUDGED,
            lambda e: -1 if e.overall_score is None else e.overall_score,
            description="The observer's overall judgement of the practice seen",
        ),
        Column("Status", lambda e: e.status.label),
    )


class TimelineModel(RecordTableModel[TimelineEntry]):
    def __init__(self, parent: QObject | None = None) -> None:
        self._framework_titles: dict[uuid.UUID, str] = {}
        super().__init__(timeline_columns(self._framework_titles), parent)

    def set_framework_titles(self, titles: Mapping[uuid.UUID, str]) -> None:
        """How each framework version is named, such as "Direct work, version 2"."""
        self._framework_titles.clear()
        self._framework_titles.update(titles)
