"""A worker's history as one A4 PDF: cover, trends, observations, themes, actions, then each
observation's summary exactly as its own PDF lays it out.

Every page carries the worker's name and the period at the top and "Page x of y" at the
foot; the pages of an observation's summary also carry its record id and content hash
(and DRAFT, for a record not yet signed), as in its own PDF. The Keywords metadata says
whose history it is, for which dates, and how many observations it holds, in a fixed form
that `observer verify` reads back (observer/signing/verify.py, HistoryClaim).

This module loads reportlab: import it when exporting, not at start-up. A build uses
only its own objects, so builds may run on several threads at once.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFObjectReference
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, PageBreak

from observer.documents.pdf import history_entries as entries
from observer.documents.pdf import history_sections as parts
from observer.documents.pdf.content import HistoryContent, SummaryContent
from observer.documents.pdf.fonts import REGULAR
from observer.documents.pdf.formatting import local_date, uk_datetime
from observer.documents.pdf.parts import heading, text
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
    Styles,
    make_styles,
)
from observer.documents.pdf.summary import (
    CREATOR,
    FOOTER_SIZE,
    a4_document,
    fitted,
    page_number_and_draft,
    summary_story,
    watermark,
)
from observer.documents.pdf.trend_chart import chart_span, trend_charts
from observer.signing.verify import HistoryClaim
from observer.vocabulary import Status

SUBJECT = "History of observations of practice"

# Called as each observation's summary is laid out: (observations laid out, in all).
LaidOut = Callable[[int, int], None]


def history_claim(content: HistoryContent) -> HistoryClaim:
    filters = content.history.filters
    return HistoryClaim(
        person_id=content.history.profile.id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        observations=len(content.summaries),
        signed_only=content.signed_only,
        unsigned=content.unsigned,
        full=content.full_summaries,
    )


def document_title(content: HistoryContent) -> str:
    return f"{parts.TITLE}: {content.worker}, {content.period}"


def build_history(
    content: HistoryContent, *, invariant: bool = False, laid_out: LaidOut | None = None
) -> bytes:
    """The history as PDF bytes; `invariant` makes them byte-stable for tests."""
    styles = make_styles()
    buffer = io.BytesIO()
    doc = a4_document(
        buffer,
        title=document_title(content),
        author=content.generated_by or CREATOR,
        subject=SUBJECT,
        keywords=history_claim(content).keywords(),
        invariant=invariant,
        sample=content.sample,
    )
    front = _Furniture(
        head=f"{parts.TITLE}: {content.worker}, {content.period}",
        lines=(
            f"Produced {uk_datetime(content.generated_at)}"
            + (f" by {content.generated_by}" if content.generated_by else ""),
            "Digitally signed: check it with “Verify a summary” in Practice Observer, or "
            "with observer verify FILE.pdf",
        ),
    )
    doc.build(
        _story(content, styles, front, laid_out),
        canvasmaker=partial(_HistoryCanvas, first=front),
    )
    return buffer.getvalue()


def _story(
    content: HistoryContent, styles: Styles, front: _Furniture, laid_out: LaidOut | None
) -> list[Flowable]:
    history = content.history
    span = chart_span(history.trends, history.filters.date_from, history.filters.date_to)
    story: list[Flowable] = [
        _Mark(front, "cover", "About this history"),
        *parts.cover(content, styles),
        PageBreak(),
        *_marked(
            _Mark(front, "trends", "Trends in the ratings"),
            [
                *heading("Trends in the ratings", styles),
                *trend_charts(history.trends, span, styles),
            ],
        ),
        *_marked(
            _Mark(front, "observations", "The observations"),
            parts.observations_table(content, styles),
        ),
        *_marked(
            _Mark(front, "themes", "Development themes"),
            parts.development_themes(history, styles),
        ),
        *_marked(_Mark(front, "actions", "Actions"), parts.actions(content, styles)),
    ]
    total = len(content.summaries)
    if not content.full_summaries:
        return story + _entries(content, styles, front, laid_out)
    for number, summary in enumerate(content.summaries, start=1):
        furniture = _Furniture.of(summary, front.head, number, total)
        o = summary.observation
        story += [
            PageBreak(),
            _Mark(
                furniture,
                f"observation-{number}",
                f"{local_date(o.observed_at)}: {o.kind.label}",
                level=1,
                heading_key="summaries" if number == 1 else None,
                on_drawn=None if laid_out is None else partial(laid_out, number, total),
            ),
            *entries.banner(summary, styles),
            *summary_story(summary, styles),
        ]
    return story


def _entries(
    content: HistoryContent, styles: Styles, front: _Furniture, laid_out: LaidOut | None
) -> list[Flowable]:
    """Each observation in brief, one after another; the pages wear the history's own
    head and foot, as several observations share a page (each entry names its record)."""
    total = len(content.summaries)
    story: list[Flowable] = []
    if not total:
        return story
    story += [
        *_marked(
            _Mark(front, "entries", "Each observation in brief"),
            heading("Each observation in brief", styles, room=250),
        ),
        text(
            "Oldest first. Each one's evidence, narrative and signatures are in its own "
            "signed summary, and in this history when it is exported with full summaries.",
            styles.small,
        ),
    ]
    for number, summary in enumerate(content.summaries, start=1):
        o = summary.observation
        mark = _Mark(
            front,
            f"observation-{number}",
            f"{local_date(o.observed_at)}: {o.kind.label}",
            level=1,
            on_drawn=None if laid_out is None else partial(laid_out, number, total),
        )
        story += _marked(mark, entries.entry(summary, number, total, styles))
    return story


def _marked(mark: _Mark, section: list[Flowable]) -> list[Flowable]:
    """The section with its mark after the page break its heading may take, so that the
    mark lands on the page the heading does."""
    if section and isinstance(section[0], CondPageBreak):
        return [section[0], mark, *section[1:]]
    return [mark, *section]


@dataclass(frozen=True)
class _Furniture:
    """What is drawn around the text of a page: the head, two footer lines, DRAFT or not."""

    head: str
    lines: tuple[str, str]
    draft: bool = False
    head_right: str = ""

    @classmethod
    def of(cls, content: SummaryContent, head: str, number: int, total: int) -> _Furniture:
        o = content.observation
        return cls(
            head=head,
            lines=(f"Record {content.record_id}", f"Content SHA-256 {content.content_hash}"),
            draft=o.status is not Status.SIGNED,
            head_right=f"Observation {number} of {total}, {local_date(o.observed_at)}",
        )

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        right = PAGE_WIDTH - RIGHT_MARGIN
        top = PAGE_HEIGHT - TOP_MARGIN + 5 * mm
        canvas.setFont(REGULAR, FOOTER_SIZE)
        room = FRAME_WIDTH
        if self.head_right:
            canvas.drawRightString(right, top, self.head_right)
            room -= canvas.stringWidth(self.head_right, REGULAR, FOOTER_SIZE) + 12
        canvas.drawString(LEFT_MARGIN, top, fitted(self.head, room))
        canvas.line(LEFT_MARGIN, top - 2 * mm, right, top - 2 * mm)
        # The visible digital signature goes in the strip between the text frame and this
        # rule on the cover (observer/documents/histories.py): move one, move the other.
        rule = BOTTOM_MARGIN - 8 * mm
        canvas.line(LEFT_MARGIN, rule, right, rule)
        canvas.drawString(LEFT_MARGIN, rule - 4 * mm, fitted(self.lines[0], FRAME_WIDTH - 80))
        canvas.drawString(LEFT_MARGIN, rule - 7.5 * mm, fitted(self.lines[1], FRAME_WIDTH - 80))
        page_number_and_draft(canvas, right, rule, page, pages, draft=self.draft)
        canvas.restoreState()
        if self.draft:
            watermark(canvas)


class _Mark(Flowable):  # type: ignore[misc]
    """Takes no room: from the page it lands on, pages wear `furniture`; it also adds an
    entry to the PDF's outline (bookmarks) and reports progress."""

    def __init__(
        self,
        furniture: _Furniture,
        key: str,
        title: str,
        *,
        level: int = 0,
        heading_key: str | None = None,
        on_drawn: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.furniture = furniture
        self.key = key
        self.title = title
        self.level = level
        self.heading_key = heading_key
        self.on_drawn = on_drawn
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canvas = self.canv
        if isinstance(canvas, _HistoryCanvas):
            canvas.wear(self.furniture)
            if self.heading_key is not None:
                canvas.bookmark(self.heading_key, "Observation summaries", 0)
            canvas.bookmark(self.key, self.title, self.level)
        if self.on_drawn is not None:
            self.on_drawn()


class _HistoryCanvas(Canvas):  # type: ignore[misc]
    """Holds pages back until the end, so each can say how many pages there are, and
    remembers which furniture each page wears."""

    def __init__(self, *args: Any, first: _Furniture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wearing = first
        self._held: list[tuple[dict[str, Any], _Furniture]] = []

    def wear(self, furniture: _Furniture) -> None:
        self._wearing = furniture

    def bookmark(self, key: str, title: str, level: int) -> None:
        """An outline entry for this page; reportlab's own would point at the first page,
        as pages are only handed to the document at the end."""
        destination = self._bookmarkReference(key)
        destination.fit()
        destination.setPage(PDFObjectReference(f"Page{len(self._held) + 1}"))
        self.addOutlineEntry(title, key, level)

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append((dict(self.__dict__), self._wearing))
        self._startPage()

    def save(self) -> None:
        pages = len(self._held)
        for number, (state, furniture) in enumerate(self._held, start=1):
            self.__dict__.update(state)
            furniture.draw(self, number, pages)
            super().showPage()
        super().save()
