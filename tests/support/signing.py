"""Signing helpers: a summary-like PDF, a made signature, an organisation's PKCS#12, and
the bytes of a signed PDF to spoil."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from observer.services import Services
from observer.signing import keywords
from observer.signing.identity import own_certificates
from observer.signing.known import fingerprint_of
from observer.store.models import AuditEvent
from tests.support.core import NewDraft, Staff

PASSPHRASE = "correct horse battery"
RECORD = uuid.UUID("6f1c2a9e-0b7d-4c1e-9a55-2f3e4d5c6b7a")
HASH = hashlib.sha256(b"the canonical content").hexdigest()
SEEN = b"(The child was seen alone and asked about school) Tj"
PDFSIG = shutil.which("pdfsig")
needs_pdfsig = pytest.mark.skipif(PDFSIG is None, reason="poppler-utils (pdfsig) is not installed")


def summary_like_pdf(record_id: uuid.UUID = RECORD, content_hash: str = HASH) -> bytes:
    """Two A4 pages with the summary's Keywords; page content uncompressed, so a test can
    find (and change) a byte inside a content stream."""
    out = io.BytesIO()
    page = Canvas(out, invariant=1, pageCompression=0)
    page.setKeywords(keywords(record_id, content_hash))
    page.setTitle("Practice observation summary")
    for number in (1, 2):
        page.setFont("Helvetica", 11)
        page.drawString(72, 760, "The child was seen alone and asked about school")
        page.drawString(72, 740, f"Page {number} of 2")
        page.showPage()
    page.save()
    return out.getvalue()


@dataclass(frozen=True)
class Signed:
    data_dir: Path
    pdf: bytes
    path: Path
    byte_range: tuple[int, int, int, int]


def byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert found is not None
    a, b, c, d = (int(n) for n in found.groups())
    return a, b, c, d


def changed(pdf: bytes, position: int, xor: int = 0x01) -> bytes:
    spoilt = bytearray(pdf)
    spoilt[position] ^= xor
    return bytes(spoilt)


def lookup_of(records: dict[uuid.UUID, str]) -> Any:
    return records.get


def known(signed: Signed) -> set[str]:
    """The certificates the signing data folder's store would know: its own identity's."""
    return {fingerprint_of(der) for der, _ in own_certificates(signed.data_dir, PASSPHRASE)}


def pdfsig(path: Path) -> str:
    assert PDFSIG is not None
    done = subprocess.run(
        [PDFSIG, str(path)], capture_output=True, text=True, check=False, timeout=60
    )
    return done.stdout + done.stderr


@dataclass(frozen=True)
class Organisation:
    ca_cert: x509.Certificate
    p12: bytes
    leaf: x509.Certificate


def organisation_p12(
    *, passphrase: bytes = b"org-issued secret", expired: bool = False, usage: bool = True
) -> Organisation:
    """What an organisation's PKI hands a practice lead: an RSA key, a certificate issued
    by the organisation's CA, and the CA certificate, in a password-protected PKCS#12."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Northshire Council Issuing CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Priya Shah"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Northshire Council"),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=400 if expired else 1))
        .not_valid_after(now - timedelta(days=1) if expired else now + timedelta(days=700))
        .add_extension(
            x509.KeyUsage(
                digital_signature=usage,
                content_commitment=usage,
                key_encipherment=not usage,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    leaf = builder.sign(ca_key, hashes.SHA256())
    p12 = pkcs12.serialize_key_and_certificates(
        b"Priya Shah", key, leaf, [ca_cert], serialization.BestAvailableEncryption(passphrase)
    )
    return Organisation(ca_cert, p12, leaf)


def content_stream_position(pdf: bytes) -> int:
    position = pdf.find(SEEN)
    assert position > 0
    return position + 10


def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


CODES = ["1", "2", "3", "4", "5", "6", "7"]  # the direct-work framework of a home visit


def filled(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    """A home visit with everything sign-off needs, and one agreed action."""
    draft = new_draft()
    recording = services.recording
    recording.update(draft, {"overall_level": "good", "overall_rationale": "Warm, clear."})
    for code in CODES:
        recording.set_rating(draft, code, level_code="good", evidence=f"Seen in part {code}.")
    recording.add_action(draft, "Read the chronology", staff.worker, date(2027, 1, 15))
    return draft


def audit(services: Services, action: str) -> list[tuple[uuid.UUID | None, str]]:
    with services.db.session() as s:
        rows = s.execute(
            select(AuditEvent.record_id, AuditEvent.content_hash).where(AuditEvent.action == action)
        )
        return [(r.record_id, r.content_hash) for r in rows]


def pem_of(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
