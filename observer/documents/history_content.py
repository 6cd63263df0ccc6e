"""Everything a worker's history PDF shows, gathered from the services as plain data
(observer.documents.pdf.content.HistoryContent).

The history covers the observations its filter selects (by observed date, both ends
included) and nothing else: the actions it lists are those agreed in those observations.
Actions still open from observations outside the period are only counted, so no text of
an observation outside the period appears in the PDF.

Gathering opens its own sessions and returns frozen data, so it may run on any thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from observer.documents.pdf.content import HistoryContent
from observer.documents.summary_content import logo_path, summary_content
from observer.errors import ObserverError
from observer.review.worker_history import HistoryFilter

if TYPE_CHECKING:
    from observer.documents.sources import DocumentSources

# Called with (steps done, steps in all) as the history is gathered and laid out.
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class HistoryCancelled(ObserverError):
    """The person asked to stop; nothing was written."""


def history_content(
    services: DocumentSources,
    person_id: uuid.UUID,
    filters: HistoryFilter,
    *,
    include_case_reference: bool = True,
    full_summaries: bool = False,
    today: date | None = None,
    generated_at: datetime | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> HistoryContent:
    """The history of `person_id` as `filters` narrow it, with each observation's summary.

    `progress` hears of each summary gathered, as (gathered, observations in all);
    `cancelled` is asked between them and stops with HistoryCancelled.
    """
    from observer.review.worker_history import worker_history

    generated_at = generated_at or datetime.now(UTC)
    history = worker_history(services.db, person_id, filters, today)
    profile = services.profiles.current()
    entries = tuple(reversed(history.timeline))
    summaries = []
    for done, entry in enumerate(entries, start=1):
        if cancelled is not None and cancelled():
            raise HistoryCancelled("Stopped; no history was written.")
        summaries.append(
            summary_content(
                services,
                entry.observation_id,
                include_case_reference=include_case_reference,
                generated_at=generated_at,
            )
        )
        if progress is not None:
            progress(done, len(entries))
    return HistoryContent(
        organisation=profile.organisation if profile else "",
        logo_path=logo_path(services.data_dir),
        history=history,
        summaries=tuple(summaries),
        generated_at=generated_at,
        generated_by=profile.name if profile else "",
        include_case_reference=include_case_reference,
        narrowed_to=_narrowed_to(services, history.filters),
        sample=_sample(services),
        full_summaries=full_summaries,
    )


def _sample(services: DocumentSources) -> bool:
    from observer.store.sample import holds_sample_data

    with services.db.session() as s:
        return holds_sample_data(s)


def _narrowed_to(services: DocumentSources, filters: HistoryFilter) -> tuple[str, ...]:
    """The filters other than the dates, each as a phrase for the cover."""
    found = []
    if filters.kinds:
        found.append("kinds: " + ", ".join(k.label for k in filters.kinds))
    if filters.observer_id is not None:
        observer = services.people.get_person(filters.observer_id)
        found.append(f"observed by {observer.name}")
    if filters.framework_id is not None:
        framework = next(
            (f for f in services.recording.frameworks() if f.id == filters.framework_id), None
        )
        if framework is not None:
            found.append(f"rated against {framework.name}, version {framework.version}")
    return tuple(found)
