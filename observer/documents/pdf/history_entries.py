"""Each observation of a history in brief: what a manager reads before supervision.

One entry an observation: date and kind, who observed, the overall judgement with its
rationale, the ratings, the strengths and areas for development, the actions agreed, and
the record id and content hash that trace it to its record. A record not signed by both
parties carries a banner saying so. The full summary of each is an option of the export
(observer/documents/pdf/history_layout.py lays those out instead).
"""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    LongTable,
    Spacer,
    Table,
    TableStyle,
)

from observer.documents.pdf.content import SummaryContent
from observer.documents.pdf.formatting import duration, local_date
from observer.documents.pdf.parts import Rows, flowing, text
from observer.documents.pdf.sections import (
    BASE_TABLE,
    HEADER_ROW,
    NOT_RECORDED,
    action_table,
    judgement_chip,
    rating_words,
)
from observer.documents.pdf.styles import FRAME_WIDTH, RULE, Styles
from observer.vocabulary import NARRATIVE_SECTIONS, Status

BANNERS = {
    Status.DRAFT: "Draft — not signed",
    Status.READY: "Ready for sign-off — not signed",
}
BANNER_NOTE = "It may still change; it is not part of the signed record of practice."
_BANNER_SHADE = HexColor("#fcefd6")
_BANNER_EDGE = HexColor("#b7791f")


def banner(content: SummaryContent, styles: Styles) -> list[Flowable]:
    """A shaded band naming a record not yet signed by both parties; nothing for one signed."""
    words = BANNERS.get(content.observation.status)
    if words is None:
        return []
    band = Table(
        [[[text(words, styles.judgement), text(BANNER_NOTE, styles.small)]]],
        colWidths=[FRAME_WIDTH],
    )
    band.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), _BANNER_SHADE),
                ("BOX", (0, 0), (-1, -1), 1, _BANNER_EDGE),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [band, Spacer(0, 6)]


def entry(content: SummaryContent, number: int, total: int, styles: Styles) -> list[Flowable]:
    """One observation in brief; its head and judgement never sit apart at a page's foot."""
    o = content.observation
    case = ""
    if content.include_case_reference and o.case_reference.strip():
        case = f"; case reference {o.case_reference.strip()}"
    about = (
        f"Observation {number} of {total}. Observed by {o.observer_name}; "
        f"{duration(o.duration_minutes).lower()}{case}; rated against {o.framework.name}, "
        f"version {o.framework.version}."
    )
    head: list[Flowable] = [
        text(f"{local_date(o.observed_at)}: {o.kind.label}", styles.heading),
        text(about, styles.small),
        Spacer(0, 5),
        *banner(content, styles),
        judgement_chip(o, styles),
        Spacer(0, 3),
    ]
    rationale = flowing(o.overall_rationale, styles.body, styles.empty, NOT_RECORDED)
    parts: list[Flowable] = [
        CondPageBreak(200),
        KeepTogether([*head, *rationale, Spacer(0, 4), _ratings(content, styles)]),
    ]
    for field in ("strengths", "development_areas"):
        value: str = getattr(o, field)
        parts += [
            text(NARRATIVE_SECTIONS[field], styles.subheading),
            *flowing(value, styles.body, styles.empty, "Nothing recorded."),
        ]
    parts += _actions(content, styles)
    parts += [
        Spacer(0, 4),
        text(f"Record {content.record_id}; content SHA-256 {content.content_hash}", styles.small),
        HRFlowable(width=FRAME_WIDTH, thickness=0.8, color=RULE, spaceBefore=8, spaceAfter=2),
    ]
    return parts


def _ratings(content: SummaryContent, styles: Styles) -> LongTable:
    """Each standard and its rating in words, without the evidence (in the full summary)."""
    o = content.observation
    rating_width = 200.0
    rows = Rows()
    rows.add([text("Standard", styles.column_head), text("Rating", styles.column_head)])
    for rating in o.ratings:
        words, shade = rating_words(o, rating.level_code)
        row = rows.add(
            [
                text(f"{rating.standard_code}. {rating.title}", styles.cell),
                text(words, styles.cell_bold if rating.level_code else styles.empty),
            ]
        )
        if row > 1:
            rows.style("LINEABOVE", (0, row), (-1, row), 0.4, RULE)
        if shade is not None:
            rows.style("BACKGROUND", (1, row), (1, row), shade)
    compact = [
        ("TOPPADDING", (0, 1), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
    ]
    table = LongTable(rows.data, colWidths=[FRAME_WIDTH - rating_width, rating_width], repeatRows=1)
    table.setStyle(TableStyle(BASE_TABLE + HEADER_ROW + compact + rows.finished()))
    return table


def _actions(content: SummaryContent, styles: Styles) -> list[Flowable]:
    o = content.observation
    title = text("Agreed actions", styles.subheading)
    if not o.actions:
        return [title, text("No actions were agreed.", styles.empty)]
    table = action_table(o.actions, styles, widths=(90.0, 84.0, 108.0), done_on_own_line=False)
    return [KeepTogether([title, table])]
