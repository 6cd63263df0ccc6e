"""The canonical content of an observation, whose SHA-256 each signature records.

The content is the observation as the bundle writes it (docs/bundle-format.md), less what
changes without changing what was observed or judged: record bookkeeping (timestamps,
revisions), the status, signatures, addenda, and the progress of agreed actions. It is
serialised as JSON with sorted keys, no insignificant whitespace, and text as UTF-8.

The document itself is made here (`observation_document`) and the bundle writer uses it,
so what is signed never depends on the bundle package.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import joinedload, selectinload

from observer.records.fields import TEXT_FIELDS
from observer.store.models import Action, Addendum, Observation, Rating, Signature

BOOKKEEPING = frozenset({"created_at", "updated_at", "revision"})
# The wording at signing is covered by each signature's own hash (observer.records.seals),
# not by the content hash: records signed before it was kept keep the hash they were signed on.
# A draft's `based_on` in a bundle says which shared states it descends from (for merging).
NOT_CONTENT = BOOKKEEPING | {"signatures", "addenda", "status", "wording_at_signing", "based_on"}
# An agreed action is signed; its later completion is progress, not a change to the record.
ACTION_PROGRESS = BOOKKEEPING | {"status", "done_at", "done_by"}


def iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def b64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")


def ref(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def record_fields(row: Any) -> dict[str, Any]:
    """The id and bookkeeping every record of a document carries."""
    return {
        "id": str(row.id),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "revision": row.revision,
    }


OBSERVATION_LOAD_OPTIONS = (
    selectinload(Observation.ratings).selectinload(Rating.standard),
    selectinload(Observation.ratings).selectinload(Rating.level),
    selectinload(Observation.actions).selectinload(Action.standards),
    selectinload(Observation.signatures),
    selectinload(Observation.addenda),
    selectinload(Observation.framework),
    selectinload(Observation.overall_level),
)
# The same parts for one record: those it has one of come in its own query, not their own.
ONE_OBSERVATION_LOAD_OPTIONS = (
    selectinload(Observation.ratings).joinedload(Rating.standard),
    selectinload(Observation.ratings).joinedload(Rating.level),
    selectinload(Observation.actions).selectinload(Action.standards),
    selectinload(Observation.signatures),
    selectinload(Observation.addenda),
    joinedload(Observation.framework),
    joinedload(Observation.overall_level),
)


def observation_document(o: Observation) -> dict[str, Any]:
    """An observation as the bundle writes it (docs/bundle-format.md), from which its canonical
    content is taken. A signed record whose people were merged since (observer/people/
    merging.py) is written with the person ids it was signed with."""
    signed_ids = o.ids_at_signing or {}
    owners = signed_ids.get("action_owners", {})
    return {
        **record_fields(o),
        "framework": {"key": o.framework.key, "version": o.framework.version},
        "observed_person_id": signed_ids.get("observed_person_id", str(o.observed_person_id)),
        "observer_id": signed_ids.get("observer_id", str(o.observer_id)),
        "kind": o.kind,
        "observed_at": iso(o.observed_at),
        "duration_minutes": o.duration_minutes,
        "family_present": o.family_present,
        "status": o.status,
        "overall_level": o.overall_level.code if o.overall_level else None,
        **{name: getattr(o, name) for name in TEXT_FIELDS},
        "shown_at_signing": o.shown_at_signing,
        "wording_at_signing": o.wording_at_signing,
        "ratings": [
            {
                **record_fields(r),
                "standard": r.standard.code,
                "level": r.level.code if r.level else None,
                "evidence": r.evidence,
            }
            for r in sorted(o.ratings, key=lambda r: r.standard.position)
        ],
        "actions": [
            {
                **record_fields(a),
                "description": a.description,
                "owner_id": owners.get(str(a.id), ref(a.owner_id)),
                "due_date": iso(a.due_date),
                "status": a.status,
                "done_at": iso(a.done_at),
                "done_by": a.done_by,
                "position": a.position,
                "standards": sorted(st.code for st in a.standards),
            }
            for a in o.actions
        ],
        "signatures": [
            {
                **record_fields(sig),
                "role": sig.role,
                "name": sig.name,
                "image_png": b64(sig.image_png),
                "signed_at": iso(sig.signed_at),
                "comment": sig.comment,
                "content_hash": sig.content_hash,
                **_sealed(sig),
            }
            for sig in o.signatures
        ],
        "addenda": [
            {
                **record_fields(ad),
                "text": ad.text,
                "author_name": ad.author_name,
                "image_png": b64(ad.image_png),
                "signed_at": iso(ad.signed_at),
                "content_hash": ad.content_hash,
                **_sealed(ad),
            }
            for ad in o.addenda
        ],
    }


def as_signed(document: dict[str, Any]) -> dict[str, Any]:
    """A record as a bundle or the pull feed carries it, with the ids its `ids_at_signing`
    keeps (people merged since it was signed) back where they were signed: the document its
    signatures cover, as `observation_document` writes a stored one."""
    kept = document.get("ids_at_signing") or {}
    if not kept:  # as it came: what a draft was shared as is hashed with all it carries
        return document
    out = {k: v for k, v in document.items() if k != "ids_at_signing"}
    for name in ("observed_person_id", "observer_id"):
        if name in kept:
            out[name] = kept[name]
    owners = kept.get("action_owners") or {}
    if owners:
        out["actions"] = [
            {**a, "owner_id": owners.get(str(a.get("id")), a.get("owner_id"))}
            for a in document.get("actions") or []
        ]
    return out


def merged_ids(o: Observation) -> set[uuid.UUID]:
    """The ids a signed record was signed with that a merge has since replaced."""
    kept = o.ids_at_signing or {}
    ids = [kept.get("observed_person_id"), kept.get("observer_id")]
    ids += list(kept.get("action_owners", {}).values())
    return {uuid.UUID(i) for i in ids if i}


def _sealed(entry: Signature | Addendum) -> dict[str, Any]:
    return {
        "own_hash": entry.own_hash,
        "certificate": b64(entry.certificate),
        "digital_signature": b64(entry.digital_signature),
    }


def canonical_content(observation: dict[str, Any]) -> bytes:
    content = {k: v for k, v in observation.items() if k not in NOT_CONTENT}
    if content.get("shown_at_signing") is None:
        # A record not yet signed shows today's names; absent and null hash alike.
        content.pop("shown_at_signing", None)
    content["ratings"] = [
        {k: v for k, v in item.items() if k not in BOOKKEEPING}
        for item in observation.get("ratings", [])
    ]
    content["actions"] = [
        {k: v for k, v in item.items() if k not in ACTION_PROGRESS}
        for item in observation.get("actions", [])
    ]
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(observation: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_content(observation)).hexdigest()
