"""The visible signature: a box on the last page saying who signed and when.

pyHanko's built-in stamp font covers Latin-1 only, and signers are called Zoë, Ελένη or
Наталья; so the stamp is laid out by reportlab in the app's embedded Unicode font and
imported into the signature's appearance as a form. Imported only when signing.
"""

from __future__ import annotations

import binascii
import io
import uuid
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import StaticContentStamp, StaticStampStyle, TextStampStyle
from reportlab.lib.colors import Color
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from observer.paths import RESOURCES_DIR

FONT = "PracticeObserverStampSans"
FONT_BOLD = "PracticeObserverStampSansBold"
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
INK = Color(0.12, 0.16, 0.24)
RULE = Color(0.25, 0.35, 0.55)
PAPER = Color(0.96, 0.97, 0.99)
PADDING = 6.0
LEADING = 1.2
MIN_SIZE = 5.0


@dataclass(frozen=True)
class UnicodeTextStampStyle(TextStampStyle):
    """A text stamp whose template is filled in by pyHanko (signer, ts) and drawn here."""

    # pyHanko fills in `ts` only for TextStampStyle; the stamp drawn is a static one.
    def create_stamp(  # type: ignore[override]
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, Any]
    ) -> StaticContentStamp:
        text = self.stamp_text % text_params
        drawing = render_stamp(text, float(box.width), float(box.height))
        style = StaticStampStyle(
            border_width=0,
            background=_ImportedPdfBytes(drawing),
            background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=layout.Margins(),
            ),
        )
        return StaticContentStamp(writer=writer, style=style, box=box)


def render_stamp(text: str, width: float, height: float) -> bytes:
    """A one-page PDF of exactly the box's size: the first line bold, the rest plain,
    as large as fits (9 pt at most), centred vertically."""
    _register_fonts()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height), invariant=1, pageCompression=1)
    page.setFillColor(PAPER)
    page.setStrokeColor(RULE)
    page.setLineWidth(1.2)
    page.rect(0.6, 0.6, width - 1.2, height - 1.2, stroke=1, fill=1)
    padding = min(PADDING, height / 8)
    paragraphs = text.split("\n")
    size = 9.0
    while True:
        lines = _lines(paragraphs, width - 2 * padding, size)
        if len(lines) * size * LEADING <= height - 2 * padding or size <= MIN_SIZE:
            break
        size -= 0.25
    block = len(lines) * size * LEADING
    y = height - (height - block) / 2 - size
    page.setFillColor(INK)
    for font, line in lines:
        page.setFont(font, size)
        page.drawString(padding, y, line)
        y -= size * LEADING
    page.showPage()
    page.save()
    return out.getvalue()


def _lines(paragraphs: list[str], width: float, size: float) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for n, paragraph in enumerate(paragraphs):
        font = FONT_BOLD if n == 0 else FONT
        lines += [(font, line) for line in simpleSplit(paragraph, font, size, width) or [""]]
    return lines


def _register_fonts() -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file in FONT_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(RESOURCES_DIR / "fonts" / file)))


class _ImportedPdfBytes(content.PdfContent):
    """pyHanko's ImportedPdfPage, reading the page from memory instead of a file."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self._pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)), page_ix=0)
        resource_name = b"/Stamp" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[resource_name.decode("ascii")] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return resource_name + b" Do"
