"""Everything a summary shows, gathered from the records as plain data
(observer.documents.pdf.content.SummaryContent), for the layout in observer.documents.pdf."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from observer.documents.organisation import LOGO_NAME
from observer.documents.pdf.content import SummaryContent

if TYPE_CHECKING:
    from observer.documents.sources import DocumentSources

LOGO_FILE = LOGO_NAME


def logo_path(data_dir: Path) -> Path | None:
    """The organisation's logo, when one has been put in the data dir."""
    path = data_dir / LOGO_FILE
    return path if path.is_file() else None


def summary_content(
    services: DocumentSources,
    observation_id: uuid.UUID,
    *,
    include_case_reference: bool = True,
    generated_at: datetime | None = None,
) -> SummaryContent:
    from observer.store.sample import holds_sample_data

    record = services.signoff.signed_record(observation_id)
    profile = services.profiles.current()
    with services.db.session() as s:
        sample = holds_sample_data(s)
    return SummaryContent(
        organisation=profile.organisation if profile else "",
        logo_path=logo_path(services.data_dir),
        observation=record.view,
        signatures=record.signatures,
        addenda=record.addenda,
        content_hash=record.content_hash,
        record_id=record.view.id,
        generated_at=generated_at or datetime.now(UTC),
        include_case_reference=include_case_reference,
        problem=record.problem,
        sample=sample,
    )
