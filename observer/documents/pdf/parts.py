"""Building blocks shared by the sections of a summary: text, headings, images, tables.

Every piece of text goes through `text`, which escapes it: names, evidence and even
framework titles are shown exactly as written, never read as markup.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import CondPageBreak, Flowable, Image, Paragraph

from observer.documents.pdf.formatting import chunks, line_groups, markup, markup_lines
from observer.documents.pdf.styles import Styles

log = logging.getLogger(__name__)

CELL_PADDING = 6


def text(value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup(value), style)


def flowing(
    value: str, style: ParagraphStyle, empty: ParagraphStyle, missing: str
) -> list[Paragraph]:
    """Text that may run over many pages, as paragraphs that split cheaply; or `missing`.

    reportlab measures a paragraph again each time it splits it across a page, so text
    with thousands of short lines is laid out as several paragraphs, not one.
    """
    if not value.strip():
        return [text(missing, empty)]
    *runs, last = line_groups(value)
    run = ParagraphStyle(f"{style.name}-run", parent=style, spaceAfter=0)
    return [*(Paragraph(markup_lines(g), run) for g in runs), Paragraph(markup_lines(last), style)]


def heading(title: str, styles: Styles, room: float = 80) -> list[Flowable]:
    """A section heading that never sits alone at the foot of a page."""
    return [CondPageBreak(room), text(title, styles.heading)]


def cell_pieces(value: str, width: float, style: ParagraphStyle) -> list[Paragraph]:
    """The text as one or more paragraphs, none taller than a page, for consecutive rows."""
    usable = width - 2 * CELL_PADDING
    return [text(piece, style) for piece in chunks(value, int(usable / style.fontSize))]


def scaled_image(source: Path | bytes, max_width: float, max_height: float) -> Image | None:
    """The image shrunk to fit the box, keeping its proportions; None if it cannot be read."""
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
        reader = ImageReader(BytesIO(data))
        reader.getRGBData()  # decoded now, so a damaged image fails here, not mid-build
        width, height = reader.getSize()
    except Exception:  # a damaged logo or drawing must not stop the summary
        log.warning("an image for a summary could not be read", exc_info=True)
        return None
    if width <= 0 or height <= 0:
        return None
    scale = min(max_width / width, max_height / height, 1.0)
    image = Image(BytesIO(data), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


@dataclass
class Rows:
    """Table rows plus the style commands that go with them, built up item by item."""

    data: list[list[Any]] = field(default_factory=list)
    commands: list[tuple[Any, ...]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # the first row of each item

    def add(self, cells: Sequence[Any], *, new_item: bool = True) -> int:
        """A row; `new_item` False for a row that belongs with the item above it."""
        self.data.append(list(cells))
        if new_item:
            self.starts.append(len(self.data) - 1)
        return len(self.data) - 1

    def style(self, *command: Any) -> None:
        self.commands.append(tuple(command))

    def add_continuation(self, cells: Sequence[Any]) -> int:
        """A row that carries on the text of the row above, with no gap between them."""
        self.data.append(list(cells))
        row = len(self.data) - 1
        self.style("BOTTOMPADDING", (0, row - 1), (-1, row - 1), 0)
        self.style("TOPPADDING", (0, row), (-1, row), 0)
        return row

    def finished(self, header_rows: int = 1) -> list[tuple[Any, ...]]:
        """The style commands, with rows joined so that a page break never leaves an item
        alone: the header stays with the first item, the first with the second, the last
        with the one before it, so no page holds a lone row of a table (under the header it
        repeats). Each join is of two rows, and a piece of text is never taller than half a
        page (formatting.chunks), so the table can always split somewhere.

        Every join spans the whole width; joins that share a row are merged into one, as
        reportlab forgets one of two NOSPLIT ranges that overlap."""
        items = [row for row in self.starts if row >= header_rows]
        joins = [(row - 1, row) for row in (items[:1] if header_rows else [])]
        if len(items) >= 2:
            joins += [(items[1] - 1, items[1]), (items[-1] - 1, items[-1])]
        joins += [(c[1][1], c[2][1]) for c in self.commands if c[0] == "NOSPLIT"]
        merged: list[list[int]] = []
        for first, last in sorted(joins):
            if merged and first <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        others = [c for c in self.commands if c[0] != "NOSPLIT"]
        return others + [("NOSPLIT", (0, first), (-1, last)) for first, last in merged]
