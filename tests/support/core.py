"""Plain helpers the core and interface tests share (fixtures live in tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from observer.bundle import export_bundle
from observer.store.db import Database
from observer.store.models import AuditEvent, Observation
from observer.vocabulary import Status

WHEN = datetime(2025, 3, 12, 10, 30, tzinfo=UTC)
# Who consented, and how: needed where a child or family was present, as on a home visit.
CONSENT = {"consent_given_by": "The child's mother", "consent_how": "Verbally, at the door"}

NewDraft = Callable[..., uuid.UUID]
RunCli = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class Staff:
    team: uuid.UUID
    manager: uuid.UUID
    lead: uuid.UUID
    worker: uuid.UUID
    asye: uuid.UUID
    senior: uuid.UUID


def force_status(db: Database, observation_id: uuid.UUID, status: Status) -> None:
    """Sets the status in the store directly (sign-off is not built yet)."""
    with db.session() as s, s.begin():
        s.execute(
            update(Observation).where(Observation.id == observation_id).values(status=status.value)
        )


def store_snapshot(db: Database) -> dict[str, Any]:
    """Everything the store holds, as a bundle without its export time."""
    bundle = export_bundle(db)
    del bundle["exported_at"]
    return bundle


def audit_trail(db: Database, record_id: uuid.UUID) -> list[str]:
    """The actions the audit trail records about `record_id`, oldest first."""
    with db.session() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.record_id == record_id)
                .order_by(AuditEvent.sequence)
            )
        )


def trusting(target: Any, *sources: Any) -> None:
    """`target` (Services) knows the signing certificates the sign-offs and addenda of each
    store in `sources` were made with, as when its user trusts another laptop's certificate."""
    from observer.store.models import Addendum, Signature

    certificates: set[bytes] = set()
    for source in sources:
        with source.db.session() as s:
            for model in (Signature, Addendum):
                certificates |= set(
                    s.scalars(select(model.certificate).where(model.certificate.is_not(None)))
                )
    for certificate in certificates:
        target.known_certificates.add(certificate, "another laptop in a test", "Tester")


def trusting_bundle(target: Any, bundle: dict[str, Any]) -> None:
    """`target` (Services) knows every certificate the sign-offs in `bundle` carry."""
    import base64

    found = {
        child["certificate"]
        for o in bundle.get("observations", [])
        for name in ("signatures", "addenda")
        for child in o.get(name, [])
        if child.get("certificate")
    }
    for certificate in found:
        target.known_certificates.add(
            base64.b64decode(certificate), "another laptop in a test", "Tester"
        )
