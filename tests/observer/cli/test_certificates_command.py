"""`observer certificates`: list what this laptop knows, and trust another laptop's
certificate explicitly, audited, with its fingerprint shown."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from observer.services import Services
from observer.signing import (
    IdentityInfo,
    ensure_identity,
    export_certificate,
    load_signer,
    sign_pdf,
)
from observer.signing.known import ANOTHER_LAPTOP, TRUST_ACTION
from observer.vocabulary import Role, SignatureRole
from tests.support.core import NewDraft, RunCli, Staff
from tests.support.signing import audit, filled, summary_like_pdf

OTHER_SECRET = "the other laptop's passphrase"


@pytest.fixture
def signed_record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire Council")
    record = filled(services, new_draft, staff)
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    return record


def other_laptop(tmp_path: Path) -> tuple[Path, IdentityInfo]:
    folder = tmp_path / "other laptop"
    return folder, ensure_identity(folder, OTHER_SECRET, "Priya Shah", "Northshire Council")


def test_another_laptops_certificate_is_trusted_explicitly_and_then_its_summaries_verify(
    services: Services,
    signed_record: uuid.UUID,
    data_dir: Path,
    tmp_path: Path,
    run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, other = other_laptop(tmp_path)
    certificate = tmp_path / "priya.pem"
    export_certificate(folder, certificate, OTHER_SECRET)
    summary = tmp_path / "summary.pdf"
    summary.write_bytes(
        sign_pdf(
            summary_like_pdf(signed_record, services.signoff.current_hash(signed_record)),
            load_signer(folder, OTHER_SECRET),
            reason="r",
            location="Northshire Council",
            signer_name="Priya Shah",
        )
    )
    base = ["--data-dir", str(data_dir)]
    assert run_cli([*base, "verify", str(summary)]) == 1
    capsys.readouterr()
    # This laptop's own certificate (made by the sign-off) is already known.
    trusted_before = audit(services, TRUST_ACTION)
    known_before = len(services.known_certificates.known())

    assert run_cli([*base, "certificates", "trust", str(certificate)]) == 0

    assert capsys.readouterr().out == (
        f"Trusted the certificate of Priya Shah, SHA-256 fingerprint {other.fingerprint}: what "
        "it signs about this store's records now verifies here. The audit trail records it.\n"
    )
    assert audit(services, TRUST_ACTION) == [*trusted_before, (None, other.fingerprint_sha256)]
    assert run_cli([*base, "verify", str(summary)]) == 0
    assert "Known to this laptop: yes" in capsys.readouterr().out
    assert run_cli([*base, "certificates", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    (trusted,) = [
        c for c in services.known_certificates.known() if c.fingerprint == other.fingerprint
    ]
    assert f"{other.fingerprint}  Priya Shah: {ANOTHER_LAPTOP}, since {trusted.since:%d %B %Y}" in (
        listed
    )
    assert len(listed) == known_before + 1
    assert run_cli([*base, "certificates", "list", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) == known_before + 1
    (entry,) = [e for e in entries if e["fingerprint_sha256"] == other.fingerprint_sha256]
    assert entry["has_certificate"] is True
    assert run_cli([*base, "certificates", "trust", str(certificate)]) == 0
    assert capsys.readouterr().out.startswith("Already known: the certificate of Priya Shah")
    assert len(audit(services, TRUST_ACTION)) == len(trusted_before) + 1


def test_a_certificate_whose_fingerprint_is_not_the_one_given_is_not_trusted(
    services: Services,
    data_dir: Path,
    tmp_path: Path,
    run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, other = other_laptop(tmp_path)
    certificate = tmp_path / "priya.pem"
    export_certificate(folder, certificate, OTHER_SECRET)
    base = ["--data-dir", str(data_dir), "certificates", "trust", str(certificate)]

    assert run_cli([*base, "--fingerprint", "AB:" * 31 + "AB"]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"has the SHA-256 fingerprint {other.fingerprint}, not the one given" in err
    assert services.known_certificates.fingerprints() == set()
    assert run_cli([*base, "--fingerprint", other.fingerprint]) == 0
    assert services.known_certificates.fingerprints() == {other.fingerprint_sha256}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not a certificate at all", "is not a certificate"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "no readable"),
        (None, "cannot be read"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_trusts_nothing(
    services: Services,
    data_dir: Path,
    tmp_path: Path,
    run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    words: str,
) -> None:
    source = tmp_path / "certificate.pem"
    if content is not None:
        source.write_bytes(content)

    assert run_cli(["--data-dir", str(data_dir), "certificates", "trust", str(source)]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("observer: ")
    assert captured.err.count("\n") == 1
    assert words in captured.err
    assert services.known_certificates.fingerprints() == set()
    assert audit(services, TRUST_ACTION) == []


def test_an_empty_list_says_so(
    data_dir: Path, services: Services, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["--data-dir", str(data_dir), "certificates", "list"]) == 0

    assert "knows no signing certificates yet" in capsys.readouterr().out
