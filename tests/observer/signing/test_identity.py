"""The signing identity: made once, kept private, its certificate exported, nothing about
it kept in plain files, and an identity under an earlier passphrase adopted."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from observer.signing import (
    InvalidIdentity,
    NoIdentity,
    PassphraseNeeded,
    WrongPassphrase,
    ensure_identity,
    export_certificate,
    identity_path,
    import_identity,
    load_signer,
)
from observer.signing.identity import (
    adopt_identity,
    forget_plain_certificates,
    own_certificates,
)
from observer.signing.known import fingerprint_of
from tests.support.signing import PASSPHRASE, organisation_p12, pem_of


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
    assert sorted(p.name for p in path.parent.iterdir()) == ["identity.p12"]
    assert own_certificates(tmp_path, PASSPHRASE) == [(first.certificate_der, True)]
    assert fingerprint_of(first.certificate_der) == first.fingerprint_sha256
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


def own_fingerprints(folder: Path) -> set[str]:
    return {fingerprint_of(der) for der, _ in own_certificates(folder, PASSPHRASE)}


def test_own_certificates_are_those_of_identities_the_passphrase_opens(tmp_path: Path) -> None:
    """The current identity and each it replaced, when under the store's passphrase; not
    one under another passphrase, nor a PKCS#12 anyone could make without it."""
    from cryptography.hazmat.primitives.serialization import NoEncryption

    replaced = ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")
    current = import_identity(tmp_path, organisation_p12().p12, "org-issued secret", PASSPHRASE)
    folder = identity_path(tmp_path).parent
    other = tmp_path / "other"
    ensure_identity(other, "another passphrase", "Priya Shah", "Northshire Council")
    identity_path(other).rename(folder / "identity-replaced-20240101T000000Z.p12")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Priya Shah")])
    planted = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(current.not_valid_before)
        .not_valid_after(current.not_valid_after)
        .sign(key, hashes.SHA256())
    )
    (folder / "identity-replaced-20230101T000000Z.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(None, key, planted, None, NoEncryption())
    )

    found = own_certificates(tmp_path, PASSPHRASE)

    assert sorted(found) == sorted(
        [(current.certificate_der, True), (replaced.certificate_der, False)]
    )


def test_plain_certificate_files_of_an_earlier_version_are_shredded(tmp_path: Path) -> None:
    """Earlier versions kept fingerprints, and before them PEM certificates naming their
    signers, beside the identity. They vouch for nothing now, and go."""
    ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")
    folder = identity_path(tmp_path).parent
    (folder / "certificate.sha256").write_text("ab" * 32 + "\n")
    (folder / "certificate-replaced-20250102T030405Z.sha256").write_text("cd" * 32 + "\n")
    replaced = folder / "certificate-replaced-20250102T030405Z.pem"
    replaced.write_bytes(pem_of(organisation_p12().leaf))
    (folder / "certificate.pem").write_bytes(b"not a certificate")
    # Not a name an earlier version wrote, but one that says what it claims to be.
    (folder / "certificate-forger.pem").write_bytes(pem_of(organisation_p12().leaf))
    same_bytes = tmp_path / "the same file, seen elsewhere"
    os.link(replaced, same_bytes)

    assert forget_plain_certificates(tmp_path) == 5

    assert sorted(p.name for p in folder.iterdir()) == ["identity.p12"]
    shredded = same_bytes.read_bytes()
    assert shredded == b"\0" * len(shredded) != b"", "overwritten before it was removed"
    assert forget_plain_certificates(tmp_path) == 0


def test_a_plain_file_that_cannot_be_removed_now_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from observer.signing import identity as identity_module

    ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")
    plain = identity_path(tmp_path).parent / "certificate.sha256"
    plain.write_text("ab" * 32 + "\n")

    def refuse(path: Path) -> None:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patched:
        patched.setattr(identity_module, "shred", refuse)
        assert forget_plain_certificates(tmp_path) == 0
        assert plain.is_file()

    assert forget_plain_certificates(tmp_path) == 1
    assert not plain.exists()


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
    forget_plain_certificates(tmp_path)

    files = [p for p in identity_path(tmp_path).parent.rglob("*") if p.is_file()]
    assert len(files) == 2  # two identities
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
    assert replaced.fingerprint_sha256 in own_fingerprints(tmp_path)
    assert adopt_identity(tmp_path, earlier, PASSPHRASE) == 0  # nothing left to adopt
