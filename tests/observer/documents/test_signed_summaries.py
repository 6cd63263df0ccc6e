"""Summaries exported and verified through the services: signed when the record is,
under the store's passphrase, timestamped when configured, the signature box clear of text."""

from __future__ import annotations

import io
import re
import shutil
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

from observer.documents.summaries import PASSPHRASE_NEEDED, export_summary, verify_summary
from observer.errors import InvalidInput, NotFound
from observer.services import Services
from observer.signing import (
    PassphraseNeeded,
    WrongPassphrase,
    verify_pdf,
)
from observer.store.models import Setting
from observer.vocabulary import Role, SignatureRole, Status
from tests.support.core import NewDraft, Staff
from tests.support.signing import HASH, PASSPHRASE, RECORD, Signed, audit, filled, unused_port


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
    # Made when the record was signed: each sign-off carries this laptop's digital signature.
    assert not exported.identity.created
    assert exported.lines()[0] == f"Wrote a signed summary to {target}, signed by Aled Hughes."
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in out.iterdir()] == ["summary.pdf"]

    result = verify_summary(services, target)

    assert (result.signed, result.intact, result.hash_matches) == (True, True, True)
    assert (result.signer_known, result.ok) == (True, True)
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
    assert (result.signed, result.ok, result.hash_matches) == (False, False, None)
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
    assert result.ok is True
    assert audit(services, "verify") == [(RECORD, HASH)]


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
