"""Checking a summary PDF: is it signed, by whom, when, unchanged, and still the record?

Intact means stricter than "the signature is cryptographically sound": the digest over the
signed byte ranges matches, the signature over it is valid, and those ranges cover the
whole file except the signature value itself. Bytes added after the signed part (which
pyHanko reports as covering the "entire revision" and poppler as "Not total document
signed") leave the file not intact, even though the signed part is unchanged.

Intact says nothing about *who* signed, and what the PDF's Keywords claim (a record id and
its content hash, or whose history it is) is whatever the signer wrote there: anyone can
make a key with a laptop user's name and sign a summary claiming a record's real hash over
different text. So a document about this store (a record or a worker in it) passes only
when the file is signed, intact, and signed with a certificate this laptop knows, as its
encrypted store lists them (observer/signing/known.py); nothing outside the store counts.
Without the store nobody can tell whether the signer is known, and the report says so.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observer.signing.claims import (
    BoardClaim,
    HistoryClaim,
    keywords,
    parse_board_keywords,
    parse_history_keywords,
    parse_keywords,
)
from observer.signing.errors import NotAPdf
from observer.signing.sign import FIELD_NAME, quiet_pyhanko
from observer.signing.signature_value import signature_space_untouched

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko_certvalidator import ValidationContext

__all__ = [
    "BoardClaim",
    "HistoryClaim",
    "Verification",
    "keywords",
    "parse_history_keywords",
    "parse_keywords",
    "read_claim",
    "verify_pdf",
]

log = logging.getLogger(__name__)

HashLookup = Callable[[uuid.UUID], str | None]

MAX_PDF_BYTES = 50_000_000
TOO_LARGE = "is larger than 50 MB, far larger than any summary PDF, so it is not checked."
HEADER_WINDOW = 1024
SIGNATURE_MARKERS = (b"/ByteRange", b"ETSI.CAdES.detached", b"adbe.pkcs7", b"/Type /Sig")
TIME_FORMAT = "%d %B %Y %H:%M:%S %Z"
IN_MEMORY = "the data"

DAMAGED_FILE = "the file is damaged, so its signature cannot be checked: it changed after signing"
DAMAGED_SIGNATURE = "the signature itself is damaged, so the document cannot be shown unchanged"
UNSIGNED = "this PDF carries no digital signature"


@dataclass(frozen=True)
class Verification:
    """What `observer verify` and the "Verify a summary" dialog report about one file."""

    file_name: str
    signed: bool
    intact: bool
    problem: str | None = None
    signer: str | None = None
    organisation: str | None = None
    signing_time: datetime | None = None
    timestamp: datetime | None = None
    trusted: bool = False
    self_signed: bool = False
    issuer: str | None = None
    certificate_sha256: str | None = None
    record_id: uuid.UUID | None = None
    content_hash: str | None = None
    # The record the PDF names is in this store (known only when a store was consulted).
    record_in_store: bool = False
    # The signing certificate is one this laptop's store knows (observer/signing/known.py);
    # None: the store was not consulted, so nobody can tell.
    signer_known: bool | None = False
    # The record's hash here compared with the PDF's: only for a signed, intact file
    # whose signer is known (else the claim proves nothing), and the record is here.
    hash_matches: bool | None = None
    # A worker's history PDF names no record, but whose history it is.
    history: HistoryClaim | None = None
    # Nor does a Board report: it names its period and scope.
    board: BoardClaim | None = None

    @property
    def signer_fingerprint(self) -> str | None:
        """The signing certificate's SHA-256 fingerprint as people compare it (AB:CD:…)."""
        return None if self.certificate_sha256 is None else _pairs(self.certificate_sha256)

    @property
    def sound(self) -> bool:
        """Signed and intact: the file is exactly what the certificate's holder signed."""
        return self.signed and self.intact

    @property
    def ok(self) -> bool:
        """The check passed: signed and intact, and what it is about is not in this store,
        or it is and the signer is known here (and, for a summary, the hashes match)."""
        if not self.sound:
            return False
        if self.record_id is not None and self.record_in_store:
            return self.signer_known is True and self.hash_matches is True
        if self.record_id is None and self.history is not None and self.history.in_store:
            return self.signer_known is True
        return True

    def summary_lines(self) -> list[str]:
        lines = [f"File: {self.file_name}"]
        if not self.signed:
            lines.append(
                "Signed: no; this PDF carries no digital signature (an unsigned draft "
                "summary, or a copy that lost its signature)."
            )
        else:
            lines += self._signature_lines()
        lines.append(self._record_line())
        return lines

    def _signature_lines(self) -> list[str]:
        signer = self.signer or "unknown"
        if self.organisation:
            signer += f", {self.organisation}"
        lines = [f"Signer: {signer}"]
        if self.signing_time is not None:
            lines.append(
                f"Signing time: {_local(self.signing_time)} (as the signer's computer said)"
            )
        if self.timestamp is not None:
            lines.append(f"Timestamp: {_local(self.timestamp)} (from a timestamp server)")
        if self.intact:
            lines.append("Intact: yes; nothing in the document has changed since it was signed.")
        else:
            lines.append(f"Intact: no; {self.problem or DAMAGED_SIGNATURE}.")
        if self.certificate_sha256 is None:
            return lines
        fingerprint = _pairs(self.certificate_sha256)
        if self.trusted:
            lines.append(f"Certificate: trusted, issued by {self.issuer or 'a known authority'}.")
        elif self.self_signed:
            lines.append(
                "Certificate: self-signed, not from a trusted authority; compare its "
                f"SHA-256 fingerprint {fingerprint} with the certificate the signer exported."
            )
        else:
            lines.append(
                f"Certificate: not trusted; its issuer ({self.issuer or 'unknown'}) is not "
                f"known to this computer. SHA-256 fingerprint {fingerprint}."
            )
        if not self.sound:
            return lines
        if self.signer_known is None:
            lines.append(
                "Known to this laptop: cannot tell; only this laptop's store, opened with its "
                "passphrase, holds the certificates it knows."
            )
        elif self.signer_known:
            lines.append(
                "Known to this laptop: yes; its store knows the certificate (this laptop's "
                "signing identity, one it replaced, or one trusted with `observer "
                "certificates trust`)."
            )
        else:
            lines.append("Known to this laptop: no; its store does not know the certificate.")
        return lines

    def _record_line(self) -> str:
        record = self.record_id
        if record is None and self.history is not None:
            return self._history_line(self.history)
        if record is None and self.board is not None:
            return f"Report: {self.board.describe()}; it names no single record."
        if record is None:
            return "Record: this PDF does not name a Practice Observer record."
        if not self.signed:
            return (
                f"Record: this PDF names record {record}, but as it is not signed nothing "
                "shows that it holds that record's content."
            )
        if not self.intact:
            return (
                f"Record: this PDF names record {record}, but as it is not intact nothing "
                "shows that it holds that record's content."
            )
        if not self.record_in_store:
            if self.signer_known:
                return (
                    f"Record {record}: not in this store, so its content cannot be compared; "
                    "it was signed with a certificate this laptop knows."
                )
            return (
                f"Record {record}: not in this store, so its content cannot be compared; to "
                "know who signed it, compare the certificate's SHA-256 fingerprint"
                f" {self.signer_fingerprint or '(none)'} with the one the signer exported."
            )
        if self.signer_known is None:
            return (
                f"Record {record}: in this store, but whether its signer is known here cannot "
                "be told, so nothing shows that this summary holds that record's content."
            )
        if not self.signer_known:
            return (
                "Signed with a certificate this laptop does not know (fingerprint "
                f"{self.signer_fingerprint or 'unknown'}): it cannot confirm that this "
                "summary shows the record it names."
            )
        if self.hash_matches is True:
            return (
                f"Record {record}: this summary was signed on this laptop's records and its "
                "content hash matches."
            )
        return (
            f"Record {record}: its content hash does not match this store; the record here "
            "differs from the one summarised."
        )

    def _history_line(self, history: HistoryClaim) -> str:
        if history.in_store and self.sound and self.signer_known is not True:
            return (
                f"History: this PDF names a worker in this store (id {history.person_id}), but "
                "it was signed with a certificate this laptop does not know (fingerprint "
                f"{self.signer_fingerprint or 'unknown'}), so it cannot confirm that it is a "
                "history exported here."
            )
        what = f"History: this PDF is {history.describe()}"
        if not self.sound:
            state = "signed" if not self.signed else "intact"
            return f"{what}; as it is not {state}, nothing shows it is what was exported."
        return (
            f"{what}. A history holds many records, so there is no single record hash to "
            "compare; each observation shows its own record id and content hash."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "signed": self.signed,
            "intact": self.intact,
            "problem": self.problem,
            "signer": self.signer,
            "organisation": self.organisation,
            "signing_time": self.signing_time and self.signing_time.isoformat(),
            "timestamp": self.timestamp and self.timestamp.isoformat(),
            "trusted": self.trusted,
            "self_signed": self.self_signed,
            "issuer": self.issuer,
            "certificate_sha256": self.certificate_sha256,
            "signer_fingerprint": self.signer_fingerprint,
            "signer_known": self.signer_known,
            "record_id": self.record_id and str(self.record_id),
            "content_hash": self.content_hash,
            "record_in_store": self.record_in_store,
            "hash_matches": self.hash_matches,
            "history": None
            if self.history is None
            else {
                "person_id": str(self.history.person_id),
                "worker": self.history.worker,
                "worker_in_store": self.history.in_store,
                "from": self.history.date_from and self.history.date_from.isoformat(),
                "to": self.history.date_to and self.history.date_to.isoformat(),
                "observations": self.history.observations,
            },
            "board_report": None
            if self.board is None
            else {
                "from": self.board.date_from.isoformat(),
                "to": self.board.date_to.isoformat(),
                "team_id": self.board.team_id and str(self.board.team_id),
                "observations": self.board.observations,
                "anonymised": True,
            },
            "ok": self.ok,
        }


def verify_pdf(
    source: Path | bytes,
    *,
    local_hash_lookup: HashLookup | None = None,
    known_certificates: Collection[str] | None = None,
) -> Verification:
    """Checks a summary; raises NotAPdf for a file that is not a PDF or cannot be read.

    `local_hash_lookup` gives a record's content hash in this store (None: not here);
    `known_certificates` the SHA-256 fingerprints (hex) of the signing certificates this
    store knows (None: no store was consulted, so whether the signer is known cannot be
    told). Any damage inside a file that looks like a signed PDF is a failed check
    (not intact), never an exception: a tampered file must fail verification, not crash it.
    """
    from dataclasses import replace

    name, data = _read(source)
    result = _verify(name, data, local_hash_lookup)
    if result.record_id is None:
        result = replace(result, history=_history_claim(data))
    if result.record_id is None and result.history is None:
        result = replace(result, board=parse_board_keywords(_keywords_text(data)))
    return _with_signer(result, known_certificates)


def _verify(name: str, data: bytes, local_hash_lookup: HashLookup | None) -> Verification:
    if b"%PDF-" not in data[:HEADER_WINDOW] and not _looks_signed(data):
        raise NotAPdf(_sentence(name, "is not a PDF file."))
    quiet_pyhanko()
    try:
        reader = _reader(data)
        claim = _claim_from_reader(reader)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:
        log.info("unreadable PDF structure (%s)", type(exc).__name__)
        if not _looks_signed(data):
            raise NotAPdf(_sentence(name, "cannot be read as a PDF.")) from None
        return _with_record(
            Verification(name, signed=True, intact=False, problem=DAMAGED_FILE),
            _claim_from_bytes(data),
            local_hash_lookup,
        )
    if not signatures:
        if _looks_signed(data):
            result = Verification(name, signed=True, intact=False, problem=DAMAGED_SIGNATURE)
        else:
            result = Verification(name, signed=False, intact=False, problem=UNSIGNED)
        return _with_record(result, claim, local_hash_lookup)
    try:
        checked = _check_signatures(name, signatures, data)
    except Exception as exc:
        log.info("signature could not be examined (%s)", type(exc).__name__)
        checked = Verification(name, signed=True, intact=False, problem=DAMAGED_SIGNATURE)
    return _with_record(checked, claim, local_hash_lookup)


def read_claim(pdf: bytes) -> tuple[uuid.UUID, str] | None:
    """The record id and content hash a PDF's Keywords name, if any."""
    return _claim_from_reader(_reader(pdf))


def _read(source: Path | bytes) -> tuple[str, bytes]:
    if isinstance(source, bytes | bytearray):
        if len(source) > MAX_PDF_BYTES:
            raise NotAPdf(_sentence(IN_MEMORY, TOO_LARGE))
        return IN_MEMORY, bytes(source)
    name = source.name
    try:
        if source.is_dir():
            raise NotAPdf(f"{source} is a folder, not a PDF file.")
        if source.stat().st_size > MAX_PDF_BYTES:
            raise NotAPdf(f"{name} {TOO_LARGE}")
        with source.open("rb") as file:
            data = file.read(MAX_PDF_BYTES + 1)  # a file growing meanwhile stays capped
    except OSError as exc:
        raise NotAPdf(f"{source} cannot be read: {exc.strerror or exc}.") from None
    if len(data) > MAX_PDF_BYTES:
        raise NotAPdf(f"{name} {TOO_LARGE}")
    return name, data


def _sentence(subject: str, rest: str) -> str:
    """A file's name stays as it is; "the data" starts a sentence with a capital."""
    return f"{subject.capitalize() if subject == IN_MEMORY else subject} {rest}"


def _reader(data: bytes) -> PdfFileReader:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data), strict=False)


def _claim_from_reader(reader: PdfFileReader) -> tuple[uuid.UUID, str] | None:
    info = reader.trailer_view.get("/Info")
    if info is None:
        return None
    value = info.get_object().get("/Keywords")
    return parse_keywords(str(value)) if value is not None else None


def _history_claim(data: bytes) -> HistoryClaim | None:
    """The history a PDF says it is, from its Keywords (read leniently: a damaged file
    still says what it claimed to be)."""
    return parse_history_keywords(_keywords_text(data))


def _keywords_text(data: bytes) -> str:
    try:
        info = _reader(data).trailer_view.get("/Info")
        value = None if info is None else info.get_object().get("/Keywords")
        return str(value) if value is not None else ""
    except Exception:
        return data.decode("latin-1")


def _claim_from_bytes(data: bytes) -> tuple[uuid.UUID, str] | None:
    return parse_keywords(data.decode("latin-1"))


def _looks_signed(data: bytes) -> bool:
    return any(marker in data for marker in SIGNATURE_MARKERS)


def _with_record(
    result: Verification, claim: tuple[uuid.UUID, str] | None, lookup: HashLookup | None
) -> Verification:
    from dataclasses import replace

    if claim is None:
        return result
    record_id, content_hash = claim
    local = lookup(record_id) if lookup is not None else None
    return replace(
        result,
        record_id=record_id,
        content_hash=content_hash,
        record_in_store=local is not None,
        hash_matches=None if local is None else local == content_hash,
    )


def _with_signer(result: Verification, known: Collection[str] | None) -> Verification:
    """Marks a signer this store knows; keeps the hash comparison only where it means
    something: a signed, intact file from a known signer."""
    from dataclasses import replace

    fingerprint = result.certificate_sha256
    # A certificate is public: only an intact signature shows its key's holder signed.
    signer_known: bool | None
    if not result.sound or fingerprint is None:
        signer_known = False
    elif known is None:
        signer_known = None
    else:
        signer_known = fingerprint.lower() in {k.lower() for k in known}
    return replace(
        result,
        signer_known=signer_known,
        hash_matches=result.hash_matches if signer_known is True else None,
    )


def _check_signatures(
    name: str, signatures: list[EmbeddedPdfSignature], data: bytes
) -> Verification:
    ours = next((s for s in signatures if s.field_name == FIELD_NAME), signatures[-1])
    others_intact = True
    for signature in signatures:
        if signature is not ours:
            others_intact &= _check_one(name, signature, data).intact
    result = _check_one(name, ours, data)
    if result.intact and not others_intact:
        from dataclasses import replace

        return replace(result, intact=False, problem="another signature in the file is broken")
    return result


def _check_one(name: str, signature: EmbeddedPdfSignature, data: bytes) -> Verification:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    identity = _certificate_facts(signature)
    try:
        context = _validation_context()
        status = validate_pdf_signature(
            signature,
            signer_validation_context=context,
            ts_validation_context=context,
            key_usage_settings=KeyUsageConstraints(
                key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
            ),
        )
    except Exception as exc:
        log.info("signature could not be validated (%s)", type(exc).__name__)
        return Verification(name, signed=True, intact=False, problem=DAMAGED_SIGNATURE, **identity)
    problem = None
    if not status.intact:
        problem = "the document was changed after it was signed: it no longer matches its signature"
    elif not status.valid:
        problem = "the signature does not match the signer's certificate"
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problem = (
            "something was added to the file after it was signed (the signed part itself is "
            "unchanged)"
            if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            else "the signature does not cover the whole document"
        )
    elif status.docmdp_ok is False:
        problem = "the file was changed after signing in a way the signature does not allow"
    elif not signature_space_untouched(signature, data):
        problem = "the space reserved for the signature was changed after signing"
    timestamp = None
    token = status.timestamp_validity
    if token is not None:
        if not (token.intact and token.valid):
            problem = problem or "the signature's timestamp is damaged"
        timestamp = token.timestamp
    return Verification(
        name,
        signed=True,
        intact=problem is None,
        problem=problem,
        signing_time=status.signer_reported_dt,
        timestamp=timestamp,
        trusted=bool(status.trusted),
        **identity,
    )


def _certificate_facts(signature: EmbeddedPdfSignature) -> dict[str, Any]:
    try:
        certificate = signature.signer_cert
        subject = certificate.subject.native
        issuer = certificate.issuer.native
        return {
            "signer": str(subject.get("common_name") or "") or None,
            "organisation": str(subject.get("organization_name") or "") or None,
            "issuer": str(issuer.get("common_name") or issuer.get("organization_name") or "")
            or None,
            "self_signed": certificate.self_signed != "no",
            "certificate_sha256": certificate.sha256.hex(),
        }
    except Exception as exc:
        log.info("no readable signer certificate (%s)", type(exc).__name__)
        return {}


def _validation_context() -> ValidationContext:
    """Offline: nothing is fetched. Trusted means chained to this computer's trust store."""
    from pyhanko_certvalidator import ValidationContext

    try:
        return ValidationContext(allow_fetching=False)
    except Exception as exc:
        log.info("system trust store unavailable (%s)", type(exc).__name__)
        return ValidationContext(trust_roots=[], allow_fetching=False)


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime(TIME_FORMAT).strip()


def _pairs(hex_digits: str) -> str:
    upper = hex_digits.upper()
    return ":".join(upper[i : i + 2] for i in range(0, len(upper), 2))
