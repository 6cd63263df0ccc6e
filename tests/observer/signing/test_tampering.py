"""A signed PDF changed after signing never verifies intact: one byte anywhere, bytes
added, the signature value or its padding, random changes; and poppler agrees."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observer.signing import (
    NotAPdf,
    Verification,
    verify_pdf,
)
from tests.support.signing import (
    HASH,
    RECORD,
    Signed,
    changed,
    content_stream_position,
    known,
    lookup_of,
    needs_pdfsig,
    pdfsig,
)

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
    assert result.ok is False
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
    assert result.ok is False


def test_a_damaged_signature_value_fails_verification(signed: Signed) -> None:
    start_of_value = signed.byte_range[1] + 1  # after "<"
    spoilt = bytearray(signed.pdf)
    spoilt[start_of_value + 200] = ord("7") if spoilt[start_of_value + 200] != ord("7") else 56

    result = verify_pdf(bytes(spoilt))

    assert result.signed
    assert not result.intact
    assert result.ok is False


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
    assert result.ok is False


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
        assert result.ok is False
    assert message in {"", "The data is not a PDF file.", "The data cannot be read as a PDF."}
