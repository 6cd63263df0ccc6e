"""Sign-off, summary PDFs and verification from the command line, in-process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services, open_services
from observer.vocabulary import Kind, Role
from tests.support.cli import run_cli
from tests.support.commands import one_line_error
from tests.support.core import CONSENT, NewDraft, Staff, trusting
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.signing import filled

PASSPHRASE = "correct horse battery"
LEAD = "Ελένη Παπαδοπούλου"
DIRECT_WORK_CODES = ["1", "2", "3", "4", "5", "6", "7"]  # the framework of a home visit
SECRETS = ("OBSERVER_DATA_DIR", "OBSERVER_PASSPHRASE", "OBSERVER_P12_PASSPHRASE")


def observer(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`observer --data-dir DIR ARGS` with only the passphrases given here in its env; the
    store's passphrase unless told otherwise."""
    base = {k: v for k, v in os.environ.items() if k not in SECRETS}
    argv = ["--data-dir", str(data_dir), *args]
    return run_cli(argv, {**base, "OBSERVER_PASSPHRASE": PASSPHRASE, **env}).completed(argv)


def succeeded(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert done.stderr == ""
    return done.stdout.splitlines()


@dataclass(frozen=True)
class Store:
    data_dir: Path
    ready: str
    draft: str
    worker: str
    observer_name: str


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A demo store whose laptop user is a practice lead, who has just recorded a home
    visit that is ready for sign-off, and has a draft of another."""
    data_dir = tmp_path_factory.mktemp("signoff") / "data"
    succeeded(observer(data_dir, "demo", "--workers", "5", "--observations", "30", "--seed", "7"))
    services = open_services(data_dir, STORE_PASSPHRASE)
    try:
        lead = services.profiles.set_up(LEAD, Role.PRACTICE_LEAD, "Northshire Council")
        worker = services.people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER))
        visit = DraftDetails(worker, lead.person_id, Kind.HOME_VISIT, datetime.now(UTC))
        ready = services.recording.create_draft(visit)
        services.recording.update(
            ready,
            {"overall_level": "good", "overall_rationale": "Warm & clear: <no> gaps.", **CONSENT},
        )
        for code in DIRECT_WORK_CODES:
            services.recording.set_rating(ready, code, level_code="good", evidence=f"Part {code}.")
        draft = services.recording.create_draft(visit)
    finally:
        services.close()
    return Store(data_dir, str(ready), str(draft), "Siobhán Walker", LEAD)


@pytest.fixture(scope="module")
def signed_pdf(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ready record signed by both in the room, then exported as a signed summary."""
    first = succeeded(
        observer(
            store.data_dir, "sign", store.ready, "--role", "observer", "--name", store.observer_name
        )
    )
    assert first[0].startswith(f"Signed as observer by {store.observer_name} at ")
    assert "locked" not in first[0]
    # The sign-off carries this laptop's digital signature: the identity is made for it.
    assert first[1].startswith(f"Made a signing identity for {LEAD}; its certificate's SHA-256")
    second = succeeded(
        observer(
            store.data_dir,
            "sign",
            store.ready,
            "--role",
            "practitioner",
            "--name",
            store.worker,
            "--comment",
            "A fair account <of> the visit & what we agreed.",
        )
    )
    assert second[0].endswith("; the record is now locked.")
    out = tmp_path_factory.mktemp("pdf") / "summary.pdf"
    lines = succeeded(
        observer(store.data_dir, "pdf", store.ready, "-o", str(out), OBSERVER_PASSPHRASE=PASSPHRASE)
    )
    assert lines == [f"Wrote a signed summary to {out}, signed by {LEAD}."]
    return out


def test_a_signed_summary_verifies_with_its_signer_and_record(
    store: Store, signed_pdf: Path
) -> None:
    lines = succeeded(observer(store.data_dir, "verify", str(signed_pdf)))

    assert lines[0] == "File: summary.pdf"
    assert lines[1] == f"Signer: {LEAD}, Northshire Council"
    assert lines[2].startswith("Signing time: ")
    assert "Intact: yes; nothing in the document has changed since it was signed." in lines
    assert any(line.startswith("Certificate: self-signed") for line in lines)
    assert lines[-1] == (
        f"Record {store.ready}: this summary was signed on this laptop's records and its "
        "content hash matches."
    )
    kept = store.data_dir / "signing"
    assert sorted(p.name for p in kept.iterdir()) == ["identity.p12"]
    for file in kept.iterdir():
        data = file.read_bytes()
        assert LEAD.encode("utf-8") not in data
        assert LEAD.encode("utf-16-be") not in data


def test_verify_json_gives_the_same_facts_for_scripts(store: Store, signed_pdf: Path) -> None:
    facts = json.loads(
        "\n".join(succeeded(observer(store.data_dir, "verify", str(signed_pdf), "--json")))
    )

    assert facts["signer"] == LEAD
    assert (facts["signed"], facts["intact"], facts["hash_matches"]) == (True, True, True)
    assert (facts["signer_known"], facts["record_in_store"], facts["exit_code"]) == (True, True, 0)
    assert len(facts["signer_fingerprint"].split(":")) == 32
    assert facts["record_id"] == store.ready
    assert (facts["trusted"], facts["self_signed"]) == (False, True)
    signed_at = datetime.fromisoformat(facts["signing_time"])
    assert abs(datetime.now(UTC) - signed_at) < timedelta(minutes=10)


def test_one_changed_byte_fails_verification(
    store: Store, signed_pdf: Path, tmp_path: Path
) -> None:
    data = bytearray(signed_pdf.read_bytes())
    data[len(data) // 3] ^= 0x04
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))

    done = observer(store.data_dir, "verify", str(tampered))

    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert any(line.startswith("Intact: no; ") for line in lines)
    assert not any("hash matches" in line for line in lines)


def test_a_signed_record_cannot_be_signed_again(store: Store, signed_pdf: Path) -> None:
    done = observer(store.data_dir, "sign", store.ready, "--role", "practitioner", "--name", "X")

    assert "already signed" in one_line_error(done)


def test_without_the_passphrase_the_store_stays_shut_and_nothing_is_written(
    store: Store, signed_pdf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "summary.pdf"

    line = one_line_error(
        observer(store.data_dir, "pdf", store.ready, "-o", str(out), OBSERVER_PASSPHRASE="")
    )

    assert line == "observer: The store is encrypted: set OBSERVER_PASSPHRASE to its passphrase."
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_passphrase_is_one_line(store: Store, signed_pdf: Path, tmp_path: Path) -> None:
    done = observer(
        store.data_dir,
        "pdf",
        store.ready,
        "-o",
        str(tmp_path / "s.pdf"),
        OBSERVER_PASSPHRASE="not it at all",
    )

    assert one_line_error(done) == "observer: That passphrase does not open the store."
    # Nothing but the wrong passphrase's count in the (test's) user state folder.
    assert [p.name for p in tmp_path.iterdir()] == ["xdg-state"]


def test_a_draft_exports_unsigned_and_verify_says_so(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "draft.pdf"
    lines = succeeded(observer(store.data_dir, "pdf", store.draft, "-o", str(out)))
    assert "DRAFT" in lines[0]

    done = observer(store.data_dir, "verify", str(out))

    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[1].startswith("Signed: no; this PDF carries no digital signature")
    assert lines[-1] == (
        f"Record: this PDF names record {store.draft}, but as it is not signed nothing shows "
        "that it holds that record's content."
    )


def test_a_summary_signed_elsewhere_of_a_record_here_fails(
    store: Store, signed_pdf: Path, tmp_path: Path
) -> None:
    """Another data folder holding the same record (copied by a bundle) signs its own
    summary of it: this laptop does not know that certificate, so it vouches for nothing;
    a data folder without the record says to compare fingerprints and passes."""
    bundle = tmp_path / "bundle.json"
    succeeded(observer(store.data_dir, "export-json", "-o", str(bundle), "--worker", store.worker))
    elsewhere = tmp_path / "elsewhere"
    services, here = (
        open_services(elsewhere, STORE_PASSPHRASE),
        open_services(store.data_dir, STORE_PASSPHRASE),
    )
    try:
        trusting(services, here)  # its user trusts this laptop's certificate for sign-offs
        services.profiles.set_up("Someone Else", Role.PRACTICE_LEAD, "Northshire Council")
    finally:
        here.close()
        services.close()
    succeeded(observer(elsewhere, "import", str(bundle)))
    theirs = tmp_path / "theirs.pdf"
    succeeded(
        observer(elsewhere, "pdf", store.ready, "-o", str(theirs), OBSERVER_PASSPHRASE=PASSPHRASE)
    )

    done = observer(store.data_dir, "verify", str(theirs))

    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert "Intact: yes; nothing in the document has changed since it was signed." in lines
    assert lines[-1].startswith("Signed with a certificate this laptop does not know (")
    assert lines[-1].endswith("): it cannot confirm that this summary shows the record it names.")
    assert succeeded(observer(elsewhere, "verify", str(theirs)))[-1].endswith("hash matches.")
    open_services(tmp_path / "empty", STORE_PASSPHRASE).close()  # a store without the record
    nowhere = succeeded(observer(tmp_path / "empty", "verify", str(signed_pdf)))
    assert nowhere[-1].startswith(f"Record {store.ready}: not in this store, so its content")


def test_a_text_file_is_not_a_pdf(store: Store, tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_text("Notes from the visit, not a PDF.\n", encoding="utf-8")

    assert one_line_error(observer(store.data_dir, "verify", str(notes))) == (
        "observer: notes.pdf is not a PDF file."
    )
    assert "cannot be read" in one_line_error(
        observer(store.data_dir, "verify", str(tmp_path / "missing.pdf"))
    )


@pytest.mark.parametrize(
    ("observation", "message"),
    [
        ("nonsense", "observer: 'nonsense' is not an observation id."),
        (str(uuid.UUID(int=7)), "observer: That observation is not in this store."),
    ],
)
def test_a_bad_observation_id_is_one_line(store: Store, observation: str, message: str) -> None:
    done = observer(store.data_dir, "sign", observation, "--role", "observer", "--name", "Jo")

    assert one_line_error(done) == message


def test_the_certificate_is_exported_and_an_organisation_identity_imported(
    tmp_path: Path, store_dir: Path
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Priya Shah")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    p12 = tmp_path / "priya.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"Priya", key, cert, None, serialization.BestAvailableEncryption(b"from IT")
        )
    )
    data_dir = store_dir

    refused = one_line_error(
        observer(
            data_dir,
            "identity",
            "import",
            str(p12),
            OBSERVER_P12_PASSPHRASE="wrong",
            OBSERVER_PASSPHRASE=PASSPHRASE,
        )
    )
    assert refused == "observer: The passphrase given for that PKCS#12 file does not open it."
    imported = succeeded(
        observer(
            data_dir,
            "identity",
            "import",
            str(p12),
            OBSERVER_P12_PASSPHRASE="from IT",
            OBSERVER_PASSPHRASE=PASSPHRASE,
        )
    )
    assert imported[0].startswith("Imported the signing identity of Priya Shah (self-signed, ")
    pem = tmp_path / "priya.pem"
    exported = succeeded(
        observer(
            data_dir, "identity", "export-cert", "-o", str(pem), OBSERVER_PASSPHRASE=PASSPHRASE
        )
    )

    assert exported[0].startswith(f"Wrote the certificate of Priya Shah to {pem}")
    assert x509.load_pem_x509_certificate(pem.read_bytes()) == cert
    assert sorted(p.name for p in (data_dir / "signing").iterdir()) == ["identity.p12"]
    services = open_services(data_dir, PASSPHRASE)
    try:
        assert services.known_certificates.is_known(cert.fingerprint(hashes.SHA256()).hex())
    finally:
        services.close()
    assert "set OBSERVER_PASSPHRASE" in one_line_error(
        observer(data_dir, "identity", "export-cert", "-o", str(pem), OBSERVER_PASSPHRASE="")
    )


def test_an_identity_under_an_earlier_signing_passphrase_is_adopted_once(
    tmp_path: Path, store_dir: Path
) -> None:
    """A signing identity made before the store had a passphrase, under one chosen for
    signing: signing says in one sentence what to do; after `identity adopt` the store's
    passphrase is all it takes."""
    from observer.cli.common import ADOPT_HINT
    from observer.signing import ensure_identity
    from observer.vocabulary import SignatureRole

    earlier = "the passphrase I chose for signing"
    data_dir = store_dir
    services = open_services(data_dir, STORE_PASSPHRASE)
    try:
        lead = services.profiles.set_up(LEAD, Role.PRACTICE_LEAD, "Northshire Council")
        worker = services.people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER))
        record = services.recording.create_draft(
            DraftDetails(worker, lead.person_id, Kind.HOME_VISIT, datetime.now(UTC))
        )
        for rating in services.recording.get(record).ratings:
            services.recording.set_rating(
                record, rating.standard_code, level_code="good", evidence="Seen and heard."
            )
        services.recording.update(
            record, {"overall_level": "good", "overall_rationale": "Warm.", **CONSENT}
        )
        services.signoff.sign(record, SignatureRole.OBSERVER, LEAD)
        services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    finally:
        services.close()
    # Made before sign-offs carried a digital signature, so there was no identity yet.
    shutil.rmtree(data_dir / "signing")
    ensure_identity(data_dir, earlier, LEAD, "Northshire Council")
    out = tmp_path / "summary.pdf"

    assert one_line_error(observer(data_dir, "pdf", str(record), "-o", str(out))) == (
        f"observer: {ADOPT_HINT}"
    )
    assert not out.exists()
    adopting = one_line_error(observer(data_dir, "identity", "adopt"))
    assert "OBSERVER_P12_PASSPHRASE to the passphrase the signing identity is under" in adopting
    assert one_line_error(
        observer(data_dir, "identity", "adopt", OBSERVER_P12_PASSPHRASE="not that one")
    ) == ("observer: The passphrase in OBSERVER_P12_PASSPHRASE does not open the signing identity.")

    adopted = succeeded(observer(data_dir, "identity", "adopt", OBSERVER_P12_PASSPHRASE=earlier))

    assert adopted == [
        f"The signing identity of {LEAD} is now protected by the store's passphrase; "
        "OBSERVER_P12_PASSPHRASE is no longer needed."
    ]
    assert succeeded(observer(data_dir, "pdf", str(record), "-o", str(out))) == [
        f"Wrote a signed summary to {out}, signed by {LEAD}."
    ]
    assert succeeded(observer(data_dir, "identity", "adopt", OBSERVER_P12_PASSPHRASE=earlier)) == [
        f"The signing identity of {LEAD} was already protected by the store's passphrase."
    ]


def test_a_name_that_is_not_the_records_signer_is_refused_with_exit_2(
    services: Services, data_dir: Path, new_draft: NewDraft, staff: Staff
) -> None:
    record = str(filled(services, new_draft, staff))

    done = observer(data_dir, "sign", record, "--role", "observer", "--name", "Wrong Person")

    assert done.returncode == 2
    assert done.stdout == ""
    assert one_line_error(done) == (
        "observer: Only Aled Hughes, the record's observer, can sign as the observer; "
        "nothing was signed."
    )
    assert services.signoff.signatures(uuid.UUID(record)) == []

    signed = succeeded(
        observer(data_dir, "sign", record, "--role", "observer", "--name", "aled hughes")
    )
    assert signed[0].startswith("Signed as observer by aled hughes at ")
    refused = observer(data_dir, "sign", record, "--role", "practitioner", "--name", "Aled Hughes")
    assert refused.returncode == 2
    assert "Only Siobhán Walker, the person observed, can sign" in one_line_error(refused)
    assert len(services.signoff.signatures(uuid.UUID(record))) == 1


def test_a_signed_summary_with_no_one_set_up_says_how_to_set_up(
    tmp_path: Path, store_dir: Path
) -> None:
    data_dir = store_dir
    succeeded(observer(data_dir, "demo", "--workers", "2", "--observations", "3", "--seed", "3"))
    signed = json.loads("\n".join(succeeded(observer(data_dir, "list", "--json"))))[0]
    assert signed["status"] == "signed"

    refused = one_line_error(
        observer(data_dir, "pdf", signed["id"], "-o", str(tmp_path / "summary.pdf"))
    )

    assert refused == (
        "observer: No one is set up as this laptop's user, so there is no one to sign as: open "
        "the app once, or run `observer setup --name NAME --role ROLE --organisation NAME`, or "
        "import a signing identity with `observer identity import FILE.p12`."
    )
    assert not (tmp_path / "summary.pdf").exists()
    succeeded(
        observer(
            data_dir,
            "setup",
            "--name",
            "Ceri Lewis",
            "--role",
            "practice_lead",
            "--organisation",
            "Northshire Council",
        )
    )
    succeeded(observer(data_dir, "pdf", signed["id"], "-o", str(tmp_path / "summary.pdf")))
