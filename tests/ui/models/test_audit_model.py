"""The audit trail's columns read as people quote them: a signature's own hash in an
event's detail is shortened as the content hash column is, and nothing else is touched."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from observer.governance.audit import AuditEntry
from ui.models.audit import what

OWN_HASH = "f4c5ff52a734fcd641f0174730263c18148cf2d951bd4a0e9a1b2c3d4e5f6071"


def entry(detail: str) -> AuditEntry:
    return AuditEntry(
        sequence=7,
        when=datetime(2026, 12, 7, 6, 38, tzinfo=UTC),
        actor="Priya Shah",
        action="Signed as observer",
        action_code="sign:observer",
        record_type="observation",
        record_id=uuid.UUID(int=1),
        content_hash="5a035be417b6a822" + "0" * 48,
        detail=detail,
    )


def test_a_signatures_own_hash_is_shortened_in_what_happened() -> None:
    assert what(entry(f"signature {OWN_HASH}")) == "Signed as observer (signature f4c5ff52a734…)"


def test_other_details_are_shown_as_written() -> None:
    assert what(entry("")) == "Signed as observer"
    assert (
        what(entry("0 observations, encrypted")) == "Signed as observer (0 observations, encrypted)"
    )
    not_a_hash = "ab" * 33  # 66 hex digits: not a SHA-256
    assert what(entry(not_a_hash)) == f"Signed as observer ({not_a_hash})"
