"""Pushes as a laptop makes them (docs/sync-protocol.md): observations in the bundle's
shape, changes with their ids and bases, and a laptop's audit chain hashed with the
laptop's own function. Every name and word here is fictional."""

from __future__ import annotations

import base64
import copy
import functools
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import httpx

from observer.conflicts.shared import bundle_content_hash
from observer.governance.audit_hash import event_hash
from observer.records.seals import signature_own_hash
from observer.signing.endorsement import Endorser, endorse
from tests.support.sync_client import Service

WHEN = "2026-03-02T10:30:00+00:00"
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)


def observation(of: uuid.UUID, by: uuid.UUID, **fields: Any) -> dict[str, Any]:
    """A new draft as a laptop's bundle writer shapes it."""
    record: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "created_at": WHEN,
        "updated_at": WHEN,
        "revision": 1,
        "framework": {"key": "pcf", "version": 1},
        "observed_person_id": str(of),
        "observer_id": str(by),
        "kind": "home_visit",
        "observed_at": WHEN,
        "duration_minutes": 60,
        "family_present": False,
        "status": "draft",
        "overall_level": None,
        "case_reference": "",
        "others_present": "",
        "consent_given_by": "",
        "consent_how": "",
        "focus": "",
        "strengths": "",
        "development_areas": "",
        "child_voice": "",
        "family_feedback": "",
        "reflection": "",
        "overall_rationale": "",
        "shown_at_signing": None,
        "wording_at_signing": None,
        "ratings": [],
        "actions": [],
        "signatures": [],
        "addenda": [],
    }
    record.update(fields)
    return record


def edited(record: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The record changed on a laptop: its revision one more."""
    changed = copy.deepcopy(record)
    changed.update(fields)
    changed["revision"] = record["revision"] + 1
    changed["updated_at"] = "2026-03-03T09:00:00+00:00"
    return changed


def action(description: str = "Plan the next visit with the family", **fields: Any) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "created_at": WHEN,
        "updated_at": WHEN,
        "revision": 1,
        "description": description,
        "owner_id": None,
        "due_date": None,
        "status": "open",
        "done_at": None,
        "done_by": "",
        "position": 0,
        "standards": [],
        **fields,
    }


def signed(record: dict[str, Any], *roles: str) -> dict[str, Any]:
    """The record signed in the room by the observer and practitioner (and any roles more),
    each signature holding its content hash."""
    done = copy.deepcopy(record)
    done["status"] = "signed"
    done["revision"] = record["revision"] + 1
    done["shown_at_signing"] = {
        "observed_person": "Ada Okafor",
        "observer": "Priya Shah",
        "action_owners": {},
        "framework": {
            "name": "Professional Capabilities Framework",
            "version": 1,
            "content_hash": "0" * 64,
        },
    }
    done["signatures"] = []
    for role in ("observer", "practitioner", *roles):
        add_signature(done, role)
    return done


def add_signature(record: dict[str, Any], role: str, minutes: int = 0) -> dict[str, Any]:
    moment = datetime(2026, 3, 2, 11, 0, tzinfo=UTC) + timedelta(
        minutes=len(record["signatures"]) + minutes
    )
    record["signatures"].append(
        {
            "id": str(uuid.uuid4()),
            "created_at": moment.isoformat(),
            "updated_at": moment.isoformat(),
            "revision": 1,
            "role": role,
            "name": {"observer": "Priya Shah", "practitioner": "Ada Okafor"}.get(
                role, "Dana Lewis"
            ),
            "image_png": PNG,
            "signed_at": moment.isoformat(),
            "comment": "",
            "content_hash": content_of(record),
        }
    )
    record["signatures"][-1].update(endorsed(record["signatures"][-1], record))
    return record


@functools.cache
def _endorser() -> Endorser:
    """A laptop's signing identity: an EC key and a self-signed certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Priya Shah")])
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(moment)
        .not_valid_after(moment + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return Endorser(key, certificate.public_bytes(Encoding.DER))


def endorsed(entry: dict[str, Any], record: dict[str, Any]) -> dict[str, str]:
    """A signature's own hash and the laptop's digital signature on it."""
    made = SimpleNamespace(
        **{
            **entry,
            "signed_at": datetime.fromisoformat(entry["signed_at"]),
            "image_png": base64.b64decode(entry["image_png"]),
        }
    )
    own = signature_own_hash(cast(Any, made), record.get("wording_at_signing"))
    endorser = _endorser()
    return {
        "own_hash": own,
        "certificate": base64.b64encode(endorser.certificate).decode("ascii"),
        "digital_signature": base64.b64encode(endorse(endorser, own)).decode("ascii"),
    }


def content_of(record: dict[str, Any]) -> str:
    plain = {k: v for k, v in record.items() if k not in ("server_revision", "ids_at_signing")}
    for part in ("ratings", "actions"):
        plain[part] = [
            {k: v for k, v in entry.items() if k != "server_revision"} for entry in plain[part]
        ]
    return bundle_content_hash(plain)


def change(
    record: dict[str, Any] | None,
    *operations: str,
    base: dict[str, Any] | None = None,
    record_type: str = "observation",
    change_id: str | None = None,
) -> dict[str, Any]:
    """A change as the outbox sends it; based on `base` (a pulled copy) when given."""
    return {
        "change_id": change_id or str(uuid.uuid4()),
        "record_type": record_type,
        "operations": list(operations or ("edit",)),
        "base_revision": None if base is None else base["server_revision"],
        "base": base,
        "record": record,
    }


class Chain:
    """A laptop's audit chain: events made in order, each hashed onto the one before."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, count: int = 1, action: str = "edit") -> list[dict[str, Any]]:
        made = []
        for _ in range(count):
            previous = self.events[-1]["event_hash"] if self.events else ""
            sequence = len(self.events) + 1
            event = {
                "id": str(uuid.uuid4()),
                "sequence": sequence,
                "occurred_at": f"2026-03-02T10:{sequence % 60:02d}:00.000000+00:00",
                "actor": "Priya Shah",
                "action": action,
                "record_type": "observation",
                "record_id": str(uuid.uuid4()),
                "content_hash": "",
                "detail": "",
                "previous_hash": previous,
            }
            event["event_hash"] = hash_of(event)
            self.events.append(event)
            made.append(event)
        return made

    def head(self) -> dict[str, Any]:
        last = self.events[-1]
        return {"sequence": last["sequence"], "hash": last["event_hash"]}


def hash_of(event: dict[str, Any]) -> str:
    return event_hash(
        sequence=event["sequence"],
        event_id=uuid.UUID(event["id"]),
        occurred_at=datetime.fromisoformat(event["occurred_at"]),
        actor=event["actor"],
        action=event["action"],
        record_type=event["record_type"],
        record_id=None if event["record_id"] is None else uuid.UUID(event["record_id"]),
        content_hash=event["content_hash"],
        detail=event["detail"],
        previous_hash=event["previous_hash"],
    )


def push(
    service: Service,
    token: str,
    changes: list[dict[str, Any]],
    audit: list[dict[str, Any]] | None = None,
) -> httpx.Response:
    return service.request(
        "POST", "/sync/v1/push", token=token, json={"audit": audit or [], "changes": changes}
    )


def results(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    answered: list[dict[str, Any]] = response.json()["results"]
    return answered


def outcome(response: httpx.Response) -> dict[str, Any]:
    (only,) = results(response)
    return only
