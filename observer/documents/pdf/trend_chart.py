"""The trend chart of a history PDF: one chart per framework version, drawn with reportlab.

A chart is a column of strips, one per standard the version rated, sharing one date axis:
each strip has the version's own scale down its side (best level at the top, in words)
and the standard's ratings as a line through its points. Strips rather than one crowded
plot, because ratings sit on a handful of levels and the lines of ten standards would
hide one another. Nothing depends on colour: ratings below Good are filled squares, the
others open circles, and the band of levels below Good is shaded grey, so a greyscale
print or photocopy loses nothing. Versions are never merged: each has its own chart,
titled with the version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import Color, HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer

from observer.documents.pdf.fonts import BOLD, REGULAR
from observer.documents.pdf.parts import text
from observer.documents.pdf.styles import FRAME_WIDTH, INK, MUTED, RULE, Styles
from observer.review.trends import FrameworkTrends, ScaleLevel, StandardTrend
from observer.text import MONTHS

LABEL_WIDTH = 122.0  # the level names down the side of each strip
PLOT_LEFT = LABEL_WIDTH + 8
PLOT_RIGHT_PAD = 10.0
TITLE_HEIGHT = 12.0
LEVEL_GAP = 11.0
BAND_PAD = 6.0
STRIP_GAP = 6.0
AXIS_HEIGHT = 16.0
MAX_CHART_HEIGHT = 660.0  # more standards than fit go on in a further chart, same axis
MARKER_ROOM = 4.0
DENSE = 60  # above this many points a strip draws smaller markers
BELOW_GOOD_SHADE = HexColor("#e4e4e4")
GRID = HexColor("#d9dee2")
TITLE_SIZE = 8.0
LABEL_SIZE = 6.8
AXIS_SIZE = 7.0

CAPTION = (
    "Each strip is one standard: its ratings in date order, the scale's best level at the "
    "top. Open circles are ratings of Good or better; filled squares, and the shaded band, "
    "are below Good. Standards not observed are not drawn. Only observations the observer "
    "has finished (ready for sign-off or signed) are charted."
)


def trend_charts(
    trends: Sequence[FrameworkTrends], span: tuple[date, date], styles: Styles
) -> list[Flowable]:
    """A chart for each framework version, all on the same dates, or a sentence if none."""
    if not trends:
        return [
            text(
                "No finished observation in this period rated a standard, so there is no "
                "trend to chart.",
                styles.empty,
            )
        ]
    parts: list[Flowable] = [text(CAPTION, styles.small), Spacer(0, 4)]
    for framework in trends:
        for number, group in enumerate(_groups(framework)):
            title: list[Flowable] = [text(f"{framework.title}, continued", styles.subheading)]
            if not number:
                title = [text(framework.title, styles.subheading)]
                if framework.name != framework.short_name:
                    title.append(text(framework.name, styles.small))
            parts.append(
                KeepTogether([*title, Spacer(0, 4), chart_drawing(framework, group, span)])
            )
        parts.append(Spacer(0, 6))
    return parts


def chart_span(
    trends: Sequence[FrameworkTrends], first: date | None, last: date | None
) -> tuple[date, date]:
    """The dates every chart runs over: the period asked for, else the ratings' dates."""
    days = [p.observed_on for t in trends for s in t.standards for p in s.points]
    start = first or (min(days) if days else date.today())
    end = last or (max(days) if days else start)
    if end <= start:
        start, end = start - timedelta(days=15), end + timedelta(days=15)
    return start, end


def _groups(framework: FrameworkTrends) -> list[tuple[StandardTrend, ...]]:
    """The standards in as few charts of a page each as they need, evenly shared."""
    fits = max(1, int((MAX_CHART_HEIGHT - AXIS_HEIGHT) // _strip_height(framework.scale)))
    standards = framework.standards
    charts = -(-len(standards) // fits)
    per_chart = -(-len(standards) // max(charts, 1))
    return [standards[i : i + per_chart] for i in range(0, len(standards), per_chart)]


def _strip_height(scale: Sequence[ScaleLevel]) -> float:
    return TITLE_HEIGHT + _band_height(scale) + STRIP_GAP


def _band_height(scale: Sequence[ScaleLevel]) -> float:
    return max(len(scale) - 1, 1) * LEVEL_GAP + 2 * BAND_PAD


def chart_drawing(
    framework: FrameworkTrends,
    standards: Sequence[StandardTrend],
    span: tuple[date, date],
    width: float = FRAME_WIDTH,
) -> Drawing:
    """The strips of `standards` above a date axis, as one reportlab Drawing."""
    height = AXIS_HEIGHT + len(standards) * _strip_height(framework.scale)
    drawing = Drawing(width, height)
    axis = _Axis(span, PLOT_LEFT, width - PLOT_RIGHT_PAD, inset=MARKER_ROOM)
    top = height
    for standard in standards:
        _strip(drawing, framework, standard, axis, top, width)
        top -= _strip_height(framework.scale)
    axis.draw_labels(drawing, AXIS_HEIGHT - 10)
    return drawing


class _Axis:
    """Dates to x positions, and the ticks along the bottom."""

    def __init__(
        self, span: tuple[date, date], left: float, right: float, inset: float = 0.0
    ) -> None:
        self.first, self.last = span
        self.left, self.right = left, right
        self.inset = inset  # so markers at either end of the span stay inside the frame
        self.ticks = _ticks(self.first, self.last)

    def x(self, day: date) -> float:
        days = max((self.last - self.first).days, 1)
        share = min(max((day - self.first).days / days, 0.0), 1.0)
        return self.left + self.inset + share * (self.right - self.left - 2 * self.inset)

    def draw_grid(self, drawing: Drawing, bottom: float, top: float) -> None:
        for day, _ in self.ticks:
            x = self.x(day)
            drawing.add(Line(x, bottom, x, top, strokeColor=GRID, strokeWidth=0.4))

    def draw_labels(self, drawing: Drawing, y: float) -> None:
        drawing.add(Line(self.left, y + 8, self.right, y + 8, strokeColor=MUTED, strokeWidth=0.5))
        for day, label in self.ticks:
            x = self.x(day)
            drawing.add(Line(x, y + 8, x, y + 5, strokeColor=MUTED, strokeWidth=0.5))
            drawing.add(
                String(
                    x,
                    y - 2,
                    label,
                    fontName=REGULAR,
                    fontSize=AXIS_SIZE,
                    fillColor=MUTED,
                    textAnchor=_anchor(x, label, self.left, self.right),
                )
            )


def _anchor(x: float, label: str, left: float, right: float) -> str:
    """Centred under its tick, unless that would run past either end of the axis."""
    half = stringWidth(label, REGULAR, AXIS_SIZE) / 2
    if x - half < left - 4:
        return "start"
    if x + half > right + PLOT_RIGHT_PAD:
        return "end"
    return "middle"


def _strip(
    drawing: Drawing,
    framework: FrameworkTrends,
    standard: StandardTrend,
    axis: _Axis,
    top: float,
    width: float,
) -> None:
    scale = framework.scale
    title_base = top - TITLE_HEIGHT + 3
    latest = standard.points[-1] if standard.points else None
    count = len(standard.points)
    note = f"{count} rating{'s' if count != 1 else ''}"
    if latest is not None:
        note += f"; latest {latest.level_label}"
    drawing.add(
        String(
            width - PLOT_RIGHT_PAD,
            title_base,
            note,
            fontName=REGULAR,
            fontSize=LABEL_SIZE,
            fillColor=MUTED,
            textAnchor="end",
        )
    )
    room = width - PLOT_RIGHT_PAD - stringWidth(note, REGULAR, LABEL_SIZE) - 12
    title = _fitted(f"{standard.code}. {standard.title}", room, BOLD, TITLE_SIZE)
    drawing.add(String(0, title_base, title, fontName=BOLD, fontSize=TITLE_SIZE, fillColor=INK))

    band_top = top - TITLE_HEIGHT
    band_bottom = band_top - _band_height(scale)
    ys = _level_ys(scale, band_top)
    below = [ys[level.code] for level in scale if level.below_good]
    if below:
        shade_top = max(below) + LEVEL_GAP / 2
        drawing.add(
            Rect(
                axis.left,
                band_bottom,
                axis.right - axis.left,
                shade_top - band_bottom,
                fillColor=BELOW_GOOD_SHADE,
                strokeColor=None,
            )
        )
    drawing.add(
        Rect(
            axis.left,
            band_bottom,
            axis.right - axis.left,
            band_top - band_bottom,
            fillColor=None,
            strokeColor=RULE,
            strokeWidth=0.5,
        )
    )
    axis.draw_grid(drawing, band_bottom, band_top)
    for level in scale:
        y = ys[level.code]
        drawing.add(Line(axis.left, y, axis.right, y, strokeColor=GRID, strokeWidth=0.3))
        label = _fitted(level.label, LABEL_WIDTH, REGULAR, LABEL_SIZE)
        drawing.add(
            String(
                LABEL_WIDTH,
                y - LABEL_SIZE * 0.35,
                label,
                fontName=REGULAR,
                fontSize=LABEL_SIZE,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    _series(drawing, standard, axis, ys)


def _level_ys(scale: Sequence[ScaleLevel], band_top: float) -> dict[str, float]:
    """Each level's height in a strip: the best at the top, evenly spaced."""
    if len(scale) == 1:
        return {scale[0].code: band_top - BAND_PAD - LEVEL_GAP / 2}
    return {level.code: band_top - BAND_PAD - n * LEVEL_GAP for n, level in enumerate(scale)}


def _series(drawing: Drawing, standard: StandardTrend, axis: _Axis, ys: dict[str, float]) -> None:
    points = [
        (axis.x(p.observed_on), ys[p.level_code], p.below_good)
        for p in standard.points
        if p.level_code in ys
    ]
    if not points:
        return
    dense = len(points) > DENSE
    if len(points) > 1:
        flat: list[float] = []
        for x, y, _ in points:
            flat += [x, y]
        drawing.add(PolyLine(flat, strokeColor=INK, strokeWidth=0.5 if dense else 0.9))
    size = 1.6 if dense else 2.4
    for x, y, below in points:
        if below:
            drawing.add(_square(x, y, size, INK))
        else:
            drawing.add(Circle(x, y, size, fillColor=white, strokeColor=INK, strokeWidth=0.8))


def _square(x: float, y: float, half: float, colour: Color) -> Rect:
    return Rect(
        x - half,
        y - half,
        2 * half,
        2 * half,
        fillColor=colour,
        strokeColor=colour,
        strokeWidth=0.3,
    )


def _ticks(first: date, last: date) -> list[tuple[date, str]]:
    """Month or year starts across the span, at most eight; its two ends if none fall in it."""
    for months in (1, 2, 3, 6, 12, 24, 60):
        ticks = []
        day = date(first.year, first.month, 1)
        if day < first:
            day = _add_months(day, 1)
        while day <= last:
            if (day.year * 12 + day.month - 1) % months == 0:
                ticks.append(day)
            day = _add_months(day, 1)
        if len(ticks) <= 8:
            break
    if len(ticks) < 2:
        return [(first, _short_day(first)), (last, _short_day(last))]
    if months >= 12:
        return [(d, str(d.year)) for d in ticks]
    return [(d, f"{MONTHS[d.month - 1][:3]} {d.year}") for d in ticks]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _short_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def _fitted(line: str, width: float, font: str, size: float) -> str:
    if stringWidth(line, font, size) <= width:
        return line
    while line and stringWidth(line + "…", font, size) > width:
        line = line[:-1]
    return line.rstrip() + "…"
