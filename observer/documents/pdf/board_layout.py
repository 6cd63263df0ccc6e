"""The Board report as an A4 PDF: cover with the key figures, the QA lead's commentary,
practice standards (a spread chart and its table per framework version), supervision on
its own, coverage, development areas, actions by theme, the child's voice, moderation, and
how the figures were made.

Anonymised: it is built from observer/service/board_tables.py's tables alone, which name
teams and never a worker or an observer, with small numbers held back. Every page says
"Page x of y"; the visible signature goes in the strip above the cover's footer.

This module loads reportlab: import it when exporting, not at start-up.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import groupby
from typing import Any

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from observer.documents.pdf.fonts import BOLD, REGULAR
from observer.documents.pdf.formatting import uk_datetime
from observer.documents.pdf.parts import flowing, heading, text
from observer.documents.pdf.styles import (
    BOTTOM_MARGIN,
    FRAME_WIDTH,
    HEADER_SHADE,
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
)
from observer.service.board_tables import BoardTables, StandardRow
from observer.service.disclosure import RULE as SUPPRESSION_RULE
from observer.service.disclosure import Cell

TITLE = "Quality of practice across the service"
SUBJECT = "Board report: quality of practice across the service (anonymised)"
# Greys of distinct lightness, best level darkest, so the spread reads in greyscale too;
# each segment also carries its share in figures.
SPREAD_GREYS = ("#2f3b44", "#6f7c86", "#b4bdc4", "#e4e8eb")
BAR_HEIGHT = 11
# A bar whose levels are held back shows Good or better against below Good, in words too.
COMBINED_GOOD = HexColor("#55636e")
COMBINED_BELOW = HexColor("#d5dadf")
LABEL_WIDTH = 150
HEAD_SIZE = 7.5
MIN_FIGURE_WIDTH = 40


@dataclass(frozen=True)
class BoardContent:
    organisation: str
    period: str  # "July to September 2026"
    previous_period: str
    scope: str  # "All teams" or "Team: Riverside"
    narrowed: str  # "" or "Direct work with a child only; framework ..."
    generated_at: datetime
    generated_by: str
    commentary: str
    counted: str  # what the figures count
    tables: BoardTables
    observations: Cell  # observations counted in the period
    workers: Cell
    observed: Cell  # workers observed
    keywords: str
    sample: bool = False


def build_board_report(content: BoardContent, *, invariant: bool = False) -> bytes:
    styles = make_styles()
    buffer = io.BytesIO()
    doc = a4_document(
        buffer,
        title=f"{TITLE}: {content.period}",
        author=content.generated_by or CREATOR,
        subject=SUBJECT,
        keywords=content.keywords,
        invariant=invariant,
        sample=content.sample,
    )
    head = f"{TITLE}: {content.period} · {content.scope} · anonymised"
    doc.build(_story(content, styles), canvasmaker=partial(_BoardCanvas, head=head))
    return buffer.getvalue()


def shown(cell: Cell) -> str:
    """A cell as the report prints it."""
    if cell.value is None:
        return cell.missing
    value = cell.value
    if cell.kind == "text" or isinstance(value, str):
        return str(value)
    if cell.kind == "share":
        return f"{value * 100:.0f}%"
    if cell.kind == "points":
        points = round(value)
        return "no change" if points == 0 else f"{points:+d} points".replace("-", "−")
    if cell.kind == "statistic":
        return f"{value:.2f}"
    return f"{int(value):,}"


def _story(content: BoardContent, styles: Styles) -> list[Flowable]:
    t = content.tables
    story: list[Flowable] = [
        *_cover(content, styles),
        PageBreak(),
        *heading("Commentary", styles),
        *flowing(
            content.commentary,
            styles.body,
            styles.empty,
            "No commentary was written for this period.",
        ),
        PageBreak(),
        *heading("Practice standards", styles),
        text(
            "For each standard: how many observations rated it, the spread across the scale, "
            f"the share rated Good or better, and its change since {content.previous_period}. "
            "Framework versions are shown apart, each against its own scale.",
            styles.small,
        ),
        *_standards(t.standards, styles),
        *heading("Supervision and management oversight", styles, room=200),
        text("The same figures for observations of supervision sessions only.", styles.small),
        *_standards(t.supervision, styles),
        *heading("Coverage: workers observed in the period", styles, room=160),
        _table(
            ["Team", "Workers", "Observed", "Share observed", "Overdue"],
            [
                [r.team, shown(r.workers), shown(r.observed), shown(r.share), shown(r.overdue)]
                for r in t.coverage
            ],
            styles,
            widths=[0.40, 0.15, 0.15, 0.15, 0.15],
            empty="No workers are recorded.",
        ),
        *heading("Recurring development areas", styles, room=160),
        text("The standards most often rated below Good in the period.", styles.small),
        _table(
            ["Standard", "Below Good", "Rated", "Share below Good"],
            [
                [
                    f"{r.code} {r.title} ({r.framework})",
                    shown(r.below_good),
                    shown(r.rated),
                    shown(r.share),
                ]
                for r in t.areas
            ],
            styles,
            widths=[0.55, 0.15, 0.15, 0.15],
            empty="No standard was rated below Good in the period.",
        ),
        *heading("Agreed actions by improvement theme", styles, room=160),
        text(
            "Actions agreed in the period's observations, under the themes of the standards "
            "they are linked to; an action linked to several themes counts under each.",
            styles.small,
        ),
        _table(
            ["Theme", "Open", "Of them overdue", "Done"],
            [[r.theme, shown(r.open), shown(r.overdue), shown(r.done)] for r in t.actions],
            styles,
            widths=[0.49, 0.17, 0.17, 0.17],
            empty="No actions were agreed in the period.",
        ),
        *heading("The child's voice", styles, room=140),
        *_voice(t, styles),
        *heading("Moderation of observers' judgements", styles, room=160),
        *_agreement(t, styles),
        *heading("About these figures", styles, room=120),
        text(content.counted, styles.body),
        text(SUPPRESSION_RULE, styles.body),
        text(
            "This report names teams, never a worker or an observer. It is digitally signed: "
            "check it with observer verify FILE.pdf.",
            styles.body,
        ),
    ]
    return story


def _cover(content: BoardContent, styles: Styles) -> list[Flowable]:
    lines = [
        text(content.organisation, styles.organisation),
        text(TITLE, styles.title),
        text(f"{content.period} · {content.scope}", styles.status),
    ]
    if content.narrowed:
        lines.append(text(content.narrowed, styles.status))
    lines += [
        text(
            f"Produced {uk_datetime(content.generated_at)} by {content.generated_by}, for the "
            "Improvement Board. Anonymised: teams and counts only.",
            styles.small,
        ),
        Spacer(1, 8 * mm),
        *heading("At a glance", styles),
        text(f"Changes are measured against {content.previous_period}.", styles.small),
        _table(
            ["Figure", "In the period"],
            _glance(content),
            styles,
            widths=[0.7, 0.3],
            empty="",
        ),
        *heading("In this report", styles),
        *(
            text(f"• {item}", styles.body)
            for item in (
                "Commentary from the quality assurance lead",
                "Practice standards: the spread of ratings and the share Good or better",
                "Supervision and management oversight, on their own",
                "Coverage: the share of each team's workers observed",
                "Recurring development areas",
                "Agreed actions by improvement theme",
                "The child's voice",
                "Moderation of observers' judgements",
                "About these figures: what is counted, and what is held back",
            )
        ),
    ]
    return lines


def _glance(content: BoardContent) -> list[list[str]]:
    t = content.tables
    rows = [
        ["Observations counted (ready for sign-off or signed)", shown(content.observations)],
        ["Workers", shown(content.workers)],
        ["Workers observed", shown(content.observed)],
    ]
    if t.voice is not None:
        rows.append(["Direct work where the child's voice is recorded", shown(t.voice.voice_share)])
    if t.agreement:
        overall = t.agreement[0]
        rows.append(
            ["Moderated ratings agreeing exactly with the observer's", shown(overall.exact)]
        )
    return rows


def _standards(rows: Sequence[StandardRow], styles: Styles) -> list[Flowable]:
    if not rows:
        return [text("No observation in the period rated a standard.", styles.empty)]
    story: list[Flowable] = []
    for framework, group in groupby(rows, key=lambda r: r.framework):
        members = list(group)
        levels = [label for label, _ in members[0].levels]
        story.append(text(framework, styles.subheading))
        chart = _spread_chart(members, levels, styles)
        if chart is not None:
            story.append(chart)
        story.append(
            _table(
                ["Standard", "Rated", *levels, "Good or better", "Change (points)"],
                [
                    [
                        f"{r.code} {r.title}",
                        shown(r.rated),
                        *(shown(cell) for _, cell in r.levels),
                        shown(r.share),
                        _points(r.change),
                    ]
                    for r in members
                ],
                styles,
                widths=_standard_widths(levels),
                empty="",
                head_style=_small_head(styles),
            )
        )
        story.append(Spacer(1, 3 * mm))
    return story


def _points(cell: Cell) -> str:
    if cell.value is None or not isinstance(cell.value, float | int):
        return shown(cell)
    points = round(cell.value)
    return "0" if points == 0 else f"{points:+d}".replace("-", "−")


def _small_head(styles: Styles) -> ParagraphStyle:
    return ParagraphStyle(
        "small_head", parent=styles.column_head, fontSize=HEAD_SIZE, leading=HEAD_SIZE + 2
    )


def _standard_widths(levels: Sequence[str]) -> list[float]:
    """The title takes what the figures leave; each figure's column is as wide as the
    longest word of its heading, so no heading breaks inside a word."""
    heads = ["Rated", *levels, "Good or better", "Change (points)"]
    widths = [
        max(stringWidth(word, BOLD, HEAD_SIZE) for word in head.split()) + 8 for head in heads
    ]
    figures = [max(w, MIN_FIGURE_WIDTH) / FRAME_WIDTH for w in widths]
    return [1 - sum(figures), *figures]


def _spread_chart(
    rows: Sequence[StandardRow], levels: Sequence[str], styles: Styles
) -> Flowable | None:
    """One bar per standard across 100%, a segment per level. Where a level's count is
    held back, the bar shows only Good or better against below Good (when that share is
    shown), so that no bar gives away a figure the table holds back."""
    bars: list[tuple[StandardRow, list[tuple[float, Color, str]]]] = []
    greys = _greys(len(levels))
    combined = full = False
    for r in rows:
        rated = r.rated.value
        if not isinstance(rated, int) or rated <= 0:
            continue
        if all(isinstance(cell.value, int) for _, cell in r.levels):
            segments = [
                (float(cell.value or 0) / rated, grey, "")
                for (_, cell), grey in zip(r.levels, greys, strict=True)
            ]
            full = True
        elif isinstance(r.share, Cell) and isinstance(r.share.value, float):
            # Worded, so that no one reads them as a level's.
            segments = [
                (r.share.value, COMBINED_GOOD, " Good or better"),
                (1 - r.share.value, COMBINED_BELOW, " below Good"),
            ]
            combined = True
        else:
            continue
        bars.append((r, segments))
    if not bars:
        return None
    width = FRAME_WIDTH
    bar_width = width - LABEL_WIDTH - 4
    height = (BAR_HEIGHT + 5) * len(bars) + 10 + 12 * (combined + full)
    d = Drawing(width, height)
    y = height - BAR_HEIGHT
    for r, segments in bars:
        d.add(
            String(
                0,
                y + 3,
                fitted(f"{r.code} {r.title}", LABEL_WIDTH - 6),
                fontName=REGULAR,
                fontSize=7,
            )
        )
        x: float = LABEL_WIDTH
        for share, grey, words in segments:
            span = share * bar_width
            if span <= 0:
                continue
            d.add(Rect(x, y, span, BAR_HEIGHT, fillColor=grey, strokeColor=white, strokeWidth=0.5))
            label = f"{share * 100:.0f}%{words}"
            if words and stringWidth(label, REGULAR, 6.5) + 6 > span:
                label = f"{share * 100:.0f}%"
            if span >= 22:
                ink = white if _dark(grey) else black
                d.add(
                    String(
                        x + span / 2,
                        y + 3,
                        label,
                        fontName=REGULAR,
                        fontSize=6.5,
                        fillColor=ink,
                        textAnchor="middle",
                    )
                )
            x += span
        y -= BAR_HEIGHT + 5
    if full:
        _legend(d, list(zip(levels, greys, strict=True)), 14 if combined else 2)
    if combined:
        _legend(
            d,
            [
                ("Good or better (levels held back: too few to show)", COMBINED_GOOD),
                ("Below Good", COMBINED_BELOW),
            ],
            2,
        )
    left_out = len(rows) - len(bars)
    flow: list[Flowable] = [d]
    if left_out:
        flow.append(
            Paragraph(
                f"{left_out} standard{'s' if left_out != 1 else ''} not charted: too few "
                "ratings to show their spread.",
                styles.small,
            )
        )
    return KeepTogether(flow)


def _legend(d: Drawing, entries: Sequence[tuple[str, Color]], y: float) -> None:
    x: float = LABEL_WIDTH
    for label, grey in entries:
        d.add(Rect(x, y, 8, 8, fillColor=grey, strokeColor=MUTED, strokeWidth=0.3))
        d.add(String(x + 11, y + 1, label, fontName=REGULAR, fontSize=6.5, fillColor=MUTED))
        x += 20 + stringWidth(label, REGULAR, 6.5)


def _greys(count: int) -> list[Color]:
    if count <= len(SPREAD_GREYS):
        picks = [round(i * (len(SPREAD_GREYS) - 1) / max(count - 1, 1)) for i in range(count)]
        return [HexColor(SPREAD_GREYS[i]) for i in picks]
    return [_grey(i, count) for i in range(count)]


def _grey(i: int, count: int) -> Color:
    level = 0.18 + 0.72 * i / (count - 1)
    return Color(level, level, level)


def _dark(colour: Color) -> bool:
    return float(colour.red + colour.green + colour.blue) / 3 < 0.55


def _voice(t: BoardTables, styles: Styles) -> list[Flowable]:
    v = t.voice
    if v is None:
        return [text("No kind of direct work is counted in this report.", styles.empty)]
    return [
        _table(
            ["Observations of direct work", "Count", "Share"],
            [
                ["Counted in the period", shown(v.direct_work), ""],
                [
                    "Whose child's-voice section says something",
                    shown(v.with_voice),
                    shown(v.voice_share),
                ],
                [
                    "Of those, with feedback from the child or family",
                    shown(v.with_feedback),
                    shown(v.feedback_share),
                ],
            ],
            styles,
            widths=[0.6, 0.2, 0.2],
            empty="",
        )
    ]


def _agreement(t: BoardTables, styles: Styles) -> list[Flowable]:
    if not t.agreement:
        return [text("No observation was moderated in the period.", styles.empty)]
    # Overall rows always; a standard's only when it has enough pairs to show (the CSV
    # table keeps every one, held back as [c]).
    shown_rows = [r for n, r in enumerate(t.agreement) if n < 2 or r.pairs.value is not None]
    left_out = len(t.agreement) - len(shown_rows)
    return [
        text(
            "A second practice lead or the QA lead rated a sample of signed observations "
            "without seeing the original ratings. Exact: the same level; within one: at most "
            "one level apart; weighted kappa (quadratic, observer against moderator) and "
            "Krippendorff's alpha (ordinal, every rating of each record): agreement beyond "
            "chance (1 is perfect, 0 no better than chance), each with its 95% interval; "
            "observer higher and lower: pairs where the observer rated above or below the "
            "moderator. Moderation covers every team for the period.",
            styles.small,
        ),
        _table(
            [
                "",
                "Pairs",
                "Exact",
                "Within one",
                "Weighted kappa",
                "95% interval",
                "Alpha",
                "95% interval",
                "Observer higher",
                "Observer lower",
            ],
            [
                [
                    r.label,
                    shown(r.pairs),
                    shown(r.exact),
                    shown(r.within_one),
                    shown(r.kappa),
                    shown(r.kappa_interval),
                    shown(r.alpha),
                    shown(r.alpha_interval),
                    shown(r.higher),
                    shown(r.lower),
                ]
                for r in shown_rows
            ],
            styles,
            widths=[0.18, 0.07, 0.07, 0.08, 0.10, 0.11, 0.07, 0.11, 0.105, 0.105],
            empty="",
            head_style=_small_head(styles),
        ),
        *(
            [
                text(
                    f"{left_out} standard{'s' if left_out != 1 else ''} with fewer than 5 "
                    "moderated ratings in the period "
                    f"{'are' if left_out != 1 else 'is'} left out.",
                    styles.small,
                )
            ]
            if left_out
            else []
        ),
    ]


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    styles: Styles,
    *,
    widths: Sequence[float],
    empty: str,
    head_style: ParagraphStyle | None = None,
) -> Flowable:
    if not rows:
        return text(empty, styles.empty)
    data = [[Paragraph(h, head_style or styles.column_head) for h in head]]
    data += [[Paragraph(_escape(value), styles.cell) for value in row] for row in rows]
    table = Table(data, colWidths=[FRAME_WIDTH * w for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _BoardCanvas(Canvas):  # type: ignore[misc]
    """Holds pages back until the end, so each can say how many pages there are."""

    def __init__(self, *args: Any, head: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head = head
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._furniture(number, pages)
            super().showPage()
        super().save()

    def _furniture(self, page: int, pages: int) -> None:
        self.saveState()
        self.setFillColor(MUTED)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        right = PAGE_WIDTH - RIGHT_MARGIN
        top = PAGE_HEIGHT - TOP_MARGIN + 5 * mm
        self.setFont(REGULAR, FOOTER_SIZE)
        self.drawString(LEFT_MARGIN, top, fitted(self._head, FRAME_WIDTH))
        self.line(LEFT_MARGIN, top - 2 * mm, right, top - 2 * mm)
        # The visible signature sits in the strip above this rule on the cover
        # (observer/documents/summaries.py, _signature_strip).
        rule = BOTTOM_MARGIN - 8 * mm
        self.line(LEFT_MARGIN, rule, right, rule)
        self.setFont(BOLD, FOOTER_SIZE)
        self.drawString(LEFT_MARGIN, rule - 4 * mm, "Anonymised: no worker or observer is named.")
        self.setFont(REGULAR, FOOTER_SIZE)
        self.drawString(
            LEFT_MARGIN, rule - 7.5 * mm, "Digitally signed: check it with observer verify FILE.pdf"
        )
        page_number_and_draft(self, right, rule, page, pages, draft=False)
        self.restoreState()
