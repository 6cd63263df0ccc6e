"""Signing identities, PAdES signatures on summaries, and verification that catches tampering.

The PDFs here are small reportlab documents carrying the summary's Keywords contract
("practice-observer record=<uuid> content-sha256=<hex>"), so signing and verification are
tested apart from the summary layout; the summary export itself is tested at the end.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import re
import shutil
import stat
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from core_helpers import NewDraft, Staff
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from store_passphrase import STORE_PASSPHRASE

from observer.documents.summaries import PASSPHRASE_NEEDED, export_summary, verify_summary
from observer.errors import InvalidInput, NotFound
from observer.services import Services
from observer.signing import (
    FIELD_NAME,
    InvalidIdentity,
    NoIdentity,
    NotAPdf,
    PassphraseNeeded,
    TimestampUnavailable,
    Verification,
    WrongPassphrase,
    ensure_identity,
    export_certificate,
    identity_path,
    import_identity,
    keywords,
    load_signer,
    sign_pdf,
    verify_pdf,
)
from observer.signing.appearance import render_stamp
from observer.signing.identity import (
    adopt_identity,
    fingerprint_path,
    own_certificate_fingerprints,
)
from observer.store.models import AuditEvent, Setting
from observer.vocabulary import Role, SignatureRole, Status

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


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    """One signature made once for the module: a self-signed identity signs a summary."""
    folder = tmp_path_factory.mktemp("signed")
    data_dir = folder / "data"
    ensure_identity(data_dir, PASSPHRASE, "Zoë Ştefănescu", "Northshire Council")
    pdf = sign_pdf(
        summary_like_pdf(),
        load_signer(data_dir, PASSPHRASE),
        reason="Summary of a signed-off observation",
        location="Northshire Council",
        signer_name="Zoë Ştefănescu",
    )
    path = folder / "summary.pdf"
    path.write_bytes(pdf)
    return Signed(data_dir, pdf, path, byte_range(pdf))


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
    """The certificates the signing data folder knows: its own identity's."""
    return own_certificate_fingerprints(signed.data_dir)


def pdfsig(path: Path) -> str:
    assert PDFSIG is not None
    done = subprocess.run(
        [PDFSIG, str(path)], capture_output=True, text=True, check=False, timeout=60
    )
    return done.stdout + done.stderr


# --- the signing identity -------------------------------------------------------------


def test_an_identity_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = ensure_identity(tmp_path, PASSPHRASE, "  Aled   Hughes ", "Northshire Council")
    again = ensure_identity(tmp_path, PASSPHRASE, "Someone Else", "Another Council")

    assert first.created
    assert not again.created
    assert again.fingerprint_sha256 == first.fingerprint_sha256
    assert (again.name, again.organisation) == ("Aled Hughes", "Northshire Council")
    assert first.self_signed
    path = identity_path(tmp_path)
    assert path == tmp_path / "signing" / "identity.p12"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == ["certificate.sha256", "identity.p12"]
    assert fingerprint_path(tmp_path).read_text("ascii") == first.fingerprint_sha256 + "\n"
    assert own_certificate_fingerprints(tmp_path) == {first.fingerprint_sha256}
    assert first.not_valid_after - first.not_valid_before > timedelta(days=5 * 365)


@pytest.mark.parametrize(
    "use",
    [
        lambda folder: ensure_identity(folder, "not the passphrase", "Aled Hughes", "Northshire"),
        lambda folder: load_signer(folder, "not the passphrase"),
        lambda folder: export_certificate(folder, folder / "cert.pem", "not the passphrase"),
    ],
    ids=["ensure", "load", "export"],
)
def test_a_wrong_passphrase_is_refused_in_one_sentence(tmp_path: Path, use: Any) -> None:
    ensure_identity(tmp_path, PASSPHRASE, "Aled Hughes", "Northshire Council")

    with pytest.raises(WrongPassphrase) as refused:
        use(tmp_path)

    assert str(refused.value) == "That passphrase does not open the signing identity."
    assert not (tmp_path / "cert.pem").exists()


@pytest.mark.parametrize("passphrase", ["", "short"])
def test_a_new_identity_needs_a_real_passphrase(tmp_path: Path, passphrase: str) -> None:
    with pytest.raises(PassphraseNeeded):
        ensure_identity(tmp_path, passphrase, "Aled Hughes", "Northshire Council")

    assert not identity_path(tmp_path).exists()


def test_without_an_identity_loading_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(NoIdentity, match="identity import"):
        load_signer(tmp_path, PASSPHRASE)


def test_a_damaged_identity_file_is_named_as_damaged(tmp_path: Path) -> None:
    ensure_identity(tmp_path, PASSPHRASE, "Aled Hughes", "Northshire Council")
    path = identity_path(tmp_path)
    path.write_bytes(path.read_bytes()[:200])

    with pytest.raises(InvalidIdentity, match="damaged"):
        load_signer(tmp_path, PASSPHRASE)


def test_the_exported_certificate_is_the_signing_certificate(tmp_path: Path) -> None:
    info = ensure_identity(tmp_path, PASSPHRASE, "Ελένη Παπαδοπούλου", "Northshire Council")
    out = tmp_path / "ελένη.pem"

    exported = export_certificate(tmp_path, out, PASSPHRASE)

    pem = out.read_bytes()
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----\n")
    cert = x509.load_pem_x509_certificate(pem)
    assert exported.fingerprint_sha256 == info.fingerprint_sha256
    assert cert.fingerprint(hashes.SHA256()).hex() == info.fingerprint_sha256
    name = cert.subject
    assert name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Ελένη Παπαδοπούλου"
    assert name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ("Northshire Council")
    assert cert.issuer == cert.subject
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == "secp256r1"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.content_commitment
    assert not usage.value.key_cert_sign
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca is False
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=5 * 365) < lifetime < timedelta(days=5 * 366)
    assert "PRIVATE" not in pem.decode()


# --- an organisation's identity -------------------------------------------------------


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


def test_an_organisation_identity_is_imported_and_signs(tmp_path: Path) -> None:
    own = ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")
    issued = organisation_p12()

    info = import_identity(tmp_path, issued.p12, "org-issued secret", PASSPHRASE)

    assert (info.name, info.organisation, info.self_signed) == (
        "Priya Shah",
        "Northshire Council",
        False,
    )
    assert info.fingerprint_sha256 == issued.leaf.fingerprint(hashes.SHA256()).hex()
    assert info.fingerprint_sha256 != own.fingerprint_sha256
    path = identity_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    kept = [p.name for p in path.parent.iterdir() if p.name.startswith("identity-replaced-")]
    assert len(kept) == 1
    # It is protected by the user's passphrase now, not the organisation's.
    with pytest.raises(WrongPassphrase):
        load_signer(tmp_path, "org-issued secret")
    pdf = sign_pdf(
        summary_like_pdf(),
        load_signer(tmp_path, PASSPHRASE),
        reason="r",
        location="Northshire Council",
        signer_name="Priya Shah",
    )
    result = verify_pdf(pdf)
    assert (result.signer, result.intact, result.self_signed, result.trusted) == (
        "Priya Shah",
        True,
        False,
        False,
    )
    assert result.issuer == "Northshire Council Issuing CA"
    assert (
        "Certificate: not trusted; its issuer (Northshire Council Issuing CA) is not known "
        "to this computer." in "\n".join(result.summary_lines())
    )


@pytest.mark.parametrize(
    ("p12", "passphrase", "error", "words"),
    [
        (lambda: organisation_p12().p12, "wrong", WrongPassphrase, "does not open it"),
        (lambda: b"not a pkcs12 file at all", "x", InvalidIdentity, "is not a PKCS#12 file"),
        (
            lambda: organisation_p12(expired=True).p12,
            "org-issued secret",
            InvalidIdentity,
            "expired",
        ),
        (
            lambda: organisation_p12(usage=False).p12,
            "org-issued secret",
            InvalidIdentity,
            "not for signing",
        ),
    ],
)
def test_an_unusable_pkcs12_is_refused_and_changes_nothing(
    tmp_path: Path, p12: Any, passphrase: str, error: type[Exception], words: str
) -> None:
    own = ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")

    with pytest.raises(error, match=words):
        import_identity(tmp_path, p12(), passphrase, PASSPHRASE)

    assert load_signer(tmp_path, PASSPHRASE) is not None
    assert sorted(p.name for p in identity_path(tmp_path).parent.iterdir()) == [
        "certificate.sha256",
        "identity.p12",
    ]
    assert own_certificate_fingerprints(tmp_path) == {own.fingerprint_sha256}
    assert ensure_identity(tmp_path, PASSPHRASE, "x", "y").fingerprint_sha256 == (
        own.fingerprint_sha256
    )


# --- sign and verify ------------------------------------------------------------------


def test_a_signed_summary_verifies_intact_with_its_signer_time_and_record(
    signed: Signed,
) -> None:
    result = verify_pdf(
        signed.path, local_hash_lookup=lookup_of({RECORD: HASH}), known_certificates=known(signed)
    )

    assert result.signed
    assert result.intact
    assert result.problem is None
    assert (result.signer, result.organisation) == ("Zoë Ştefănescu", "Northshire Council")
    assert result.signing_time is not None
    assert abs(datetime.now(UTC) - result.signing_time) < timedelta(minutes=30)
    assert result.timestamp is None
    assert (result.trusted, result.self_signed) == (False, True)
    assert (result.record_id, result.content_hash, result.hash_matches) == (RECORD, HASH, True)
    assert (result.record_in_store, result.signer_known) == (True, True)
    assert result.exit_code == 0
    lines = result.summary_lines()
    assert lines[0] == "File: summary.pdf"
    assert lines[1] == "Signer: Zoë Ştefănescu, Northshire Council"
    assert lines[2].startswith("Signing time: ")
    assert "Intact: yes; nothing in the document has changed since it was signed." in lines
    assert any(
        line.startswith("Certificate: self-signed, not from a trusted authority") for line in lines
    )
    assert "Known to this laptop: yes; the certificate is this data folder's signing " in (
        "\n".join(lines)
    )
    assert lines[-1] == (
        f"Record {RECORD}: this summary was signed on this laptop's records and its content "
        "hash matches."
    )


def test_the_signature_is_pades_sha256_with_a_visible_box_on_the_last_page(
    signed: Signed,
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed.pdf))
    (signature,) = reader.embedded_signatures
    assert signature.field_name == FIELD_NAME
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.md_algorithm == "sha256"
    last = reader.root["/Pages"]["/Kids"][-1].get_object()
    widgets = [a.get_object() for a in last["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    assert len(widgets) == 1
    x1, y1, x2, y2 = (float(v) for v in widgets[0]["/Rect"])
    assert x2 - x1 > 100
    assert y2 - y1 > 30
    assert widgets[0]["/AP"]["/N"].get_object().data  # an appearance is drawn
    first = reader.root["/Pages"]["/Kids"][0].get_object()
    assert "/Annots" not in first


def test_the_visible_signature_shows_names_in_any_script(tmp_path: Path) -> None:
    name = "Zoë Łukasiewicz-Ştefănescu Şükrü Ελένη Наталья <&>"
    stamp = tmp_path / "stamp.pdf"
    stamp.write_bytes(
        render_stamp(f"Digitally signed by {name}\n26 Nov 2026 09:30:07 UTC", 240, 50)
    )
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")

    text = subprocess.run(
        ["pdftotext", str(stamp), "-"], capture_output=True, text=True, check=True
    ).stdout

    assert " ".join(text.split()) == f"Digitally signed by {name} 26 Nov 2026 09:30:07 UTC"


def test_a_record_that_changed_since_makes_verification_fail(signed: Signed) -> None:
    result = verify_pdf(
        signed.pdf,
        local_hash_lookup=lookup_of({RECORD: "0" * 64}),
        known_certificates=known(signed),
    )

    assert result.intact
    assert result.hash_matches is False
    assert result.exit_code == 1
    assert result.summary_lines()[-1] == (
        f"Record {RECORD}: its content hash does not match this store; the record here "
        "differs from the one summarised."
    )


def test_a_record_not_in_this_store_is_said_so_and_does_not_fail(signed: Signed) -> None:
    result = verify_pdf(signed.pdf, local_hash_lookup=lookup_of({}))

    assert result.hash_matches is None
    assert (result.record_in_store, result.signer_known) == (False, False)
    assert result.exit_code == 0
    assert result.summary_lines()[-1] == (
        f"Record {RECORD}: not in this store, so its content cannot be compared; to know who "
        f"signed it, compare the certificate's SHA-256 fingerprint {result.signer_fingerprint} "
        "with the one the signer exported."
    )


def test_a_record_here_signed_with_an_unknown_certificate_fails(signed: Signed) -> None:
    result = verify_pdf(signed.pdf, local_hash_lookup=lookup_of({RECORD: HASH}))

    assert (result.signed, result.intact, result.record_in_store) == (True, True, True)
    assert (result.signer_known, result.hash_matches) == (False, None)
    assert result.exit_code == 1
    assert result.signer_fingerprint is not None
    assert result.summary_lines()[-1] == (
        "Signed with a certificate this laptop does not know (fingerprint "
        f"{result.signer_fingerprint}): it cannot confirm that this summary shows the record "
        "it names."
    )
    assert not any("hash matches" in line for line in result.summary_lines())


def content_stream_position(pdf: bytes) -> int:
    position = pdf.find(SEEN)
    assert position > 0
    return position + 10


POSITIONS = {
    "the version in the header": lambda pdf, r: 7,
    "early, the first object": lambda pdf, r: 20,
    "the middle of the first signed range": lambda pdf, r: r[1] // 2,
    "inside a page's content stream": lambda pdf, r: content_stream_position(pdf),
    "just before the signature value": lambda pdf, r: r[1] - 3,
    "just after the signature value": lambda pdf, r: r[2] + 3,
    "the middle of the second signed range": lambda pdf, r: r[2] + r[3] // 2,
    "the last byte": lambda pdf, r: len(pdf) - 2,
}


@pytest.mark.parametrize("where", list(POSITIONS))
def test_one_changed_byte_anywhere_in_the_signed_range_fails_verification(
    signed: Signed, where: str
) -> None:
    position = POSITIONS[where](signed.pdf, signed.byte_range)
    start, first, second, length = signed.byte_range
    assert start <= position < first or second <= position < second + length

    result = verify_pdf(
        changed(signed.pdf, position),
        local_hash_lookup=lookup_of({RECORD: HASH}),
        known_certificates=known(signed),
    )

    assert result.signed
    assert not result.intact
    assert result.exit_code == 1
    assert result.problem
    lines = result.summary_lines()
    assert any(line.startswith("Intact: no; ") for line in lines)
    assert (result.signer_known, result.hash_matches) == (False, None)
    assert not any("hash matches" in line or "Known to this laptop" in line for line in lines)
    if result.record_id is not None:
        assert lines[-1] == (
            f"Record: this PDF names record {RECORD}, but as it is not intact nothing shows "
            "that it holds that record's content."
        )


def test_a_changed_content_stream_is_named_as_a_change_after_signing(signed: Signed) -> None:
    result = verify_pdf(changed(signed.pdf, content_stream_position(signed.pdf)))

    assert result.problem == (
        "the document was changed after it was signed: it no longer matches its signature"
    )
    assert result.signer == "Zoë Ştefănescu"


def test_bytes_added_after_the_end_leave_the_file_not_intact(signed: Signed) -> None:
    """pyHanko reports the signature itself as intact and valid but covering only the
    "entire revision", not the entire file; the whole file is therefore not intact."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    extended = signed.pdf + b"\n% a note added later\n"
    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(extended)).embedded_signatures[0],
        ValidationContext(trust_roots=[], allow_fetching=False),
    )
    assert (status.intact, status.valid) == (True, True)
    assert status.coverage is SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level is ModificationLevel.NONE

    result = verify_pdf(extended)

    assert not result.intact
    assert result.problem == (
        "something was added to the file after it was signed (the signed part itself is unchanged)"
    )
    assert result.exit_code == 1


def test_a_damaged_signature_value_fails_verification(signed: Signed) -> None:
    start_of_value = signed.byte_range[1] + 1  # after "<"
    spoilt = bytearray(signed.pdf)
    spoilt[start_of_value + 200] = ord("7") if spoilt[start_of_value + 200] != ord("7") else 56

    result = verify_pdf(bytes(spoilt))

    assert result.signed
    assert not result.intact
    assert result.exit_code == 1


def test_a_changed_byte_in_the_signature_padding_fails_verification(signed: Signed) -> None:
    """The signature value's reserved space is outside the signed ranges and padded with
    zeros; pyHanko and poppler accept a change there, so verification checks it itself."""
    end_of_padding = signed.byte_range[2] - 5  # inside "...0000>"
    assert signed.pdf[end_of_padding : end_of_padding + 4] == b"0000"
    spoilt = bytearray(signed.pdf)
    spoilt[end_of_padding] = ord("7")

    result = verify_pdf(bytes(spoilt))

    assert not result.intact
    assert result.problem == "the space reserved for the signature was changed after signing"


def test_an_unsigned_pdf_is_reported_unsigned_and_fails() -> None:
    result = verify_pdf(summary_like_pdf(), local_hash_lookup=lookup_of({RECORD: HASH}))

    assert (result.signed, result.intact, result.exit_code) == (False, False, 1)
    assert (result.record_in_store, result.hash_matches) == (True, None)
    lines = result.summary_lines()
    assert lines[1].startswith("Signed: no; this PDF carries no digital signature")
    assert lines[-1] == (
        f"Record: this PDF names record {RECORD}, but as it is not signed nothing shows that "
        "it holds that record's content."
    )
    assert not any("hash matches" in line for line in lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Dear Jo, the notes you asked for.\n", "notes.pdf is not a PDF file."),
        (b"", "notes.pdf is not a PDF file."),
        (b"%PDF-1.7\n" + b"\x00" * 300, "notes.pdf cannot be read as a PDF."),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_in_one_sentence(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(content)

    with pytest.raises(NotAPdf) as refused:
        verify_pdf(path)

    assert str(refused.value) == message


def test_a_missing_file_or_a_folder_is_not_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(NotAPdf, match="cannot be read: No such file or directory"):
        verify_pdf(tmp_path / "missing.pdf")
    with pytest.raises(NotAPdf, match="is a folder"):
        verify_pdf(tmp_path)


def test_verification_as_json_holds_every_fact(signed: Signed) -> None:
    result = verify_pdf(
        signed.pdf, local_hash_lookup=lookup_of({RECORD: HASH}), known_certificates=known(signed)
    )

    facts = result.as_dict()

    assert facts["signer"] == "Zoë Ştefănescu"
    assert facts["intact"] is True
    assert facts["hash_matches"] is True
    assert (facts["signer_known"], facts["record_in_store"]) == (True, True)
    assert facts["signer_fingerprint"] == result.signer_fingerprint
    assert facts["record_id"] == str(RECORD)
    assert facts["exit_code"] == 0
    assert datetime.fromisoformat(facts["signing_time"]) == result.signing_time
    assert len(facts["certificate_sha256"]) == 64


# --- poppler agrees -------------------------------------------------------------------


@needs_pdfsig
def test_pdfsig_agrees_the_untouched_file_is_valid(signed: Signed) -> None:
    report = pdfsig(signed.path)

    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signer Certificate Common Name: Zoë Ştefănescu" in report
    assert "Signature Type: ETSI.CAdES.detached" in report


@needs_pdfsig
def test_pdfsig_agrees_a_changed_byte_is_a_digest_mismatch(signed: Signed, tmp_path: Path) -> None:
    for position in (20, content_stream_position(signed.pdf), len(signed.pdf) - 2):
        path = tmp_path / f"changed-{position}.pdf"
        path.write_bytes(changed(signed.pdf, position))

        assert not verify_pdf(path).intact
        assert "Signature Validation: Digest Mismatch." in pdfsig(path)


@needs_pdfsig
def test_pdfsig_agrees_added_bytes_leave_the_document_not_wholly_signed(
    signed: Signed, tmp_path: Path
) -> None:
    path = tmp_path / "added.pdf"
    path.write_bytes(signed.pdf + b"\n% a note added later\n")

    report = pdfsig(path)

    assert "Not total document signed" in report
    assert "Signature Validation: Signature is Valid." in report
    assert not verify_pdf(path).intact


# --- fuzzing --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_changes_in_the_signed_range_never_verify_intact(
    signed: Signed, data: st.DataObject
) -> None:
    start, first, second, length = signed.byte_range
    positions = data.draw(
        st.lists(
            st.one_of(st.integers(start, first - 1), st.integers(second, second + length - 1)),
            min_size=1,
            max_size=4,
            unique=True,
        ),
        label="positions",
    )
    spoilt = bytearray(signed.pdf)
    for position in positions:
        spoilt[position] ^= data.draw(st.integers(1, 255), label="xor")

    try:
        result = verify_pdf(bytes(spoilt))
    except NotAPdf:
        return  # only when the header itself was hit
    assert not result.intact
    assert result.exit_code == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_changes_to_the_signature_value_never_verify_intact(
    signed: Signed, data: st.DataObject
) -> None:
    """The bytes outside the signed ranges: the hex signature value and its zero padding."""
    _, first, second, _ = signed.byte_range
    position = data.draw(st.integers(first, second - 1), label="position")
    replacement = data.draw(
        st.sampled_from(b"0123456789ABCDEFabcdef <>\n").filter(lambda c: c != signed.pdf[position]),
        label="replacement",
    )
    spoilt = bytearray(signed.pdf)
    spoilt[position] = replacement

    try:
        result = verify_pdf(bytes(spoilt))
    except NotAPdf:
        pytest.fail("a signed PDF with a damaged signature is a failed check, not 'not a PDF'")
    assert not result.intact


@settings(max_examples=80, deadline=None)
@given(
    body=st.binary(max_size=2_000),
    header=st.sampled_from([b"", b"%PDF-1.7\n", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"]),
)
def test_random_bytes_are_not_a_pdf_or_not_intact_never_a_crash(body: bytes, header: bytes) -> None:
    try:
        result = verify_pdf(header + body)
    except NotAPdf as refused:
        message = str(refused)
    else:
        message = ""
        assert isinstance(result, Verification)
        assert not result.intact
        assert result.exit_code == 1
    assert message in {"", "The data is not a PDF file.", "The data cannot be read as a PDF."}


# --- B-T: a timestamp from a timestamp server -----------------------------------------


@pytest.fixture
def timestamp_server() -> Iterator[str]:
    """A local RFC 3161 timestamp server (pyHanko's test TSA behind http.server)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(
        public_exponent=65537, key_size=2048
    )  # pyHanko's test TSA is RSA-only
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Timestamp Authority")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    authority = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = authority.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_with_a_timestamp_server_the_signature_carries_its_time(
    signed: Signed, timestamp_server: str
) -> None:
    pdf = sign_pdf(
        summary_like_pdf(),
        load_signer(signed.data_dir, PASSPHRASE),
        reason="r",
        location="l",
        signer_name="Zoë Ştefănescu",
        timestamp_url=timestamp_server,
    )

    result = verify_pdf(pdf)

    assert result.intact
    assert result.timestamp is not None
    assert abs(datetime.now(UTC) - result.timestamp) < timedelta(minutes=5)
    assert any(
        line.startswith("Timestamp: ") and "from a timestamp server" in line
        for line in result.summary_lines()
    )


def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_an_unreachable_timestamp_server_is_a_clear_error(signed: Signed) -> None:
    url = f"http://127.0.0.1:{unused_port()}/"

    with pytest.raises(TimestampUnavailable, match="did not answer"):
        sign_pdf(
            summary_like_pdf(),
            load_signer(signed.data_dir, PASSPHRASE),
            reason="r",
            location="l",
            signer_name="Zoë",
            timestamp_url=url,
        )


# --- export and verify through the services -------------------------------------------

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


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def signed_record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
    record = filled(services, new_draft, staff)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    return record


def audit(services: Services, action: str) -> list[tuple[uuid.UUID | None, str]]:
    with services.db.session() as s:
        rows = s.execute(
            select(AuditEvent.record_id, AuditEvent.content_hash).where(AuditEvent.action == action)
        )
        return [(r.record_id, r.content_hash) for r in rows]


def test_a_signed_record_exports_a_signed_summary_that_verifies(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    target = out / "summary.pdf"

    exported = export_summary(services, signed_record, target)  # under the store's passphrase

    digest = services.signoff.current_hash(signed_record)
    assert exported.signed
    assert exported.content_hash == digest
    assert exported.signer == "Aled Hughes"
    assert exported.identity is not None
    assert exported.identity.created
    assert exported.lines()[0] == f"Wrote a signed summary to {target}, signed by Aled Hughes."
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in out.iterdir()] == ["summary.pdf"]

    result = verify_summary(services, target)

    assert (result.signed, result.intact, result.hash_matches) == (True, True, True)
    assert (result.signer_known, result.exit_code) == (True, 0)
    assert (result.record_id, result.content_hash) == (signed_record, digest)
    assert result.signer == "Aled Hughes"
    assert audit(services, "export") == [(signed_record, digest)]
    assert audit(services, "verify") == [(signed_record, digest)]
    again = export_summary(services, signed_record, out / "again.pdf", passphrase=PASSPHRASE)
    assert again.identity is not None
    assert not again.identity.created


def test_a_signed_record_needs_a_passphrase_and_writes_nothing_without(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    with pytest.raises(PassphraseNeeded) as refused:
        export_summary(services, signed_record, out / "summary.pdf", passphrase="")

    assert str(refused.value) == PASSPHRASE_NEEDED
    assert list(out.iterdir()) == []
    assert audit(services, "export") == []


def test_a_wrong_passphrase_leaves_no_file(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    export_summary(services, signed_record, out / "first.pdf", passphrase=PASSPHRASE)

    with pytest.raises(WrongPassphrase):
        export_summary(services, signed_record, out / "second.pdf", passphrase="wrong one")

    assert sorted(p.name for p in out.iterdir()) == ["first.pdf"]


def test_a_draft_exports_unsigned_and_verifies_as_unsigned(
    services: Services, new_draft: NewDraft, out: Path
) -> None:
    draft = new_draft()
    out = out / "draft.pdf"

    exported = export_summary(services, draft, out, passphrase=None)

    assert not exported.signed
    assert "DRAFT" in exported.lines()[0]
    result = verify_summary(services, out)
    assert (result.signed, result.exit_code, result.hash_matches) == (False, 1, None)
    assert not any("hash matches" in line for line in result.summary_lines())


def test_a_record_changed_in_the_store_is_not_exported_as_signed(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    from observer.documents.summaries import RecordAltered
    from observer.store.models import Observation

    with services.db.session() as s, s.begin():
        s.get_one(Observation, signed_record).strengths = "Edited behind the app's back."

    with pytest.raises(RecordAltered):
        export_summary(services, signed_record, out / "s.pdf", passphrase=PASSPHRASE)

    assert list(out.iterdir()) == []


def test_an_unreachable_timestamp_server_still_signs_and_says_so(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    with services.db.session() as s, s.begin():
        s.add(Setting(key="timestamp_url", value=f"http://127.0.0.1:{unused_port()}/"))

    exported = export_summary(services, signed_record, out / "s.pdf", passphrase=PASSPHRASE)

    assert exported.signed
    assert not exported.timestamped
    assert exported.note is not None
    assert "did not answer" in exported.note
    assert verify_summary(services, out / "s.pdf").intact


def test_a_configured_timestamp_server_makes_it_b_t(
    services: Services, signed_record: uuid.UUID, out: Path, timestamp_server: str
) -> None:
    with services.db.session() as s, s.begin():
        s.add(Setting(key="timestamp_url", value=timestamp_server))

    exported = export_summary(services, signed_record, out / "s.pdf", passphrase=PASSPHRASE)

    assert exported.timestamped
    assert verify_summary(services, out / "s.pdf").timestamp is not None


def test_verifying_a_summary_of_a_record_from_elsewhere_says_it_is_not_here(
    services: Services, signed: Signed
) -> None:
    with pytest.raises(NotFound):
        services.signoff.current_hash(RECORD)

    result = verify_summary(services, signed.path)

    assert result.hash_matches is None
    assert result.exit_code == 0
    assert audit(services, "verify") == [(RECORD, HASH)]


def words_on_last_page(path: Path) -> list[tuple[float, float, float, float, str]]:
    """pdftotext's words on the last page, with boxes in PDF points from the bottom left."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = re.search(r"^Pages:\s+(\d+)$", info.stdout, re.MULTILINE)
    height = re.search(r"^Page size:\s+[\d.]+ x ([\d.]+) pts", info.stdout, re.MULTILINE)
    assert pages is not None
    assert height is not None
    last, top = pages[1], float(height[1])
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", last, "-l", last, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    return [
        (float(x1), top - float(y2), float(x2), top - float(y1), word)
        for x1, y1, x2, y2, word in found
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("sentences", [0, 130, 240])
def test_the_visible_signature_never_covers_the_summary_text(
    services: Services, new_draft: NewDraft, staff: Staff, out: Path, sentences: int
) -> None:
    """However far the text runs down the last page, the signature box hides none of it."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
    record = filled(services, new_draft, staff)
    services.recording.update(record, {"strengths": "The child was heard. " * sentences})
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    target = out / "summary.pdf"
    export_summary(services, record, target, passphrase=PASSPHRASE)

    reader = PdfFileReader(io.BytesIO(target.read_bytes()))
    last = reader.root["/Pages"]["/Kids"][-1].get_object()
    (widget,) = [a.get_object() for a in last["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    under = [
        w[4]
        for w in words_on_last_page(target)
        if w[0] < x2 and w[2] > x1 and w[1] < y2 and w[3] > y1
    ]
    assert " ".join(under).startswith("Digitally signed by Aled Hughes, ")
    assert " ".join(under).endswith(". Any change to this PDF breaks the signature.")
    assert len(under) == 18


def test_an_unknown_observation_is_not_found(services: Services, out: Path) -> None:
    with pytest.raises(NotFound):
        export_summary(services, uuid.uuid4(), out / "s.pdf", passphrase=PASSPHRASE)


def test_a_summary_into_a_missing_folder_is_refused(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        export_summary(services, signed_record, out / "no" / "s.pdf", passphrase=PASSPHRASE)

    assert list(out.iterdir()) == []


def test_status_is_what_decides_signing(
    services: Services, new_draft: NewDraft, staff: Staff, out: Path
) -> None:
    record = filled(services, new_draft, staff)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    assert services.recording.get(record).status is Status.READY

    exported = export_summary(services, record, out / "ready.pdf", passphrase=PASSPHRASE)

    assert not exported.signed
    assert not verify_pdf(out / "ready.pdf").signed


# --- who signed: certificates this data folder knows ----------------------------------

NOT_KNOWN = "Signed with a certificate this laptop does not know (fingerprint "


def test_a_forged_summary_with_the_users_name_and_the_real_hash_fails(
    services: Services, signed_record: uuid.UUID, out: Path, tmp_path: Path
) -> None:
    """Someone makes a key with the laptop user's name and organisation and signs a
    summary of a real record, with other text, claiming that record's real hash."""
    export_summary(services, signed_record, out / "real.pdf", passphrase=PASSPHRASE)
    real_hash = services.signoff.current_hash(signed_record)
    forger = tmp_path / "forger"
    fake = ensure_identity(forger, "forger's own secret", "Aled Hughes", "Northshire Council")
    forged = out / "forged.pdf"
    forged.write_bytes(
        sign_pdf(
            summary_like_pdf(signed_record, real_hash),
            load_signer(forger, "forger's own secret"),
            reason="r",
            location="Northshire Council",
            signer_name="Aled Hughes",
        )
    )

    result = verify_summary(services, forged)

    assert (result.signed, result.intact, result.signer) == (True, True, "Aled Hughes")
    assert (result.record_id, result.content_hash) == (signed_record, real_hash)
    assert (result.record_in_store, result.signer_known, result.hash_matches) == (
        True,
        False,
        None,
    )
    assert result.exit_code == 1
    assert result.signer_fingerprint == fake.fingerprint
    lines = result.summary_lines()
    assert lines[-1] == (
        f"{NOT_KNOWN}{fake.fingerprint}): it cannot confirm that this summary shows the "
        "record it names."
    )
    assert not any("hash matches" in line for line in lines)
    assert verify_summary(services, out / "real.pdf").exit_code == 0


def test_a_summary_exported_on_another_data_folder_is_not_known_here(
    services: Services, signed_record: uuid.UUID, out: Path, tmp_path: Path
) -> None:
    from observer.bundle import export_bundle, import_bundle
    from observer.services import open_services

    other = open_services(tmp_path / "other laptop", STORE_PASSPHRASE)
    try:
        import_bundle(other.db, export_bundle(services.db), "test", "bundle.json")
        other.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
        assert other.signoff.current_hash(signed_record) == (
            services.signoff.current_hash(signed_record)
        )
        exported = export_summary(other, signed_record, out / "there.pdf", passphrase=PASSPHRASE)
        there = verify_summary(other, out / "there.pdf")
    finally:
        other.close()
    assert (there.signer_known, there.hash_matches, there.exit_code) == (True, True, 0)
    export_summary(services, signed_record, out / "here.pdf", passphrase=PASSPHRASE)

    result = verify_summary(services, out / "there.pdf")

    assert exported.identity is not None
    assert (result.intact, result.signer_known, result.exit_code) == (True, False, 1)
    assert result.summary_lines()[-1].startswith(NOT_KNOWN + exported.identity.fingerprint)
    assert "does not know" in result.summary_lines()[-1]


def test_every_certificate_a_summary_was_exported_with_is_remembered(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    from observer.documents.summaries import KNOWN_CERTIFICATES_SETTING, known_certificates

    exported = export_summary(services, signed_record, out / "s.pdf", passphrase=PASSPHRASE)
    export_summary(services, signed_record, out / "again.pdf", passphrase=PASSPHRASE)

    assert exported.identity is not None
    fingerprint = exported.identity.fingerprint_sha256
    with services.db.session() as s:
        setting = s.get(Setting, KNOWN_CERTIFICATES_SETTING)
        assert setting is not None
        remembered = setting.value
    assert list(remembered) == [fingerprint]
    assert remembered[fingerprint]["name"] == "Aled Hughes"
    first_used = datetime.fromisoformat(remembered[fingerprint]["first_used"])
    assert abs(datetime.now(UTC) - first_used) < timedelta(minutes=5)
    # Without the certificate's fingerprint file (an identity replaced since) it is known.
    fingerprint_path(services.data_dir).unlink()
    identity_path(services.data_dir).unlink()
    assert known_certificates(services) == {fingerprint}
    result = verify_summary(services, out / "s.pdf")
    assert (result.signer_known, result.hash_matches, result.exit_code) == (True, True, 0)


def test_an_identity_without_its_fingerprint_file_gains_it_when_opened(tmp_path: Path) -> None:
    info = ensure_identity(tmp_path, PASSPHRASE, "Aled Hughes", "Northshire Council")
    fingerprint_path(tmp_path).unlink()
    assert own_certificate_fingerprints(tmp_path) == set()

    load_signer(tmp_path, PASSPHRASE)

    assert own_certificate_fingerprints(tmp_path) == {info.fingerprint_sha256}
    fingerprint_path(tmp_path).unlink()
    with pytest.raises(WrongPassphrase):
        load_signer(tmp_path, "not the passphrase")
    assert not fingerprint_path(tmp_path).exists()
    export_certificate(tmp_path, tmp_path / "out.pem", PASSPHRASE)
    exported = x509.load_pem_x509_certificate((tmp_path / "out.pem").read_bytes())
    assert fingerprint_path(tmp_path).read_text("ascii") == (
        exported.fingerprint(hashes.SHA256()).hex() + "\n"
    )


def test_an_imported_identity_replaces_the_fingerprint_and_keeps_the_old_one(
    tmp_path: Path,
) -> None:
    own = ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")
    fingerprint_path(tmp_path).unlink()  # made before the fingerprint was kept beside it
    issued = organisation_p12()

    info = import_identity(tmp_path, issued.p12, "org-issued secret", PASSPHRASE)

    assert fingerprint_path(tmp_path).read_text("ascii") == (
        issued.leaf.fingerprint(hashes.SHA256()).hex() + "\n"
    )
    assert own_certificate_fingerprints(tmp_path) == {
        own.fingerprint_sha256,
        info.fingerprint_sha256,
    }
    names = sorted(p.name for p in identity_path(tmp_path).parent.iterdir())
    assert (
        names[0]
        == "certificate-replaced-" + names[2].removeprefix("identity-replaced-")[:-4] + ".sha256"
    )
    assert (names[1], names[3]) == ("certificate.sha256", "identity.p12")


def pem_of(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def test_certificates_an_earlier_version_kept_in_plaintext_become_fingerprints(
    tmp_path: Path,
) -> None:
    """A data folder in use before: the certificates (naming their signers) were kept as
    PEM. The first look turns each into its fingerprint file and shreds the PEM."""
    own = ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")
    folder = identity_path(tmp_path).parent
    fingerprint_path(tmp_path).unlink()
    exported = tmp_path / "priya.pem"
    export_certificate(tmp_path, exported, PASSPHRASE)
    fingerprint_path(tmp_path).unlink()
    (folder / "certificate.pem").write_bytes(exported.read_bytes())
    earlier = organisation_p12().leaf
    replaced = folder / "certificate-replaced-20250102T030405Z.pem"
    replaced.write_bytes(pem_of(earlier))
    (folder / "certificate-replaced-20240101T000000Z.pem").write_bytes(b"not a certificate")
    same_bytes = tmp_path / "the same file, seen elsewhere"
    os.link(replaced, same_bytes)

    found = own_certificate_fingerprints(tmp_path)

    earlier_fingerprint = earlier.fingerprint(hashes.SHA256()).hex()
    assert found == {own.fingerprint_sha256, earlier_fingerprint}
    assert sorted(p.name for p in folder.iterdir()) == [
        "certificate-replaced-20250102T030405Z.sha256",
        "certificate.sha256",
        "identity.p12",
    ]
    assert (folder / "certificate-replaced-20250102T030405Z.sha256").read_text("ascii") == (
        earlier_fingerprint + "\n"
    )
    shredded = same_bytes.read_bytes()
    assert shredded == b"\0" * len(shredded) != b"", "overwritten before it was removed"
    assert own_certificate_fingerprints(tmp_path) == found
    assert load_signer(tmp_path, PASSPHRASE) is not None
    assert sorted(p.name for p in folder.iterdir())[-2:] == ["certificate.sha256", "identity.p12"]


def test_a_plaintext_certificate_that_cannot_be_converted_yet_still_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from observer.signing import identity as identity_module
    from observer.signing.files import NotWritten

    own = ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")
    export_certificate(tmp_path, tmp_path / "priya.pem", PASSPHRASE)
    fingerprint_path(tmp_path).unlink()
    plain = identity_path(tmp_path).parent / "certificate.pem"
    plain.write_bytes((tmp_path / "priya.pem").read_bytes())

    def refuse(path: Path, fingerprints: set[str]) -> None:
        raise NotWritten("The signing certificate's fingerprint could not be written.")

    with monkeypatch.context() as patched:
        patched.setattr(identity_module, "_write_fingerprints", refuse)
        assert own_certificate_fingerprints(tmp_path) == {own.fingerprint_sha256}
        assert plain.is_file()

    assert own_certificate_fingerprints(tmp_path) == {own.fingerprint_sha256}
    assert not plain.exists()
    assert fingerprint_path(tmp_path).is_file()


@pytest.mark.parametrize(
    "text",
    ["Ελένη Παπαδοπούλου", "Siobhán Walker"],
)
def test_no_file_of_the_signing_identity_names_the_signer(tmp_path: Path, text: str) -> None:
    """Made, replaced by an imported one, opened and verified with: neither the signer's
    name nor the organisation is anywhere in plaintext, as UTF-8 or as a PKCS#12
    BMPString (UTF-16-BE)."""
    ensure_identity(tmp_path, PASSPHRASE, text, "Northshire Council")
    issued = organisation_p12()
    (identity_path(tmp_path).parent / "certificate.pem").write_bytes(pem_of(issued.leaf))
    import_identity(tmp_path, issued.p12, "org-issued secret", PASSPHRASE)
    load_signer(tmp_path, PASSPHRASE)
    own_certificate_fingerprints(tmp_path)

    files = [p for p in identity_path(tmp_path).parent.rglob("*") if p.is_file()]
    assert len(files) == 4  # two identities, two fingerprint files
    for words in (text, "Priya Shah", "Northshire"):
        for encoded in (words.encode("utf-8"), words.encode("utf-16-be")):
            assert not any(encoded in f.read_bytes() for f in files), (words, encoded)


def test_an_identity_under_an_earlier_signing_passphrase_is_adopted_once(
    tmp_path: Path,
) -> None:
    """Made before the store had a passphrase, under one chosen for signing: the store's
    passphrase does not open it until it is adopted, after which the earlier one is gone."""
    earlier = "the passphrase I chose for signing"
    replaced = ensure_identity(tmp_path, earlier, "Priya Shah", "Northshire Council")
    import_identity(tmp_path, organisation_p12().p12, "org-issued secret", earlier)
    with pytest.raises(WrongPassphrase):
        load_signer(tmp_path, PASSPHRASE)

    with pytest.raises(WrongPassphrase):
        adopt_identity(tmp_path, "not that one either", PASSPHRASE)
    assert load_signer(tmp_path, earlier) is not None

    assert adopt_identity(tmp_path, earlier, PASSPHRASE) == 2  # the current and the replaced

    assert load_signer(tmp_path, PASSPHRASE) is not None
    with pytest.raises(WrongPassphrase):
        load_signer(tmp_path, earlier)
    (old,) = identity_path(tmp_path).parent.glob("identity-replaced-*.p12")
    assert pkcs12.load_pkcs12(old.read_bytes(), PASSPHRASE.encode()).cert is not None
    assert replaced.fingerprint_sha256 in own_certificate_fingerprints(tmp_path)
    assert adopt_identity(tmp_path, earlier, PASSPHRASE) == 0  # nothing left to adopt


# --- writing and reading files --------------------------------------------------------


def test_an_unwritable_folder_is_one_sentence_naming_the_folder(
    services: Services, signed_record: uuid.UUID, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkstemp refuses as it would in a read-only folder (tests may run as root, whom
    file permissions do not stop)."""
    import tempfile

    from observer.errors import ObserverError

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(out / ".Siobhán Walker.partial"))

    prepare = export_summary(services, signed_record, out / "first.pdf", passphrase=PASSPHRASE)
    assert prepare.signed
    monkeypatch.setattr(tempfile, "mkstemp", refuse)

    with pytest.raises(ObserverError) as refused:
        export_summary(services, signed_record, out / "Siobhán Walker.pdf", passphrase=PASSPHRASE)

    assert str(refused.value) == f"The summary could not be written to {out}: Permission denied."
    assert [p.name for p in out.iterdir()] == ["first.pdf"]


def test_a_read_only_folder_is_refused_without_a_partial_file(
    services: Services, new_draft: NewDraft, out: Path
) -> None:
    from observer.errors import ObserverError

    draft = new_draft()
    out.chmod(0o500)
    try:
        probe = out / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("file permissions do not stop this user (root)")
        with pytest.raises(ObserverError) as refused:
            export_summary(services, draft, out / "Siobhán Walker.pdf", passphrase=None)
    finally:
        out.chmod(0o700)

    assert str(refused.value) == f"The summary could not be written to {out}: Permission denied."
    assert list(out.iterdir()) == []


def test_a_failure_while_writing_leaves_no_partial_file(
    services: Services, new_draft: NewDraft, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from observer.errors import ObserverError

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)

    with pytest.raises(ObserverError) as refused:
        export_summary(services, new_draft(), out / "draft.pdf", passphrase=None)

    assert str(refused.value) == (
        f"The summary could not be written to {out}: No space left on device."
    )
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("where", ["under a file", "a folder"])
def test_a_target_that_cannot_be_a_file_is_one_sentence(
    services: Services, new_draft: NewDraft, out: Path, where: str
) -> None:
    note = out / "note.txt"
    note.write_text("not a folder", encoding="utf-8")
    (out / "taken").mkdir()
    target = note / "s.pdf" if where == "under a file" else out / "taken"

    with pytest.raises(InvalidInput) as refused:
        export_summary(services, new_draft(), target, passphrase=None)

    message = str(refused.value)
    assert message == (
        f"{note} is not a folder, so the summary cannot be written there."
        if where == "under a file"
        else f"{target} is a folder; give a file name."
    )
    assert sorted(p.name for p in out.iterdir()) == ["note.txt", "taken"]
    assert list((out / "taken").iterdir()) == []


def test_a_file_over_50_mb_is_not_checked(tmp_path: Path) -> None:
    from observer.signing.verify import MAX_PDF_BYTES

    assert MAX_PDF_BYTES == 50_000_000
    large = tmp_path / "large.pdf"
    with large.open("wb") as file:
        file.write(b"%PDF-1.7\n")
        file.truncate(MAX_PDF_BYTES + 1)

    with pytest.raises(NotAPdf) as refused:
        verify_pdf(large)

    assert str(refused.value) == (
        "large.pdf is larger than 50 MB, far larger than any summary PDF, so it is not checked."
    )
    with pytest.raises(NotAPdf, match=r"^The data is larger than 50 MB"):
        verify_pdf(b"%PDF-1.7\n" + bytes(MAX_PDF_BYTES))


# --- checking the passphrase once, before a batch -------------------------------------


def test_prepare_signing_makes_the_identity_once_and_then_checks_the_passphrase(
    services: Services,
) -> None:
    from observer.documents.summaries import has_signing_identity, prepare_signing

    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
    assert not has_signing_identity(services)
    with pytest.raises(PassphraseNeeded):
        prepare_signing(services, "short")
    with pytest.raises(PassphraseNeeded):
        prepare_signing(services, "")
    assert not has_signing_identity(services)

    made = prepare_signing(services, PASSPHRASE)

    assert made.created
    assert made.name == "Aled Hughes"
    assert has_signing_identity(services)
    assert fingerprint_path(services.data_dir).is_file()
    again = prepare_signing(services, PASSPHRASE)
    assert (again.created, again.fingerprint_sha256) == (False, made.fingerprint_sha256)
    with pytest.raises(WrongPassphrase):
        prepare_signing(services, "not the passphrase at all")


def test_prepare_signing_without_a_user_says_there_is_no_one_to_sign_as(
    services: Services,
) -> None:
    from observer.documents.summaries import NobodyToSignAs, prepare_signing

    with pytest.raises(NobodyToSignAs):
        prepare_signing(services, PASSPHRASE)


# --- the identity held open for the session -------------------------------------------


def test_a_batch_of_exports_opens_the_signing_identity_once(
    services: Services, signed_record: uuid.UUID, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = []
    load = pkcs12.load_pkcs12
    monkeypatch.setattr(pkcs12, "load_pkcs12", lambda *a: opened.append(1) or load(*a))
    export_summary(services, signed_record, out / "first.pdf")
    first = len(opened)

    for n in range(3):
        export_summary(services, signed_record, out / f"again-{n}.pdf")

    assert first == 2  # made, then opened
    assert len(opened) == first
    for n in range(3):
        assert verify_summary(services, out / f"again-{n}.pdf").exit_code == 0


def test_an_identity_protected_anew_no_longer_opens_with_the_old_passphrase(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    from observer.signing.identity import change_identity_passphrase

    export_summary(services, signed_record, out / "first.pdf")
    assert change_identity_passphrase(services.data_dir, PASSPHRASE, "a brand new secret") == 1

    with pytest.raises(WrongPassphrase):
        export_summary(services, signed_record, out / "old.pdf")
    exported = export_summary(
        services, signed_record, out / "new.pdf", passphrase="a brand new secret"
    )

    assert exported.signed
    assert sorted(p.name for p in out.iterdir()) == ["first.pdf", "new.pdf"]


def test_an_identity_imported_mid_session_signs_the_next_export(
    services: Services, signed_record: uuid.UUID, out: Path
) -> None:
    own = export_summary(services, signed_record, out / "own.pdf")
    issued = organisation_p12()
    import_identity(services.data_dir, issued.p12, "org-issued secret", PASSPHRASE)

    theirs = export_summary(services, signed_record, out / "theirs.pdf")

    assert own.identity is not None
    assert theirs.identity is not None
    leaf = hashlib.sha256(issued.leaf.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert own.identity.fingerprint_sha256 != leaf
    assert theirs.identity.fingerprint_sha256 == leaf
    checked = verify_summary(services, out / "theirs.pdf")  # an RSA key with its CA's chain
    assert (checked.intact, checked.hash_matches, checked.exit_code) == (True, True, 0)
