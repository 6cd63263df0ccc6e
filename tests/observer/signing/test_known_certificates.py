"""The certificates this laptop knows live in the encrypted store, and trusting one is audited."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from observer.services import Services
from observer.signing.known import (
    ANOTHER_LAPTOP,
    KNOWN_CERTIFICATES_SETTING,
    TRUST_ACTION,
    NotACertificate,
    certificate_in,
    fingerprints_in,
    is_known_in,
)
from observer.store.models import AuditEvent
from observer.store.settings import store_value


def certificate(name: str = "Priya Shah") -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def trust_events(services: Services) -> list[tuple[str, str, str]]:
    with services.db.session() as s:
        rows = s.execute(
            select(AuditEvent.actor, AuditEvent.content_hash, AuditEvent.detail).where(
                AuditEvent.action == TRUST_ACTION
            )
        )
        return [(r.actor, r.content_hash, r.detail) for r in rows]


def test_a_trusted_certificate_is_known_and_given_back_and_its_trust_is_audited(
    services: Services,
) -> None:
    known = services.known_certificates
    cert = certificate()

    added = known.add(der(cert), ANOTHER_LAPTOP, "Aled Hughes")

    assert added == fingerprint(cert)
    assert known.is_known(added)
    assert known.is_known(added.upper())
    assert known.fingerprints() == {added}
    assert known.certificate(added) == der(cert)
    assert known.certificate(fingerprint(certificate())) is None
    assert trust_events(services) == [("Aled Hughes", added, ANOTHER_LAPTOP)]
    (entry,) = known.known()
    assert (entry.fingerprint_sha256, entry.name, entry.reason) == (
        added,
        "Priya Shah",
        ANOTHER_LAPTOP,
    )
    # Trusting it again changes nothing and records nothing more.
    assert known.add(der(cert), "again", "Someone Else") == added
    assert len(trust_events(services)) == 1
    assert services.audit.verify().ok


def test_a_pem_certificate_is_trusted_as_its_der(services: Services) -> None:
    cert = certificate()
    pem = cert.public_bytes(serialization.Encoding.PEM)

    added = services.known_certificates.add(pem, ANOTHER_LAPTOP, "Aled Hughes")

    assert added == fingerprint(cert)
    assert services.known_certificates.certificate(added) == der(cert)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
)
def test_what_is_not_a_certificate_is_refused_and_nothing_is_trusted(
    services: Services, data: bytes
) -> None:
    with pytest.raises(NotACertificate):
        services.known_certificates.add(data, ANOTHER_LAPTOP, "Aled Hughes")

    assert services.known_certificates.fingerprints() == set()
    assert trust_events(services) == []


def test_two_certificates_in_one_file_are_refused(services: Services) -> None:
    pem = b"".join(
        c.public_bytes(serialization.Encoding.PEM) for c in (certificate(), certificate())
    )

    with pytest.raises(NotACertificate, match="more than one certificate"):
        services.known_certificates.add(pem, ANOTHER_LAPTOP, "Aled Hughes")


def test_the_known_certificates_are_nowhere_in_the_data_folder_in_plain_text(
    services: Services, data_dir: Path
) -> None:
    cert = certificate()
    added = services.known_certificates.add(der(cert), ANOTHER_LAPTOP, "Aled Hughes")
    services.close()

    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert added.encode() not in content, path
            assert der(cert) not in content, path


def test_the_checks_run_inside_another_transaction(services: Services) -> None:
    cert = certificate()
    added = services.known_certificates.add(der(cert), ANOTHER_LAPTOP, "Aled Hughes")

    with services.db.session() as s, s.begin():
        assert is_known_in(s, added)
        assert not is_known_in(s, fingerprint(certificate()))
        assert not is_known_in(s, "not a fingerprint")
        assert fingerprints_in(s) == {added}
        assert certificate_in(s, added) == der(cert)


def test_a_certificate_an_earlier_version_remembered_by_fingerprint_stays_known(
    services: Services,
) -> None:
    """Earlier versions kept a name and the first use for each certificate an export was
    signed with; such an entry is known, and gains its certificate when it is added."""
    cert = certificate()
    old = fingerprint(cert)
    with services.db.session() as s, s.begin():
        store_value(
            s,
            KNOWN_CERTIFICATES_SETTING,
            {old: {"name": "Priya Shah", "first_used": "2025-05-01T09:00:00+00:00"}},
        )
    known = services.known_certificates

    assert known.is_known(old)
    assert known.certificate(old) is None
    (entry,) = known.known()
    assert entry.since == datetime(2025, 5, 1, 9, tzinfo=UTC)

    known.add(der(cert), ANOTHER_LAPTOP, "Aled Hughes")

    assert known.certificate(old) == der(cert)
    assert trust_events(services) == []  # known already: nothing newly trusted


def test_a_damaged_entry_gives_no_certificate(services: Services) -> None:
    cert, other = certificate(), certificate()
    with services.db.session() as s, s.begin():
        store_value(
            s,
            KNOWN_CERTIFICATES_SETTING,
            {
                fingerprint(cert): {"certificate": "not base64!"},
                fingerprint(other): {"certificate": base64.b64encode(der(cert)).decode()},
                "not a fingerprint": {},
            },
        )

    known = services.known_certificates
    assert known.fingerprints() == {fingerprint(cert), fingerprint(other)}
    assert known.certificate(fingerprint(cert)) is None
    assert known.certificate(fingerprint(other)) is None  # not the certificate it names
