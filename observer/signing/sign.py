"""PAdES signatures on summaries: baseline B-B offline, B-T with a timestamp server."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from observer.signing.errors import TimestampUnavailable

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

log = logging.getLogger(__name__)

FIELD_NAME = "PracticeObserverSignature"
STAMP_TEXT = "Digitally signed by %(signer)s\n%(ts)s\nAny change to this PDF breaks the signature."
STRIP_TEXT = "Digitally signed by %(signer)s, %(ts)s. Any change to this PDF breaks the signature."
STAMP_TIME_FORMAT = "%d %b %Y %H:%M:%S %Z"
# Without a box given, the visible signature sits at the bottom right of the last page.
BOX_WIDTH, BOX_HEIGHT, BOX_RIGHT, BOX_BOTTOM = 240, 50, 51, 70
STRIP_HEIGHT = 36  # a box lower than this is a strip: the text runs on one or two lines
TIMESTAMP_TIMEOUT_S = 10

Box = tuple[int, int, int, int]


def signature_box(page_width: float) -> Box:
    """The default place of the visible signature on a page `page_width` points wide."""
    right = int(page_width) - BOX_RIGHT
    return (right - BOX_WIDTH, BOX_BOTTOM, right, BOX_BOTTOM + BOX_HEIGHT)


def sign_pdf(
    pdf: bytes,
    signer: Signer,
    *,
    reason: str,
    location: str,
    signer_name: str,
    timestamp_url: str | None = None,
    box: Box | None = None,
    page: int = -1,
    room: int | None = None,
) -> bytes:
    """Signs `pdf` as an incremental update with a visible signature on its last page (or
    `page`, from 0), in `box` (x1, y1, x2, y2 in points from the bottom left) or at the
    bottom right.

    SHA-256, CAdES-detached (PAdES) with the signing certificate among the signed
    attributes; with `timestamp_url`, a timestamp token from that server makes it B-T.
    `room` is the space to reserve for the signature, `signature_room(signer)`: without
    it pyHanko works it out by signing once in a dry run first. A timestamp's size is the
    server's, so with `timestamp_url` pyHanko always works it out.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    from observer.signing.appearance import UnicodeTextStampStyle

    quiet_pyhanko()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if box is None:
        page_ref, _ = writer.find_page_for_modification(page)  # type: ignore[no-untyped-call]
        media_box = page_ref.get_object().get("/MediaBox", [0, 0, 595.28, 841.89])
        box = signature_box(float(media_box[2]) - float(media_box[0]))
    strip = box[3] - box[1] < STRIP_HEIGHT
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=signer_name,
    )
    timestamper = (
        timestamps.HTTPTimeStamper(timestamp_url, timeout=TIMESTAMP_TIMEOUT_S)
        if timestamp_url
        else None
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer,
        timestamper=timestamper,
        stamp_style=UnicodeTextStampStyle(
            stamp_text=STRIP_TEXT if strip else STAMP_TEXT, timestamp_format=STAMP_TIME_FORMAT
        ),
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=page, box=box),
    )
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=output, bytes_reserved=None if timestamper else room)
    except Exception as exc:
        if timestamper is None or not _timestamp_failure(exc):
            raise
        log.warning("timestamp server unavailable: %s", type(exc).__name__)
        raise TimestampUnavailable(
            f"The timestamp server at {timestamp_url} did not answer; "
            "the summary can be signed without a timestamp."
        ) from exc
    return output.getvalue()


def signature_room(signer: Signer) -> int:
    """The bytes to reserve in a PDF for `signer`'s signature without a timestamp, worked
    out as pyHanko does when not told: the size of a dry run's signature as hex, plus half
    again. The signature's size depends on the signer's certificates and key only, so this
    holds for every signature the signer makes."""
    import asyncio
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives import hashes
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    digest = hashes.Hash(hashes.SHA256()).finalize()
    attributes = PdfCMSSignedAttributes(signing_time=datetime.now(UTC))
    dry_run = asyncio.run(
        signer.async_sign(
            digest, "sha256", dry_run=True, use_pades=True, signed_attr_settings=attributes
        )
    )
    size = len(dry_run.dump()) * 2
    return size + 2 * (size // 4)


def quiet_pyhanko() -> None:
    """pyHanko logs certificate problems with the certificate's subject, which names a
    person; the log must not hold names, and the problems reach the user as results."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _timestamp_failure(exc: BaseException) -> bool:
    import asyncio

    from pyhanko.sign.timestamps import TimestampRequestError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimestampRequestError | OSError | asyncio.TimeoutError):
            return True
        if type(seen).__module__.startswith("aiohttp"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
