"""Signing a summary-like PDF and verifying it: signer, time, record and hash, and what
is not a signed PDF at all.

The PDFs here are small reportlab documents carrying the summary's Keywords contract
("practice-observer record=<uuid> content-sha256=<hex>"), so signing and verification are
tested apart from the summary layout (tests/observer/documents/ tests the export)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from observer.signing import (
    FIELD_NAME,
    NotAPdf,
    load_signer,
    sign_pdf,
    verify_pdf,
)
from tests.support.signing import (
    HASH,
    PASSPHRASE,
    RECORD,
    Signed,
    known,
    lookup_of,
    summary_like_pdf,
)


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
    assert result.ok is True
    lines = result.summary_lines()
    assert lines[0] == "File: summary.pdf"
    assert lines[1] == "Signer: Zoë Ştefănescu, Northshire Council"
    assert lines[2].startswith("Signing time: ")
    assert "Intact: yes; nothing in the document has changed since it was signed." in lines
    assert any(
        line.startswith("Certificate: self-signed, not from a trusted authority") for line in lines
    )
    assert "Known to this laptop: yes; its store knows the certificate (this laptop's " in (
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


@pytest.mark.parametrize(
    "box",
    [None, (52, 48, 544, 70)],  # the default box at the bottom right; a summary's strip
)
def test_the_visible_signature_shows_names_in_any_script(
    signed: Signed, tmp_path: Path, box: tuple[int, int, int, int] | None
) -> None:
    name = "Zoë Łukasiewicz-Ştefănescu Şükrü Ελένη Наталья <&>"
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(
        sign_pdf(
            summary_like_pdf(),
            load_signer(signed.data_dir, PASSPHRASE),
            reason="Summary of a signed-off observation",
            location="Northshire Council",
            signer_name=name,
            box=box,
        )
    )
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")

    text = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stamp = " ".join(text[text.index("Digitally signed by") :].split())

    assert re.fullmatch(
        f"Digitally signed by {re.escape(name)},? "
        r"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d UTC\.? "
        "Any change to this PDF breaks the signature.",
        stamp,
    ), stamp
    assert verify_pdf(pdf).intact


def test_a_record_that_changed_since_makes_verification_fail(signed: Signed) -> None:
    result = verify_pdf(
        signed.pdf,
        local_hash_lookup=lookup_of({RECORD: "0" * 64}),
        known_certificates=known(signed),
    )

    assert result.intact
    assert result.hash_matches is False
    assert result.ok is False
    assert result.summary_lines()[-1] == (
        f"Record {RECORD}: its content hash does not match this store; the record here "
        "differs from the one summarised."
    )


def test_a_record_not_in_this_store_is_said_so_and_does_not_fail(signed: Signed) -> None:
    result = verify_pdf(signed.pdf, local_hash_lookup=lookup_of({}), known_certificates=set())

    assert result.hash_matches is None
    assert (result.record_in_store, result.signer_known) == (False, False)
    assert result.ok is True
    assert "Known to this laptop: no; its store does not know the certificate." in (
        result.summary_lines()
    )
    assert result.summary_lines()[-1] == (
        f"Record {RECORD}: not in this store, so its content cannot be compared; to know who "
        f"signed it, compare the certificate's SHA-256 fingerprint {result.signer_fingerprint} "
        "with the one the signer exported."
    )


def test_a_record_here_signed_with_an_unknown_certificate_fails(signed: Signed) -> None:
    result = verify_pdf(
        signed.pdf, local_hash_lookup=lookup_of({RECORD: HASH}), known_certificates=set()
    )

    assert (result.signed, result.intact, result.record_in_store) == (True, True, True)
    assert (result.signer_known, result.hash_matches) == (False, None)
    assert result.ok is False
    assert result.signer_fingerprint is not None
    assert result.summary_lines()[-1] == (
        "Signed with a certificate this laptop does not know (fingerprint "
        f"{result.signer_fingerprint}): it cannot confirm that this summary shows the record "
        "it names."
    )
    assert not any("hash matches" in line for line in result.summary_lines())


def test_an_unsigned_pdf_is_reported_unsigned_and_fails() -> None:
    result = verify_pdf(summary_like_pdf(), local_hash_lookup=lookup_of({RECORD: HASH}))

    assert (result.signed, result.intact, result.ok) == (False, False, False)
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
    assert facts["ok"] is True
    assert datetime.fromisoformat(facts["signing_time"]) == result.signing_time
    assert len(facts["certificate_sha256"]) == 64


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


def test_without_the_store_nobody_can_tell_whether_the_signer_is_known(signed: Signed) -> None:
    """Which certificates this laptop knows is inside its encrypted store: checked without
    it, a sound file is intact, and whether its signer is known cannot be told."""
    result = verify_pdf(signed.pdf)

    assert (result.sound, result.signer_known, result.hash_matches) == (True, None, None)
    assert result.as_dict()["signer_known"] is None
    lines = result.summary_lines()
    assert (
        "Known to this laptop: cannot tell; only this laptop's store, opened with its "
        "passphrase, holds the certificates it knows." in lines
    )
    assert not any("Known to this laptop: yes" in line for line in lines)

    with_records = verify_pdf(signed.pdf, local_hash_lookup=lookup_of({RECORD: HASH}))

    assert with_records.ok is False
    assert with_records.summary_lines()[-1] == (
        f"Record {RECORD}: in this store, but whether its signer is known here cannot be "
        "told, so nothing shows that this summary holds that record's content."
    )
