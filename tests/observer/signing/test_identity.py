"""The signing identity: made once, kept private, its certificate exported, its
fingerprint kept beside it, and an identity under an earlier passphrase adopted."""

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
    fingerprint_path,
    own_certificate_fingerprints,
)
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
