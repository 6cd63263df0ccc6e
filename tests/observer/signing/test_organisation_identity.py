"""An identity an organisation's PKI issued: imported under the user's passphrase, or
refused without changing the one in use."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes

from observer.signing import (
    InvalidIdentity,
    WrongPassphrase,
    ensure_identity,
    identity_path,
    import_identity,
    load_signer,
    sign_pdf,
    verify_pdf,
)
from observer.signing.identity import own_certificates
from tests.support.signing import PASSPHRASE, organisation_p12, summary_like_pdf


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
    assert sorted(p.name for p in identity_path(tmp_path).parent.iterdir()) == ["identity.p12"]
    assert own_certificates(tmp_path, PASSPHRASE) == [(own.certificate_der, True)]
    assert ensure_identity(tmp_path, PASSPHRASE, "x", "y").fingerprint_sha256 == (
        own.fingerprint_sha256
    )


def test_an_imported_identity_replaces_the_current_one_and_keeps_the_old_one(
    tmp_path: Path,
) -> None:
    own = ensure_identity(tmp_path, PASSPHRASE, "Priya Shah", "Northshire Council")
    issued = organisation_p12()

    info = import_identity(tmp_path, issued.p12, "org-issued secret", PASSPHRASE)

    assert info.fingerprint_sha256 == issued.leaf.fingerprint(hashes.SHA256()).hex()
    assert sorted(own_certificates(tmp_path, PASSPHRASE)) == sorted(
        [(info.certificate_der, True), (own.certificate_der, False)]
    )
    names = sorted(p.name for p in identity_path(tmp_path).parent.iterdir())
    assert names[0].startswith("identity-replaced-")
    assert names[1:] == ["identity.p12"]
