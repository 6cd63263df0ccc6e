"""What follows the record: the signatures, any addenda, and how to check integrity."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from observer.documents.pdf.content import SummaryContent
from observer.documents.pdf.formatting import uk_datetime
from observer.documents.pdf.parts import flowing, heading, scaled_image, text
from observer.documents.pdf.styles import FRAME_WIDTH, RULE, Styles
from observer.records.sign_off import ROLE_LABELS, SignatureView
from observer.vocabulary import SignatureRole, Status

DRAWING_BOX = (170.0, 56.0)
ADDENDUM_DRAWING_BOX = (150.0, 48.0)
EXPECTED_ROLES = (SignatureRole.OBSERVER, SignatureRole.PRACTITIONER)


def signatures(content: SummaryContent, styles: Styles) -> list[Flowable]:
    """Each signature with role, name, time, comment and drawing; blanks for those awaited."""
    signed = {signature.role for signature in content.signatures}
    blocks = [_signature(signature, styles) for signature in content.signatures]
    blocks += [[_awaited(role, styles)] for role in EXPECTED_ROLES if role not in signed]
    page_break, title = heading("Signatures", styles, room=160)
    parts: list[Flowable] = [page_break, KeepTogether([title, blocks[0][0]]), *blocks[0][1:]]
    for block in blocks[1:]:
        parts += [Spacer(0, 8), *block]
    return parts


def _signature(signature: SignatureView, styles: Styles) -> list[Flowable]:
    """The signature's box, kept with the start of its comment; a long comment flows on."""
    drawing = scaled_image(signature.drawing_png, *DRAWING_BOX) if signature.drawing_png else None
    who = [
        text(signature.role_label, styles.label),
        text(signature.name, styles.judgement),
        text(f"Signed {uk_datetime(signature.signed_at)}", styles.small),
    ]
    right = drawing if drawing is not None else text("No drawn signature", styles.empty)
    if not signature.comment.strip():
        return [_box(who, right)]
    comment = flowing(signature.comment, styles.body, styles.empty, "")
    return [KeepTogether([_box(who, right), Spacer(0, 3), text("Comment", styles.label)]), *comment]


def _awaited(role: SignatureRole, styles: Styles) -> Flowable:
    who = [text(ROLE_LABELS[role], styles.label), text("Not signed yet", styles.empty)]
    return _box(who, "")


def _box(left: object, right: object) -> Table:
    right_width = DRAWING_BOX[0] + 16
    table = Table([[left, right]], colWidths=[FRAME_WIDTH - right_width, right_width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table


def addenda(content: SummaryContent, styles: Styles) -> list[Flowable]:
    if not content.addenda:
        return []
    parts = heading("Addenda", styles)
    parts.append(
        text(
            "Corrections added after the record was signed, oldest first. "
            "The record above is unchanged.",
            styles.small,
        )
    )
    for number, addendum in enumerate(content.addenda, start=1):
        parts.append(
            text(f"Addendum {number}: {uk_datetime(addendum.signed_at)}", styles.subheading)
        )
        parts.append(text(f"Added and signed by {addendum.author_name}", styles.small))
        parts.append(Spacer(0, 3))
        parts += flowing(addendum.text, styles.body, styles.empty, "No text.")
        if addendum.drawing_png:
            drawing = scaled_image(addendum.drawing_png, *ADDENDUM_DRAWING_BOX)
            if drawing is not None:
                parts.append(drawing)
        parts.append(
            text(f"Record content SHA-256 when added: {addendum.content_hash}", styles.small)
        )
    return parts


def integrity(content: SummaryContent, styles: Styles) -> list[Flowable]:
    """The record's id and full content hash, and whether each signature was made on it."""
    page_break, title = heading("Record integrity", styles)
    parts: list[Flowable] = [title]
    parts.append(text(f"Record {content.record_id}", styles.body))
    parts.append(text(f"Content SHA-256 {content.content_hash}", styles.body))
    for signature in content.signatures:
        who = f"The {signature.role_label.lower()}'s signature ({signature.name})"
        if signature.content_hash == content.content_hash:
            line = f"{who} was made on exactly this content."
        else:
            line = (
                f"{who} was made on different content, SHA-256 {signature.content_hash}: "
                "the record has changed since."
            )
        parts.append(text(line, styles.body))
    status = content.observation.status
    if status is Status.SIGNED:
        closing = (
            "A digitally signed copy of this summary can be checked with “Verify a summary” "
            "in Practice Observer, or with: observer verify FILE.pdf"
        )
    else:
        closing = "This summary is not final: the record has not been signed by both people."
    parts.append(text(closing, styles.body))
    parts.append(
        text(
            f"Generated by Practice Observer on {uk_datetime(content.generated_at)}.", styles.small
        )
    )
    return [page_break, KeepTogether(parts)]
