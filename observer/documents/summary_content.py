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
    """The record, its signatures, addenda, hash and integrity check, the laptop's user and
    whether the store holds sample data, all read in one snapshot of the store."""
    from observer.people.profile import current_profile_in
    from observer.records.sign_off import signed_record_in
    from observer.store.sample import holds_sample_data

    with services.db.session() as s:
        record = signed_record_in(s, observation_id)
        profile = current_profile_in(s)
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
