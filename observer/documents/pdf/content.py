"""Everything a summary shows, as plain data: the layout takes this and nothing else, so it
never opens a database session and a summary can be built from data alone (the golden test
does). `observer.documents.summary_content` gathers it from the records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from observer.records.recording import ObservationView
from observer.records.sign_off import AddendumView, SignatureView


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
