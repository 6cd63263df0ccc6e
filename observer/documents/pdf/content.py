"""Everything a summary shows, gathered from the services as plain data.

Gathering is separate from layout so that a summary can be built from data alone (the
golden test does), and so that the layout never opens a database session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from observer.documents.organisation import LOGO_NAME
from observer.records.recording import ObservationView
from observer.records.sign_off import AddendumView, SignatureView

if TYPE_CHECKING:
    from observer.documents.sources import DocumentSources

LOGO_FILE = LOGO_NAME


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
    record = services.signoff.signed_record(observation_id)
    profile = services.profiles.current()
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
    )
