"""What holds a signed record together: each signature's and addendum's own hash, chained
to the record's content hash and covering the wording the record shows, and the digital
signature the laptop where it was made put on that hash (docs/canonical-content.md).

A record's content hash (observer.records.canonical) covers what was observed and judged;
a signature's own hash covers the signature itself (role, name, time, comment, drawing),
the record hash it was made on, and the names, standard titles and level labels the record
showed when the observer signed (`wording_at_signing`). Editing any of them in the store,
with or without the passphrase, shows as a hash that no longer fits, and a summary refuses
to show such a record as signed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from observer.signing.endorsement import certificate_fingerprint, endorsement_holds
from observer.store.models import Addendum, Observation, Signature


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def wording_hash(wording: Mapping[str, Any] | None) -> str:
    return "" if wording is None else hashlib.sha256(canonical_json(wording)).hexdigest()


def wording_at_signing(observation: Observation, shown: Mapping[str, Any]) -> dict[str, Any]:
    """What a signed record shows beyond its own fields: the names and framework kept in
    `shown` (its `shown_at_signing`), with every standard's title and level's label."""
    framework = observation.framework
    return {
        **shown,
        "standards": {standard.code: standard.title for standard in framework.standards},
        "levels": {level.code: level.label for level in framework.levels},
    }


def _moment(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _image(png: bytes | None) -> str | None:
    return None if png is None else hashlib.sha256(png).hexdigest()


def signature_own_hash(signature: Signature, wording: Mapping[str, Any] | None) -> str:
    """The SHA-256 of the signature as made, chained to the record hash it was made on.
    The formula is part of the store's format; migration 0008 keeps a frozen copy."""
    fields = {
        "kind": "signature",
        "id": str(signature.id),
        "role": signature.role,
        "name": signature.name,
        "signed_at": _moment(signature.signed_at),
        "comment": signature.comment,
        "image_sha256": _image(signature.image_png),
        "content_hash": signature.content_hash,
        "wording_sha256": wording_hash(wording),
    }
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def addendum_own_hash(addendum: Addendum, wording: Mapping[str, Any] | None) -> str:
    """The SHA-256 of the addendum as made, chained to the record hash it corrects."""
    fields = {
        "kind": "addendum",
        "id": str(addendum.id),
        "text": addendum.text,
        "author_name": addendum.author_name,
        "signed_at": _moment(addendum.signed_at),
        "image_sha256": _image(addendum.image_png),
        "content_hash": addendum.content_hash,
        "wording_sha256": wording_hash(wording),
    }
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def own_hash(entry: Signature | Addendum, wording: Mapping[str, Any] | None) -> str:
    if isinstance(entry, Signature):
        return signature_own_hash(entry, wording)
    return addendum_own_hash(entry, wording)


@dataclass(frozen=True)
class SealProblem:
    """Why a signed record no longer holds together, in words for the record's owner."""

    sentence: str


def seal_problem(
    observation: Observation, record_hash: str, known: Collection[str]
) -> SealProblem | None:
    """None when the record's content hash is the one every signature and addendum was
    made on, and each of them still has its own hash and, where made with one, a digital
    signature that holds for it by a certificate whose fingerprint is in `known` (the
    certificates this store knows); else what does not fit. Whether one may lack a digital
    signature is the audit trail's to say (observer.governance.signed_records)."""
    wording = observation.wording_at_signing
    entries: list[Signature | Addendum] = [*observation.signatures, *observation.addenda]
    for entry in entries:
        what = "a signature" if isinstance(entry, Signature) else "an addendum"
        if entry.content_hash != record_hash:
            return SealProblem(f"the record's content is not what {what} was made on")
        if entry.own_hash != own_hash(entry, wording):
            return SealProblem(f"{what} or the wording it covers was changed after it was made")
        if entry.digital_signature is None:
            continue
        if entry.certificate is None or certificate_fingerprint(entry.certificate) not in known:
            return SealProblem(f"{what} was signed with a certificate this laptop does not know")
        if not endorsement_holds(entry.certificate, entry.digital_signature, entry.own_hash):
            return SealProblem(f"{what}'s digital signature does not hold for it")
    return None
