"""Forged documents about this store fail, whatever is dropped into the data folder.

A forger needs no passphrase to make a key with a laptop user's name, sign a summary
claiming a real record's hash, or a history naming a real worker; nor to write a file
into the data folder. Only a certificate known inside the encrypted store vouches.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from observer.documents.summaries import export_summary, verify_summary
from observer.services import Services
from observer.signing import HistoryClaim, IdentityInfo, ensure_identity, load_signer, sign_pdf
from tests.support.core import RunCli, Staff
from tests.support.signing import PASSPHRASE, needs_pdfsig, pdfsig, summary_like_pdf

FORGER_SECRET = "forger's own secret"


def forger(tmp_path: Path) -> tuple[Path, IdentityInfo]:
    folder = tmp_path / "forger"
    return folder, ensure_identity(folder, FORGER_SECRET, "Aled Hughes", "Northshire Council")


def forged(tmp_path: Path, pdf: bytes, target: Path) -> IdentityInfo:
    folder, fake = forger(tmp_path)
    target.write_bytes(
        sign_pdf(
            pdf,
            load_signer(folder, FORGER_SECRET),
            reason="r",
            location="Northshire Council",
            signer_name="Aled Hughes",
        )
    )
    return fake


def history_like_pdf(claim: HistoryClaim) -> bytes:
    out = io.BytesIO()
    page = Canvas(out, invariant=1)
    page.setKeywords(claim.keywords())
    page.drawString(72, 760, "A history that was never exported")
    page.showPage()
    page.save()
    return out.getvalue()


def planted(data_dir: Path, fingerprint: str) -> None:
    """What anyone able to write into the data folder could do, without the passphrase."""
    signing = data_dir / "signing"
    signing.mkdir(exist_ok=True)
    (signing / "certificate-replaced-20240101T000000Z.sha256").write_text(f"{fingerprint}\n")
    with (signing / "certificate.sha256").open("a") as kept:
        kept.write(f"{fingerprint}\n")


def test_a_fingerprint_dropped_into_the_data_folder_does_not_make_a_forgery_pass(
    services: Services,
    signed_record: uuid.UUID,
    out: Path,
    tmp_path: Path,
    data_dir: Path,
    run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:
    export_summary(services, signed_record, out / "real.pdf", passphrase=PASSPHRASE)
    real_hash = services.signoff.current_hash(signed_record)
    fake = forged(tmp_path, summary_like_pdf(signed_record, real_hash), out / "forged.pdf")
    planted(data_dir, fake.fingerprint_sha256)

    result = verify_summary(services, out / "forged.pdf")

    assert (result.sound, result.record_in_store) == (True, True)
    assert (result.signer_known, result.hash_matches, result.ok) == (False, None, False)
    assert verify_summary(services, out / "real.pdf").ok is True
    assert run_cli(["--data-dir", str(data_dir), "verify", str(out / "forged.pdf")]) == 1
    shown = capsys.readouterr().out
    assert "Known to this laptop: yes" not in shown
    assert "hash matches" not in shown
    assert "Signed with a certificate this laptop does not know" in shown


def test_a_forged_history_naming_a_real_worker_fails_and_does_not_name_them(
    services: Services,
    staff: Staff,
    out: Path,
    tmp_path: Path,
    data_dir: Path,
    run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:
    claim = HistoryClaim(staff.worker, date(2025, 2, 1), date(2025, 4, 30), 3)
    fake = forged(tmp_path, history_like_pdf(claim), out / "history.pdf")

    result = verify_summary(services, out / "history.pdf")

    assert result.sound is True
    assert result.history is not None
    assert (result.signer_known, result.ok) == (False, False)
    lines = result.summary_lines()
    assert not any("Siobhán Walker" in line for line in lines)
    assert lines[-1] == (
        f"History: this PDF names a worker in this store (id {staff.worker}), but it was "
        f"signed with a certificate this laptop does not know (fingerprint {fake.fingerprint}), "
        "so it cannot confirm that it is a history exported here."
    )
    assert run_cli(["--data-dir", str(data_dir), "verify", "--json", str(out / "history.pdf")]) == 1
    facts = json.loads(capsys.readouterr().out)
    assert (facts["ok"], facts["signer_known"], facts["history"]["worker"]) == (False, False, None)


def test_a_history_of_someone_not_in_this_store_is_only_checked_for_integrity(
    services: Services, out: Path, tmp_path: Path
) -> None:
    """As for a summary of a record not here: nothing here to vouch for or against."""
    claim = HistoryClaim(uuid.uuid4(), None, None, 1)
    forged(tmp_path, history_like_pdf(claim), out / "elsewhere.pdf")

    result = verify_summary(services, out / "elsewhere.pdf")

    assert (result.sound, result.signer_known, result.ok) == (True, False, True)
    assert "the worker with id" in result.summary_lines()[-1]


@needs_pdfsig
def test_independent_tools_agree_the_forgery_is_intact_and_only_this_laptop_says_by_whom(
    services: Services, signed_record: uuid.UUID, out: Path, tmp_path: Path
) -> None:
    """Integrity is what poppler and pyHanko can judge, and they agree with verify: the
    forgery is exactly what its key's holder signed. Who that holder is, only this
    laptop's store can say."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    real_hash = services.signoff.current_hash(signed_record)
    path = out / "forged.pdf"
    forged(tmp_path, summary_like_pdf(signed_record, real_hash), path)

    result = verify_summary(services, path)

    report = pdfsig(path)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    with path.open("rb") as file:
        (signature,) = PdfFileReader(file).embedded_signatures
        context = ValidationContext(trust_roots=[], allow_fetching=False)
        status = validate_pdf_signature(signature, signer_validation_context=context)
        assert (status.intact, status.valid) == (True, True)
    assert (result.intact, result.signer_known, result.ok) == (True, False, False)
