"""Signatures and addenda a bundle brings: taken only as they were made, verifiably.

A sign-off or addendum this store does not hold yet is taken from a bundle only when it
carries its own hash (observer/records/seals.py) as the record written here gives it, a
digital signature over that hash that holds, made with a certificate this laptop knows,
and a time after the observation and in the order of sign-off. Each one taken is recorded
in the audit trail. Anything else refuses the whole bundle in one sentence.

A record pulled from the team server is vouched for by it: the server took it only from an
enrolled laptop of someone allowed to sign it (row-level security), so a certificate this
laptop does not know yet is learnt from it, in the audit trail like any trusted one, but
for that server's records only (observer/signing/known.py): a bundle signed with it alone
is refused as signed with a certificate this laptop does not know, until the user trusts
it the normal way. Every other check holds as for a bundle.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from observer.errors import InvalidBundle
from observer.governance.audit import record_event
from observer.governance.signed_records import sign_off_detail
from observer.records.seals import own_hash
from observer.signing.endorsement import endorsement_holds
from observer.signing.known import VOUCHED_PREFIX, add_in, fingerprint_of, is_known_in, pairs
from observer.store.models import Addendum, Observation, Signature
from observer.vocabulary import SignatureRole

ROLE_WORDS = {
    SignatureRole.OBSERVER.value: "the observer's signature",
    SignatureRole.PRACTITIONER.value: "the practitioner's signature",
    SignatureRole.MANAGER.value: "the manager's countersignature",
}

UNKNOWN_CERTIFICATE = "was signed with a certificate this laptop does not know"


def certificate_known(s: Session, certificate: bytes) -> bool:
    """Whether this laptop takes sign-offs signed with `certificate` from a bundle: the one
    place that asks, answered by the certificates the store trusts (observer.signing.known;
    one learnt from a team server vouches only for what that server serves)."""
    return is_known_in(s, fingerprint_of(certificate))


def take_new_sign_offs(
    s: Session,
    observation: Observation,
    record: dict[str, Any],
    kept: frozenset[uuid.UUID],
    where: str,
    actor: str,
    vouched_by: str | None = None,
) -> None:
    """Checks each signature and addendum of the record as written that was not in this
    store before (`kept` holds those that were), and records each in the audit trail.
    `vouched_by` names the team server the record came from, if it did."""
    entries: list[Signature | Addendum] = [*observation.signatures, *observation.addenda]
    for entry in entries:
        if entry.id in kept:
            continue
        problem = _problem(s, observation, entry, vouched=vouched_by is not None)
        if problem is not None:
            raise InvalidBundle(
                f"{where}: {_named(record, entry)} {problem}; nothing was imported"
                f"{_next_step(problem)}."
            )
    for entry in entries:
        if entry.id in kept:
            continue
        if vouched_by is not None and entry.certificate is not None:
            add_in(
                s, entry.certificate, f"{VOUCHED_PREFIX}{vouched_by}", actor, vouched_by=vouched_by
            )
        kind = "signature" if isinstance(entry, Signature) else "addendum"
        record_event(
            s,
            actor=actor,
            action=f"import_{kind}",
            record_type="observation",
            record_id=observation.id,
            content_hash=entry.content_hash,
            detail=sign_off_detail(kind, entry.own_hash),
        )


def _named(record: dict[str, Any], entry: Signature | Addendum) -> str:
    name = "signatures" if isinstance(entry, Signature) else "addenda"
    position = next(i for i, child in enumerate(record[name]) if child["id"] == entry.id)
    what = (
        ROLE_WORDS.get(entry.role, "a signature") if isinstance(entry, Signature) else "an addendum"
    )
    return f"{name}[{position}] ({what})"


def _problem(
    s: Session, observation: Observation, entry: Signature | Addendum, *, vouched: bool = False
) -> str | None:
    if not entry.own_hash or entry.certificate is None or entry.digital_signature is None:
        return "carries no digital signature from the laptop where it was made"
    if entry.own_hash != own_hash(entry, observation.wording_at_signing):
        return (
            "does not match its own hash: it or the record's wording was changed after it was made"
        )
    if not endorsement_holds(entry.certificate, entry.digital_signature, entry.own_hash):
        return "has a digital signature that does not hold for it"
    if not vouched and not certificate_known(s, entry.certificate):
        return (
            f"{UNKNOWN_CERTIFICATE} "
            f"(SHA-256 fingerprint {pairs(fingerprint_of(entry.certificate))})"
        )
    if entry.signed_at < observation.observed_at:
        return "is dated before the observation took place"
    return _out_of_turn(observation, entry)


def _next_step(problem: str) -> str:
    """What to do when the problem is a certificate this laptop does not know yet."""
    if not problem.startswith(UNKNOWN_CERTIFICATE):
        return ""
    return (
        ": to take it, on the laptop that signed it run `observer identity export-cert -o FILE`, "
        "then here `observer certificates trust FILE --fingerprint` with the fingerprint above "
        "(compare it with that laptop's) and import again"
    )


def _out_of_turn(observation: Observation, entry: Signature | Addendum) -> str | None:
    times = {g.role: g.signed_at for g in observation.signatures}
    observer = times.get(SignatureRole.OBSERVER.value)
    practitioner = times.get(SignatureRole.PRACTITIONER.value)
    if isinstance(entry, Addendum):
        if practitioner is None or entry.signed_at < practitioner:
            return "is dated before the record was signed and locked"
        return None
    before = {
        SignatureRole.PRACTITIONER.value: observer,
        SignatureRole.MANAGER.value: practitioner,
    }.get(entry.role)
    after = {
        SignatureRole.OBSERVER.value: practitioner,
        SignatureRole.PRACTITIONER.value: times.get(SignatureRole.MANAGER.value),
    }.get(entry.role)
    if entry.role != SignatureRole.OBSERVER.value and before is None:
        return "comes without the signature that must come before it"
    if (before is not None and entry.signed_at < before) or (
        after is not None and entry.signed_at > after
    ):
        return "is out of turn: sign-off goes observer, practitioner, then manager"
    return None
