"""Everything a summary or a worker's history shows, as plain data: the layout takes this
and nothing else, so it never opens a database session and a summary can be built from
data alone (the golden test does). `observer.documents.summary_content` and
`observer.documents.history_content` gather it from the records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from observer.records.recording import ObservationView
from observer.records.sign_off import AddendumView, SignatureView
from observer.review.worker_history import (
    HistoryAction,
    HistoryFilter,
    TimelineEntry,
    WorkerHistory,
)
from observer.text import uk_date
from observer.vocabulary import ActionStatus, Status


@dataclass(frozen=True)
class SummaryContent:
    organisation: str
    logo_path: Path | None
    observation: ObservationView
    signatures: list[SignatureView]
    addenda: list[AddendumView]
    content_hash: str
    record_id: uuid.UUID
    generated_at: datetime
    include_case_reference: bool = True
    problem: str | None = None  # why the record no longer holds together as signed, if so
    sample: bool = False  # from a store of fictional sample data: every page says SAMPLE


@dataclass(frozen=True)
class HistoryContent:
    organisation: str
    logo_path: Path | None
    history: WorkerHistory
    summaries: tuple[SummaryContent, ...]  # the observations of the timeline, oldest first
    generated_at: datetime
    generated_by: str  # this laptop's user; "" when none is set up
    include_case_reference: bool = True
    narrowed_to: tuple[str, ...] = ()  # filters besides the dates, in words
    sample: bool = False  # from a store of fictional sample data: every page says SAMPLE
    full_summaries: bool = False  # each observation's whole summary, not a brief entry

    @property
    def signed_only(self) -> bool:
        """Only records signed by both parties (the default for a supervision file)."""
        return self.history.filters.signed_only

    @property
    def unsigned(self) -> int:
        """How many of its observations are not signed (drafts and ready for sign-off)."""
        return sum(s.observation.status is not Status.SIGNED for s in self.summaries)

    @property
    def worker(self) -> str:
        return self.history.profile.name

    @property
    def entries(self) -> tuple[TimelineEntry, ...]:
        """The observations in the period, oldest first."""
        return tuple(reversed(self.history.timeline))

    @property
    def actions(self) -> tuple[HistoryAction, ...]:
        """The actions agreed in the period's observations: overdue, open, then done."""
        ids = {e.observation_id for e in self.history.timeline}
        return tuple(a for a in self.history.actions if a.observation_id in ids)

    @property
    def open_elsewhere(self) -> tuple[HistoryAction, ...]:
        """Actions still open from observations outside the period (counted, not shown)."""
        ids = {e.observation_id for e in self.history.timeline}
        return tuple(a for a in self.history.open_actions if a.observation_id not in ids)

    @property
    def period(self) -> str:
        return period_words(self.history.filters)

    def action_counts(self) -> tuple[int, int, int]:
        """Open (overdue included), overdue and done actions of the period's observations."""
        actions = self.actions
        return (
            sum(a.status is ActionStatus.OPEN for a in actions),
            sum(a.overdue for a in actions),
            sum(a.status is ActionStatus.DONE for a in actions),
        )


def period_words(filters: HistoryFilter) -> str:
    """ "1 January 2025 to 30 June 2025", "from 1 January 2025", "up to …", "all dates" """
    first, last = filters.date_from, filters.date_to
    if first and last:
        return f"{uk_date(first)} to {uk_date(last)}"
    if first:
        return f"from {uk_date(first)}"
    if last:
        return f"up to {uk_date(last)}"
    return "all dates"
