"""The bytes of a signed PDF that no signature covers: the signature value itself.

CMS leaves some of its bytes outside what the signer signs, and other validators accept
changes there; checking them here means no byte of a summary can change unnoticed
(docs/canonical-content.md, "Intact", point 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature


def signature_space_untouched(signature: EmbeddedPdfSignature, data: bytes) -> bool:
    """The only bytes outside the signed ranges are the signature value, written as hex
    and padded with zeros to the space reserved for it. The value is checked by its own
    validation; this checks the padding and the hex itself, so that no byte anywhere can
    change unnoticed."""
    _, end_of_first, start_of_second, _ = (int(n) for n in signature.sig_object["/ByteRange"])
    written = data[end_of_first:start_of_second]
    digits = written[1:-1]
    if not (written.startswith(b"<") and written.endswith(b">")):
        return False
    if any(c in b"abcdef" for c in digits) and any(c in b"ABCDEF" for c in digits):
        return False  # one digit's case flipped: the same value, but a changed byte
    try:
        value = bytes.fromhex(digits.decode("ascii"))
    except ValueError:
        return False
    length = _der_length(value)
    if length is None or any(value[length:]):
        return False
    return _canonical_der(value[:length])


def _canonical_der(value: bytes) -> bool:
    """Whether the signature value is exactly the DER its own content encodes to, and its
    unsigned parts agree with the signed ones. CMS leaves some of its bytes outside what
    the signer signs (container lengths, the list of digest algorithms, the signer's issuer
    name); a lenient reader accepts changes there, so they are checked here."""
    from asn1crypto import cms, tsp  # type: ignore[import-untyped]  # noqa: F401

    try:
        content_info = cms.ContentInfo.load(value)
        if content_info.dump(force=True) != value:
            return False
        signed = content_info["content"]
        (info,) = signed["signer_infos"]
        digests = [a.dump() for a in signed["digest_algorithms"]]
        if digests != [info["digest_algorithm"].dump()]:
            return False
        sid = info["sid"]
        # RFC 5652 fixes both version numbers by what the structure holds.
        by_issuer = sid.name == "issuer_and_serial_number"
        if info["version"].native != ("v1" if by_issuer else "v3"):
            return False
        plain = by_issuer and signed["encap_content_info"]["content_type"].native == "data"
        if signed["version"].native != ("v1" if plain else "v3"):
            return False
        if not by_issuer:
            return True
        wanted = (sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native)
        return any(
            (c.chosen.issuer.dump(), c.chosen.serial_number) == wanted
            for c in signed["certificates"]
            if c.name == "certificate"
        )
    except Exception:  # any damage there is a changed signature, not a crash
        return False


def _der_length(value: bytes) -> int | None:
    """The length of the DER element at the start of `value`, header included."""
    if len(value) < 2:
        return None
    first = value[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(value) < 2 + count:
        return None
    return 2 + count + int.from_bytes(value[2 : 2 + count], "big")
