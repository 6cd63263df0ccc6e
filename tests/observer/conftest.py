"""Core-test fixtures: the command line run in-process, a signed PDF, a timestamp server
and a bundle of every sort of record (staff and drafts are in tests/conftest.py)."""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from observer.bundle import export_bundle
from observer.cli.main import main as cli_main
from observer.demo.generator import generate
from observer.documents.pdf.sample import signature_png
from observer.services import open_services
from observer.signing import (
    ensure_identity,
    load_signer,
    sign_pdf,
)
from observer.vocabulary import Role, SignatureRole
from tests.support.core import RunCli
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.signing import PASSPHRASE, Signed, byte_range, summary_like_pdf


@pytest.fixture
def run_cli() -> Iterator[RunCli]:
    """Runs `observer ...` in this process; closes the log files it opens afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield lambda argv: cli_main(list(argv))
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture(scope="session")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    """One signature made once per test process (tests only read it): a self-signed identity
    signs a summary."""
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


@pytest.fixture(scope="session")
def bundle_base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A bundle with drafts, a record signed by the observer only, signed records, a
    manager's countersignature, an addendum, and drawn signatures."""
    source = open_services(tmp_path_factory.mktemp("bad-input-source"), STORE_PASSPHRASE)
    try:
        # A laptop with a user, so its sign-offs carry its digital signature.
        source.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire County Council")
        generate(source, workers=3, observations=8, seed=6)
        signed = [row.id for row in source.recording.list() if row.status.value == "signed"]
        manager = next(p.name for p in source.people.list_people() if p.role is Role.TEAM_MANAGER)
        source.signoff.sign(signed[0], SignatureRole.MANAGER, manager, drawing_png=signature_png(1))
        source.signoff.add_addendum(
            signed[1], "The visit was on Tuesday.", "Aled Hughes", drawing_png=signature_png(2)
        )
        bundle = export_bundle(source.db)
    finally:
        source.close()
    statuses = {o["status"] for o in bundle["observations"]}
    assert statuses == {"draft", "ready", "signed"}
    assert any(o["addenda"] for o in bundle["observations"])
    return bundle
