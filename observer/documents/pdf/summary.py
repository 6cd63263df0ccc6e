"""The summary PDF: an A4 document laid out with reportlab from a SummaryContent.

Every page carries "Page x of y", the record id and the content hash, so a single printed
page can be traced back to its record; a record not yet signed carries a DRAFT watermark
on every page. The keywords metadata holds the record id and content hash in a fixed
form that `observer verify` reads back.

This module loads reportlab: import it when exporting, not at start-up.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from observer.documents.pdf import sections, signatures
from observer.documents.pdf.content import SummaryContent
from observer.documents.pdf.fonts import BOLD, REGULAR
from observer.documents.pdf.formatting import local_date
from observer.documents.pdf.styles import (
    BOTTOM_MARGIN,
    FRAME_WIDTH,
    LEFT_MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RIGHT_MARGIN,
    RULE,
    TOP_MARGIN,
    WATERMARK,
    Styles,
    make_styles,
)
from observer.signing.verify import keywords as claim_keywords
from observer.vocabulary import Status

CREATOR = "Practice Observer"
SUBJECT = "Observation summary"
FOOTER_SIZE = 7.5
SAMPLE_COLOUR = HexColor("#B3261E")
DRAFT_MARK = "DRAFT: not signed"
SAMPLE_KEYWORD = "SAMPLE fictional-sample-data"
SAMPLE_BANNER = "SAMPLE: fictional sample data from Practice Observer, not a real record"


def keywords(content: SummaryContent) -> str:
    """The metadata `observer verify` parses: record id and content hash, nothing else."""
    return claim_keywords(content.record_id, content.content_hash)


def document_title(content: SummaryContent) -> str:
    o = content.observation
    return (
        f"Practice observation: {o.kind.label} — {o.observed_person_name}, "
        f"{local_date(o.observed_at)}"
    )


def a4_document(
    buffer: io.BytesIO,
    *,
    title: str,
    author: str,
    subject: str,
    keywords: str,
    invariant: bool,
    sample: bool = False,
) -> SimpleDocTemplate:
    """An A4 document with this app's margins and metadata, writing into `buffer`. One from
    a store of sample data says SAMPLE in its title, subject and keywords and on each page."""
    if sample:
        title = f"SAMPLE: {title}"
        subject = f"{subject} (SAMPLE: fictional data)"
        keywords = f"{keywords} {SAMPLE_KEYWORD}"
    return (_SampleDocument if sample else SimpleDocTemplate)(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=author,
        subject=subject,
        creator=CREATOR,
        keywords=keywords,
        invariant=1 if invariant else 0,
        lang="en-GB",
    )


def build_summary(content: SummaryContent, *, invariant: bool = False) -> bytes:
    """The summary as PDF bytes; `invariant` makes them byte-stable for golden tests."""
    styles = make_styles()
    buffer = io.BytesIO()
    doc = a4_document(
        buffer,
        title=document_title(content),
        author=content.observation.observer_name,
        subject=SUBJECT,
        keywords=keywords(content),
        invariant=invariant,
        sample=content.sample,
    )
    doc.build(
        summary_story(content, styles),
        canvasmaker=partial(_SummaryCanvas, decoration=_Decoration.of(content)),
    )
    return buffer.getvalue()


def summary_story(content: SummaryContent, styles: Styles) -> list[Flowable]:
    """The summary's flowables, in order: its own PDF and a worker's history use the same."""
    return [
        *sections.masthead(content, styles),
        *sections.details(content, styles),
        *sections.overall(content, styles),
        *sections.ratings(content, styles),
        *sections.narrative(content, styles),
        *sections.actions(content, styles),
        *signatures.signatures(content, styles),
        *signatures.addenda(content, styles),
        *signatures.integrity(content, styles),
    ]


@dataclass(frozen=True)
class _Decoration:
    """What is drawn on every page around the text."""

    running_head: str
    record_line: str
    hash_line: str
    draft: bool

    @classmethod
    def of(cls, content: SummaryContent) -> _Decoration:
        o = content.observation
        return cls(
            running_head=(
                f"{sections.TITLE}: {o.observed_person_name}, {local_date(o.observed_at)}"
            ),
            record_line=f"Record {content.record_id}",
            hash_line=f"Content SHA-256 {content.content_hash}",
            draft=o.status is not Status.SIGNED,
        )

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        right = PAGE_WIDTH - RIGHT_MARGIN
        if page > 1:
            top = PAGE_HEIGHT - TOP_MARGIN + 5 * mm
            canvas.setFont(REGULAR, FOOTER_SIZE)
            canvas.drawString(LEFT_MARGIN, top, fitted(self.running_head, FRAME_WIDTH))
            canvas.line(LEFT_MARGIN, top - 2 * mm, right, top - 2 * mm)
        # observer/documents/summaries.py puts the visible digital signature in the strip between
        # the text frame and this rule: move one, move the other.
        rule = BOTTOM_MARGIN - 8 * mm
        canvas.line(LEFT_MARGIN, rule, right, rule)
        canvas.setFont(REGULAR, FOOTER_SIZE)
        canvas.drawString(LEFT_MARGIN, rule - 4 * mm, self.record_line)
        canvas.drawString(LEFT_MARGIN, rule - 7.5 * mm, self.hash_line)
        page_number_and_draft(canvas, right, rule, page, pages, draft=self.draft)
        canvas.restoreState()
        if self.draft:
            watermark(canvas)


def page_number_and_draft(
    canvas: Canvas, right: float, rule: float, page: int, pages: int, *, draft: bool
) -> None:
    """The foot's right-hand side, below `rule`: "Page x of y", and DRAFT under it if so."""
    canvas.setFont(BOLD, FOOTER_SIZE + 0.5)
    canvas.drawRightString(right, rule - 4 * mm, f"Page {page} of {pages}")
    if draft:
        canvas.drawRightString(right, rule - 7.5 * mm, DRAFT_MARK)


def watermark(canvas: Canvas) -> None:
    """The large, light DRAFT across a page of a record not yet signed."""
    canvas.saveState()
    canvas.setFillColor(WATERMARK)
    canvas.setFillAlpha(0.16)
    canvas.setFont(BOLD, 130)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, -45, "DRAFT")
    canvas.restoreState()


class _SampleDocument(SimpleDocTemplate):  # type: ignore[misc]
    """Says SAMPLE at the top of every page, above the running head, for any layout."""

    def afterPage(self) -> None:  # noqa: N802 - reportlab's name
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(SAMPLE_COLOUR)
        canvas.rect(0, PAGE_HEIGHT - 7 * mm, PAGE_WIDTH, 7 * mm, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont(BOLD, 9)
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 4.8 * mm, SAMPLE_BANNER)
        canvas.restoreState()


def fitted(line: str, width: float) -> str:
    """The line, shortened with an ellipsis if it would run past `width`."""
    if stringWidth(line, REGULAR, FOOTER_SIZE) <= width:
        return line
    while line and stringWidth(line + "…", REGULAR, FOOTER_SIZE) > width:
        line = line[:-1]
    return line + "…"


class _SummaryCanvas(Canvas):  # type: ignore[misc]
    """Holds pages back until the end, so each can say how many pages there are."""

    def __init__(self, *args: Any, decoration: _Decoration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decoration = decoration
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._decoration.draw(self, number, pages)
            super().showPage()
        super().save()
