"""The signing certificates this laptop knows: the only ones whose signatures vouch for
what a document says about this store.

They live inside the encrypted store (the setting "known_signing_certificates"), never in
a plain file: anything that could be dropped into the data folder without the passphrase
could otherwise make a forged summary pass. Each entry keeps the certificate itself
(DER, so a signature made with its key can be checked), its holder's name, why it is
trusted and since when; every certificate added is recorded in the audit trail (who
trusted which fingerprint, and why) in the same transaction.

Earlier versions remembered only a fingerprint and a name for the certificates summaries
were exported with; those entries stay known, without a certificate to give back.

A certificate learnt from a team server is different: the server vouched for records it
took only from an enrolled laptop allowed to sign them (observer/bundle/sign_offs.py), and
that is all it vouched for. Such an entry keeps which server (`vouched_by`); it verifies
the sign-offs of records that server served, and nothing else: not a signed summary, not
a bundle from elsewhere, until someone trusts it the normal way (`certificates trust`),
which makes it an ordinary known certificate.

The functions ending in `_in` run in the caller's session, so another transaction (an
export, an import of sign-offs) can check or add a certificate as part of its own work.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from observer.errors import InvalidInput
from observer.governance.audit import record_event
from observer.store.db import Database
from observer.store.models import AuditEvent
from observer.store.settings import store_value, stored_value

KNOWN_CERTIFICATES_SETTING = "known_signing_certificates"
# Digests of the identity files last opened to take their certificates (see below).
IDENTITIES_SEEN_SETTING = "signing_identities_seen"
TRUST_ACTION = "trust_certificate"
RECORD_TYPE = "certificate"
MAX_CERTIFICATE_BYTES = 64_000
MAX_REASON = 200
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
T = TypeVar("T")

# Why a certificate is known, in the words the audit trail and `certificates list` show.
OWN_IDENTITY = "this laptop's signing identity"
REPLACED_IDENTITY = "a signing identity this laptop used before it was replaced"
EXPORTED_WITH = "this laptop signed an export with it"
ANOTHER_LAPTOP = "trusted by hand as another laptop's certificate"
# How entries learnt from a team server read (before they kept `vouched_by`, the only mark).
VOUCHED_PREFIX = "Signed records that came from "


class NotACertificate(InvalidInput):
    """The bytes given to trust are not one X.509 certificate (PEM or DER)."""


@dataclass(frozen=True)
class KnownCertificate:
    """One certificate this laptop knows, as `certificates list` shows it."""

    fingerprint_sha256: str
    name: str
    reason: str
    since: datetime | None
    certificate_der: bytes | None  # None for a certificate remembered by fingerprint only
    # The team server it was learnt from, for the records it served only; None: trusted.
    vouched_by: str | None = None

    @property
    def fingerprint(self) -> str:
        """The SHA-256 fingerprint as people compare it: pairs of hex digits."""
        return pairs(self.fingerprint_sha256)


def pairs(fingerprint: str) -> str:
    upper = fingerprint.upper()
    return ":".join(upper[i : i + 2] for i in range(0, len(upper), 2))


def normalised(fingerprint: str) -> str:
    """A fingerprint as stored: lower-case hex without separators ("" when it is none)."""
    text = fingerprint.replace(":", "").replace(" ", "").strip().lower()
    return text if SHA256_HEX.fullmatch(text) else ""


def fingerprint_of(certificate_der: bytes) -> str:
    return hashlib.sha256(certificate_der).hexdigest()


def certificate_der(data: bytes) -> bytes:
    """The one X.509 certificate in `data` (PEM or DER), as DER; NotACertificate if the
    data holds none, or more than one."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    if len(data) > MAX_CERTIFICATE_BYTES:
        raise NotACertificate("That file is too large to be a certificate.")
    if b"-----BEGIN" in data:
        try:
            found = x509.load_pem_x509_certificates(data)
        except ValueError:
            raise NotACertificate("That file holds no readable certificate.") from None
        if len(found) != 1:
            raise NotACertificate(
                "That file holds more than one certificate; give the signer's alone."
            )
        return found[0].public_bytes(Encoding.DER)
    try:
        certificate = x509.load_der_x509_certificate(data)
    except ValueError:
        raise NotACertificate("That file is not a certificate (PEM or DER).") from None
    der = certificate.public_bytes(Encoding.DER)
    if der != data:
        raise NotACertificate("That file is not a certificate (PEM or DER).")
    return der


def subject_name(der: bytes) -> str:
    """The certificate's common name (else its organisation), for a person to recognise."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    subject = x509.load_der_x509_certificate(der).subject
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        values = subject.get_attributes_for_oid(oid)
        if values:
            value = values[0].value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return ""


# Inside the caller's session


def _entries(s: Session) -> dict[str, dict[str, Any]]:
    stored = stored_value(s, KNOWN_CERTIFICATES_SETTING)
    if not isinstance(stored, dict):
        return {}
    entries = {}
    for key, value in stored.items():
        fingerprint = normalised(str(key))
        if fingerprint:
            entries[fingerprint] = value if isinstance(value, dict) else {}
    return entries


def _vouched_by(entry: dict[str, Any]) -> str | None:
    """The team server an entry was learnt from (for its records only); None: trusted."""
    vouched = entry.get("vouched_by")
    if isinstance(vouched, str) and vouched:
        return vouched
    if "vouched_by" not in entry:
        reason = str(entry.get("reason") or "")
        if reason.startswith(VOUCHED_PREFIX):
            return reason.removeprefix(VOUCHED_PREFIX)
    return None


def fingerprints_in(s: Session) -> set[str]:
    """The SHA-256 fingerprints (lower-case hex) of the certificates this laptop trusts:
    what a signed summary or a bundle from elsewhere is verified against."""
    return {key for key, entry in _entries(s).items() if _vouched_by(entry) is None}


def record_fingerprints_in(s: Session) -> set[str]:
    """The fingerprints that verify the sign-offs of records this store holds: those it
    trusts, and those a team server vouched for (a record's sign-offs came in from that
    server, as a bundle import takes none made with a certificate it only vouched for)."""
    return set(_entries(s))


def is_known_in(s: Session, fingerprint: str) -> bool:
    """Whether this laptop trusts the certificate (one learnt from a team server is not)."""
    key = normalised(fingerprint)
    return bool(key) and key in fingerprints_in(s)


def own_identity_since_in(s: Session) -> int | None:
    """The sequence of the audit event in which this store first knew a signing identity
    of this laptop's (None: it never has); every sign-off made here after it carries a
    digital signature."""
    found: int | None = s.scalar(
        select(func.min(AuditEvent.sequence)).where(
            AuditEvent.action == TRUST_ACTION,
            AuditEvent.record_type == RECORD_TYPE,
            AuditEvent.detail.in_((OWN_IDENTITY, REPLACED_IDENTITY)),
        )
    )
    return found


def certificate_in(s: Session, fingerprint: str) -> bytes | None:
    """The known certificate (DER) with this fingerprint; None when it is not known, or
    was remembered by its fingerprint alone."""
    entry = _entries(s).get(normalised(fingerprint))
    return None if entry is None else _der(normalised(fingerprint), entry)


def known_in(s: Session) -> list[KnownCertificate]:
    """Every known certificate, the longest known first."""
    found = [
        KnownCertificate(
            fingerprint_sha256=fingerprint,
            name=str(entry.get("name") or ""),
            reason=str(entry.get("reason") or EXPORTED_WITH),
            since=_moment(entry.get("since") or entry.get("first_used")),
            certificate_der=_der(fingerprint, entry),
            vouched_by=_vouched_by(entry),
        )
        for fingerprint, entry in _entries(s).items()
    ]
    earliest = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda c: (c.since or earliest, c.fingerprint_sha256))


def add_in(
    s: Session, certificate: bytes, reason: str, actor: str, *, vouched_by: str | None = None
) -> str:
    """Trusts `certificate` (DER or PEM) in the caller's transaction and returns its
    fingerprint. A certificate not known yet is recorded in the audit trail: who trusted
    which fingerprint, and why. One known by its fingerprint alone gains its DER.

    With `vouched_by` (a team server's words), the certificate is learnt for that server's
    records only; trusting one so learnt without it makes it trusted for everything."""
    der = certificate_der(certificate)
    reason = " ".join(reason.split())[:MAX_REASON] or ANOTHER_LAPTOP
    fingerprint = fingerprint_of(der)
    stored = stored_value(s, KNOWN_CERTIFICATES_SETTING)
    known = dict(stored) if isinstance(stored, dict) else {}
    entry = known.get(fingerprint)
    if isinstance(entry, dict) and (vouched_by is not None or _vouched_by(entry) is None):
        if _der(fingerprint, entry) is None:
            known[fingerprint] = {**entry, "certificate": _encoded(der)}
            store_value(s, KNOWN_CERTIFICATES_SETTING, known)
        return fingerprint
    known[fingerprint] = {
        "name": subject_name(der),
        "reason": reason,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
        "certificate": _encoded(der),
        **({"vouched_by": vouched_by} if vouched_by is not None else {}),
    }
    store_value(s, KNOWN_CERTIFICATES_SETTING, known)
    record_event(
        s,
        actor=actor,
        action=TRUST_ACTION,
        record_type=RECORD_TYPE,
        record_id=None,
        content_hash=fingerprint,
        detail=reason,
    )
    return fingerprint


def _encoded(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def _der(fingerprint: str, entry: dict[str, Any]) -> bytes | None:
    """The entry's certificate, only if it is the one its fingerprint names."""
    text = entry.get("certificate")
    if not isinstance(text, str):
        return None
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return der if fingerprint_of(der) == fingerprint else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def take_own_certificates(
    db: Database, data_dir: Path, passphrase: str, actor: str, *, again: bool = False
) -> int:
    """Makes this laptop's own identities' certificates known, and removes the plain files
    in which earlier versions kept fingerprints; returns how many became known.

    An identity counts as this laptop's only if its PKCS#12 opens with the store's
    passphrase: the current one, and each one it replaced that opens. A fingerprint or
    certificate in a plain file is never taken, since anyone able to write into the data
    folder could have put it there (nor did the audit trail record identities being
    replaced, so it cannot vouch for them either); a replaced identity that signed an
    export here is known already, from that export.

    Opening a PKCS#12 costs a key derivation, so the identity files are opened only when
    one of them is not yet as it was last time (the digests of the files looked at are kept
    in the store); `again` opens them whatever was seen, as after adopting an identity."""
    from observer.signing.identity import forget_plain_certificates, own_certificates

    forget_plain_certificates(data_dir)
    if not passphrase:
        return 0
    files = _identity_digests(data_dir)
    with db.session() as s:
        seen = stored_value(s, IDENTITIES_SEEN_SETTING)
    if not files or (not again and isinstance(seen, list) and files <= set(seen)):
        return 0
    found = own_certificates(data_dir, passphrase)
    return _writing(db, lambda s: _add_own(s, found, files, actor))


def _identity_digests(data_dir: Path) -> set[str]:
    from observer.signing.identity import IDENTITY_FILES, signing_dir

    digests = set()
    try:
        for path in signing_dir(data_dir).glob(IDENTITY_FILES):
            digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError:
        return set()
    return digests


def _add_own(
    s: Session, certificates: list[tuple[bytes, bool]], files: set[str], actor: str
) -> int:
    before = fingerprints_in(s)
    for der, current in certificates:
        fingerprint = fingerprint_of(der)
        if certificate_in(s, fingerprint) is None or not is_known_in(s, fingerprint):
            add_in(s, der, OWN_IDENTITY if current else REPLACED_IDENTITY, actor)
    store_value(s, IDENTITIES_SEEN_SETTING, sorted(files))
    return len(fingerprints_in(s) - before)


def _writing(db: Database, write: Callable[[Session], T]) -> T:
    """Runs `write` in a transaction, once more if it lost a race: two writers at once may
    both find the setting missing, and the second to insert it is refused; the retry
    reads what the first stored."""
    try:
        with db.session() as s, s.begin():
            return write(s)
    except IntegrityError:
        with db.session() as s, s.begin():
            return write(s)


class KnownCertificates:
    """The signing certificates this laptop knows, kept in the encrypted store."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def is_known(self, fingerprint: str) -> bool:
        with self._db.session() as s:
            return is_known_in(s, fingerprint)

    def fingerprints(self) -> set[str]:
        with self._db.session() as s:
            return fingerprints_in(s)

    def certificate(self, fingerprint: str) -> bytes | None:
        with self._db.session() as s:
            return certificate_in(s, fingerprint)

    def known(self) -> list[KnownCertificate]:
        with self._db.session() as s:
            return known_in(s)

    def add(self, certificate_der: bytes, reason: str, actor: str) -> str:
        """Trusts a certificate (DER or PEM), audited; returns its fingerprint (hex).
        NotACertificate for bytes that are not one certificate."""
        der = _checked(certificate_der)
        return _writing(self._db, lambda s: add_in(s, der, reason, actor))


def _checked(data: bytes) -> bytes:
    """Parses before any transaction opens, so bad input never holds the store's lock."""
    return certificate_der(data)
