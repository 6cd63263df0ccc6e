"""The look of a summary: page geometry, a calm palette, and the paragraph styles."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from observer.documents.pdf.fonts import BOLD, OBLIQUE, REGULAR, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT_MARGIN = RIGHT_MARGIN = 18 * mm
TOP_MARGIN = 20 * mm
BOTTOM_MARGIN = 24 * mm
# Text sits 6 pt inside the frame (reportlab's frame padding); tables and rules span the
# whole frame, so their cell text lines up with the headings and their rules hang outside.
FRAME_WIDTH = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN

INK = HexColor("#1f2933")
MUTED = HexColor("#5b6670")
ACCENT = HexColor("#2c5a6e")
RULE = HexColor("#c7d1d8")
HEADER_SHADE = HexColor("#edf2f5")
WATERMARK = HexColor("#9aa3aa")
# Shades that may accompany a rating's words, best level first; never used alone.
LEVEL_SHADES = (
    HexColor("#dfeee2"),
    HexColor("#e2ecf6"),
    HexColor("#fbeed5"),
    HexColor("#f6dedb"),
)
NOT_OBSERVED_SHADE = HexColor("#ececec")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle
    empty: ParagraphStyle
    organisation: ParagraphStyle
    title: ParagraphStyle
    status: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    column_head: ParagraphStyle
    judgement: ParagraphStyle


def make_styles() -> Styles:
    register_fonts()

    def style(name: str, size: float, leading: float, **extra: object) -> ParagraphStyle:
        extra.setdefault("fontName", REGULAR)
        extra.setdefault("textColor", INK)
        return ParagraphStyle(name, fontSize=size, leading=leading, **extra)

    return Styles(
        body=style("body", 9.5, 13.8, spaceAfter=4),
        cell=style("cell", 9, 12.6),
        cell_bold=style("cell_bold", 9, 12.6, fontName=BOLD),
        label=style("label", 8.5, 12.6, fontName=BOLD, textColor=MUTED),
        small=style("small", 8, 11, textColor=MUTED),
        empty=style("empty", 9, 12.6, fontName=OBLIQUE, textColor=MUTED),
        organisation=style("organisation", 11, 14, fontName=BOLD, textColor=MUTED),
        title=style("title", 19, 24, fontName=BOLD, textColor=ACCENT, spaceAfter=2),
        status=style("status", 9.5, 13, textColor=MUTED, spaceAfter=6),
        heading=style(
            "heading", 12.5, 16, fontName=BOLD, textColor=ACCENT, spaceBefore=14, spaceAfter=6
        ),
        subheading=style(
            "subheading", 10, 13.5, fontName=BOLD, spaceBefore=8, spaceAfter=3, keepWithNext=1
        ),
        column_head=style("column_head", 8.5, 11.5, fontName=BOLD, textColor=MUTED),
        judgement=style("judgement", 11, 14, fontName=BOLD),
    )


def level_shade(position: int | None, count: int) -> Color:
    """The shade for the level at `position` (0 = best) of `count`; grey for Not observed."""
    if position is None or count <= 0:
        return NOT_OBSERVED_SHADE
    if count == 1:
        return LEVEL_SHADES[0]
    index = round(position * (len(LEVEL_SHADES) - 1) / (count - 1))
    return LEVEL_SHADES[index]
