"""The record part of a summary: heading, details, ratings, narrative, judgement, actions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    LongTable,
    Spacer,
    Table,
    TableStyle,
)

from observer.documents.pdf.content import SummaryContent
from observer.documents.pdf.formatting import duration, local_date, uk_date, uk_datetime
from observer.documents.pdf.parts import (
    CELL_PADDING,
    Rows,
    cell_pieces,
    flowing,
    heading,
    scaled_image,
    text,
)
from observer.documents.pdf.styles import (
    ACCENT,
    FRAME_WIDTH,
    HEADER_SHADE,
    RULE,
    Styles,
    level_shade,
)
from observer.records.recording import ActionView, ObservationView
from observer.records.sections import (
    CONSENT,
    observed_label,
    others_present_label,
    section_title,
    shown,
)
from observer.vocabulary import NARRATIVE_SECTIONS, ActionStatus, Status

TITLE = "Practice observation summary"
STATUS_LINES = {
    Status.DRAFT: "Draft: not signed, and may still change.",
    Status.READY: "Ready for sign-off: not yet signed by both observer and practitioner.",
    Status.SIGNED: "Signed by the observer and the practitioner. The record is locked.",
}
NOT_RECORDED = "Not recorded"
LOGO_BOX = (150.0, 50.0)

BASE_TABLE = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("TOPPADDING", (0, 0), (-1, -1), 4),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
]
HEADER_ROW = [
    ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
]


def beside_logo(left: list[Flowable], logo_path: Path | None) -> list[Flowable]:
    """`left` with the organisation's logo to its right, when there is one: a masthead's top."""
    logo = scaled_image(logo_path, *LOGO_BOX) if logo_path else None
    if logo is None:
        return list(left)
    logo.hAlign = "RIGHT"
    width = FRAME_WIDTH - LOGO_BOX[0] - 10
    top = Table([[left, logo]], colWidths=[width, FRAME_WIDTH - width])
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ]
        )
    )
    return [top]


def masthead(content: SummaryContent, styles: Styles) -> list[Flowable]:
    """Organisation and logo, the title, and where the record stands."""
    left: list[Flowable] = []
    if content.organisation:
        left.append(text(content.organisation, styles.organisation))
    left.append(text(TITLE, styles.title))
    parts = beside_logo(left, content.logo_path)
    parts.append(text(STATUS_LINES[content.observation.status], styles.status))
    parts.append(HRFlowable(width=FRAME_WIDTH, thickness=1.2, color=ACCENT, spaceAfter=4))
    return parts


def details(content: SummaryContent, styles: Styles) -> list[Flowable]:
    o = content.observation
    if not content.include_case_reference:
        case_reference = "Not included in this copy"
    else:
        case_reference = o.case_reference
    items = [
        (observed_label(o.kind), o.observed_person_name),
        ("Observer", o.observer_name),
        ("Date and time", uk_datetime(o.observed_at, weekday=True)),
        ("Kind of observation", o.kind.label),
        ("Duration", duration(o.duration_minutes)),
        ("Case reference", case_reference),
        (others_present_label(o.kind), o.others_present),
    ]
    if o.family_present and shown(o, CONSENT):
        items += [
            ("Consent given by", o.consent_given_by),
            ("How consent was given", o.consent_how),
        ]
    elif shown(o, CONSENT):
        items.append(("Consent", "No child or family member was present"))
    items += [
        ("Agreed focus", o.focus),
        ("Framework", f"{o.framework.name}, version {o.framework.version}"),
    ]
    label_width = 130.0
    value_width = FRAME_WIDTH - label_width
    rows = Rows()
    for label, value in items:
        style = styles.cell if value.strip() else styles.empty
        pieces = cell_pieces(value if value.strip() else NOT_RECORDED, value_width, style)
        rows.add([text(label, styles.label), pieces[0]])
        for piece in pieces[1:]:
            rows.add_continuation(["", piece])
        rows.style("LINEBELOW", (0, len(rows.data) - 1), (-1, len(rows.data) - 1), 0.4, RULE)
    table = LongTable(rows.data, colWidths=[label_width, value_width])
    table.setStyle(TableStyle(BASE_TABLE + rows.finished(0)))
    return [*heading("About the observation", styles), table]


def rating_words(o: ObservationView, level_code: str | None) -> tuple[str, Color | None]:
    """A rating in words, with the light shade that may accompany it."""
    if level_code is None:
        return "Not rated", None
    scored = sorted(
        (lv for lv in o.levels if lv.score is not None), key=lambda lv: -(lv.score or 0)
    )
    for position, level in enumerate(scored):
        if level.code == level_code:
            return level.label, level_shade(position, len(scored))
    for level in o.levels:
        if level.code == level_code:
            return level.label, level_shade(None, 0)
    return level_code, None


def ratings(content: SummaryContent, styles: Styles) -> list[Flowable]:
    """One table: each standard's code, title and rating in words, its evidence below."""
    o = content.observation
    code_width, rating_width = 34.0, 150.0
    title_width = FRAME_WIDTH - code_width - rating_width
    rows = Rows()
    rows.add([text("Standard", styles.column_head), "", text("Rating", styles.column_head)])
    rows.style("SPAN", (0, 0), (1, 0))
    for rating in o.ratings:
        words, shade = rating_words(o, rating.level_code)
        rating_style = styles.cell_bold if rating.level_code else styles.empty
        first = rows.add(
            [
                text(rating.standard_code, styles.cell_bold),
                text(rating.title, styles.cell_bold),
                text(words, rating_style),
            ]
        )
        if first > 1:
            rows.style("LINEABOVE", (0, first), (-1, first), 0.5, RULE)
        if shade is not None:
            rows.style("BACKGROUND", (2, first), (2, first), shade)
        evidence = rating.evidence if rating.evidence.strip() else "No evidence recorded."
        style = styles.cell if rating.evidence.strip() else styles.empty
        for n, piece in enumerate(cell_pieces(evidence, title_width + rating_width, style)):
            row = (
                rows.add_continuation(["", piece, ""])
                if n
                else rows.add(["", piece, ""], new_item=False)
            )
            rows.style("SPAN", (1, row), (2, row))
            if not n:
                rows.style("TOPPADDING", (0, row), (-1, row), 1)
        rows.style("NOSPLIT", (0, first), (-1, first + 1))
        rows.style("BOTTOMPADDING", (0, len(rows.data) - 1), (-1, len(rows.data) - 1), 8)
    table = LongTable(rows.data, colWidths=[code_width, title_width, rating_width], repeatRows=1)
    table.setStyle(TableStyle(BASE_TABLE + HEADER_ROW + rows.finished()))
    framework = f"Rated against {o.framework.name}, version {o.framework.version}."
    return [
        # Room for the first two standards too: the table keeps them with its header.
        *heading("Ratings against the standards", styles, room=220),
        text(framework, styles.small),
        Spacer(0, 4),
        table,
    ]


def narrative(content: SummaryContent, styles: Styles) -> list[Flowable]:
    o = content.observation
    parts: list[Flowable] = []
    for field in NARRATIVE_SECTIONS:
        if field == "overall_rationale" or not shown(o, field):
            continue  # supervision has no child's voice, unless someone wrote it down
        value: str = getattr(o, field)
        parts += heading(section_title(o.kind, field), styles)
        parts += flowing(value, styles.body, styles.empty, "Nothing recorded.")
    return parts


def judgement_chip(o: ObservationView, styles: Styles) -> Table:
    """The overall judgement in words, boxed and lightly shaded."""
    words, shade = rating_words(o, o.overall_level_code)
    if o.overall_level_code is None:
        words = "Not yet judged"
    width = min(
        stringWidth(words, styles.judgement.fontName, styles.judgement.fontSize) + 24, FRAME_WIDTH
    )
    chip = Table([[text(words, styles.judgement)]], colWidths=[width], hAlign="LEFT")
    chip_style = [
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
    ]
    if shade is not None:
        chip_style.append(("BACKGROUND", (0, 0), (-1, -1), shade))
    chip.setStyle(TableStyle(chip_style))
    return chip


def overall(content: SummaryContent, styles: Styles) -> list[Flowable]:
    """The judgement and its rationale: read first, so they come straight after the details."""
    o = content.observation
    page_break, title = heading("Overall judgement", styles)
    return [
        page_break,
        KeepTogether(
            [
                title,
                judgement_chip(o, styles),
                Spacer(0, 4),
                text(NARRATIVE_SECTIONS["overall_rationale"], styles.subheading),
            ]
        ),
        *flowing(o.overall_rationale, styles.body, styles.empty, NOT_RECORDED),
    ]


def actions(content: SummaryContent, styles: Styles) -> list[Flowable]:
    o = content.observation
    parts = heading("Agreed actions", styles)
    if not o.actions:
        return [*parts, text("No actions were agreed.", styles.empty)]
    table = action_table(o.actions, styles, widths=(100.0, 82.0, 84.0), done_on_own_line=True)
    # A short list of actions moves whole with its heading rather than leave a row behind.
    return [parts[0], KeepTogether([*parts[1:], table])]


def action_table(
    actions: Sequence[ActionView],
    styles: Styles,
    *,
    widths: tuple[float, float, float],
    done_on_own_line: bool,
) -> LongTable:
    """The table of a record's agreed actions: what (the rest of the frame), then owner,
    due date and status at `widths`; its header repeats on every page it reaches."""
    owner_width, due_width, status_width = widths
    what_width = FRAME_WIDTH - owner_width - due_width - status_width
    rows = Rows()
    rows.add([text(h, styles.column_head) for h in ("Action", "Owner", "Due", "Status")])
    for action in actions:
        status = action.status.label
        if action.status is ActionStatus.DONE and action.done_at is not None:
            status = f"Done{chr(10) if done_on_own_line else ' '}{local_date(action.done_at)}"
        pieces = cell_pieces(action.description, what_width, styles.cell)
        first = rows.add(
            [
                pieces[0],
                text(
                    action.owner_name or "Not set",
                    styles.cell if action.owner_name else styles.empty,
                ),
                text(
                    uk_date(action.due_date) if action.due_date else "No date",
                    styles.cell if action.due_date else styles.empty,
                ),
                text(status, styles.cell),
            ]
        )
        for piece in pieces[1:]:
            rows.add_continuation([piece, "", "", ""])
        if first > 1:
            rows.style("LINEABOVE", (0, first), (-1, first), 0.5, RULE)
    table = LongTable(
        rows.data, colWidths=[what_width, owner_width, due_width, status_width], repeatRows=1
    )
    table.setStyle(TableStyle(BASE_TABLE + HEADER_ROW + rows.finished()))
    return table
