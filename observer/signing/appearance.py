"""The visible signature: a box on the last page saying who signed and when.

pyHanko's built-in stamp font covers Latin-1 only, and signers are called Zoë, Ελένη or
Наталья; so the stamp is set in the app's Unicode font, embedded as a subset of the
glyphs it uses. reportlab lays the text out and makes the subsets; the drawing goes
straight into the signature's appearance as pyHanko objects (drawing a one-page PDF with
reportlab, then parsing it and importing the page, cost more than the rest of the stamp).
Imported only when signing.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import StaticContentStamp, StaticStampStyle, TextStampStyle
from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)

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
        style = StaticStampStyle(
            border_width=0,
            background=_DrawnStamp(text, float(box.width), float(box.height)),
            background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=layout.Margins(),
            ),
        )
        return StaticContentStamp(writer=writer, style=style, box=box)


@dataclass(frozen=True)
class _Line:
    font: str
    text: str
    y: float


def _stamp_lines(text: str, width: float, height: float) -> tuple[float, list[_Line]]:
    """The stamp's font size and lines in a box of that size: the first line bold, the
    rest plain, as large as fits (9 pt at most), centred vertically, `PADDING` in."""
    _register_fonts()
    padding = min(PADDING, height / 8)
    paragraphs = text.split("\n")
    size = 9.0
    while True:
        lines = _lines(paragraphs, width - 2 * padding, size)
        if len(lines) * size * LEADING <= height - 2 * padding or size <= MIN_SIZE:
            break
        size -= 0.25
    block = len(lines) * size * LEADING
    top = height - (height - block) / 2 - size
    return size, [
        _Line(font, line, top - n * size * LEADING) for n, (font, line) in enumerate(lines)
    ]


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


def _numbers(*values: float) -> bytes:
    """Numbers as a content stream takes them (never in exponent form)."""
    return fp_str(*values).encode("ascii")  # type: ignore[no-any-return]


class _DrawnStamp(content.PdfContent):
    """The stamp drawn into the signature's appearance: the box, then each line in its
    font, embedded as reportlab subsets it (glyph codes, widths, ToUnicode map)."""

    def __init__(self, text: str, width: float, height: float) -> None:
        super().__init__(box=layout.BoxConstraints(width=width, height=height))
        self._text, self._width, self._height = text, width, height

    def render(self) -> bytes:
        width, height = self._width, self._height
        size, lines = _stamp_lines(self._text, width, height)
        padding = min(PADDING, height / 8)
        ops = [
            b"q %s rg %s RG 1.2 w %s re B Q"
            % (
                _numbers(*PAPER.rgb()),
                _numbers(*RULE.rgb()),
                _numbers(0.6, 0.6, width - 1.2, height - 1.2),
            ),
            b"q %s rg" % _numbers(*INK.rgb()),
        ]
        document = _Subsets()
        used: dict[str, TTFont] = {}
        try:
            for line in lines:
                font = pdfmetrics.getFont(line.font)
                used[line.font] = font
                ops.append(b"BT %s Td" % _numbers(padding, line.y))
                for subset, codes in font.splitString(line.text, document):
                    ops.append(
                        b"/%s %s Tf <%s> Tj"
                        % (_name(line.font, subset), _numbers(size), codes.hex().encode())
                    )
                ops.append(b"ET")
            for name, font in used.items():
                for n, subset in enumerate(font.state[document].subsets):
                    self.set_resource(
                        content.ResourceType.FONT,
                        generic.NameObject("/" + _name(name, n).decode()),
                        _subset_font(self._ensure_writer, font, n, subset),
                    )
        finally:
            for font in used.values():
                font.state.pop(document, None)
        ops.append(b"Q")
        return b" ".join(ops)


class _Subsets:
    """What reportlab keys a document's font subsets by (weakly): this drawing's own."""


def _name(font: str, subset: int) -> bytes:
    return b"%s%d" % (b"StampBold" if font == FONT_BOLD else b"Stamp", subset)


def _pdf(value: Any) -> Any:
    """A pyHanko object for a plain value: "/Name", a number, a list or a dict (keys are
    names); pyHanko objects (references) as they are."""
    if isinstance(value, generic.PdfObject):
        return value
    if isinstance(value, str):
        return generic.NameObject(value)
    if isinstance(value, dict):
        return generic.DictionaryObject(  # type: ignore[no-untyped-call]
            {generic.NameObject(k): _pdf(v) for k, v in value.items()}
        )
    if isinstance(value, list | tuple):
        return generic.ArrayObject(_pdf(v) for v in value)
    if float(value).is_integer():
        return generic.NumberObject(int(value))  # type: ignore[no-untyped-call]
    return generic.FloatObject(value)  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class _Packed:
    """A stream's data, compressed; for a font file, also its length before."""

    data: bytes
    length1: int | None = None


def _stream(writer: BasePdfFileWriter, packed: _Packed) -> generic.PdfObject:
    entries: dict[str, Any] = {"/Filter": "/FlateDecode"}
    if packed.length1 is not None:
        entries["/Length1"] = packed.length1
    return writer.add_object(generic.StreamObject(_pdf(entries), encoded_data=packed.data))


# A signer's stamp uses the same few subsets from one signature to the next (the ASCII
# range, and the letters of their name), so each is cut and compressed once.
@functools.lru_cache(maxsize=32)
def _font_file(font: str, subset: tuple[int, ...]) -> _Packed:
    data = pdfmetrics.getFont(font).face.makeSubset(list(subset))
    return _Packed(zlib.compress(data), len(data))


@functools.lru_cache(maxsize=32)
def _unicode_map(base: str, subset: tuple[int, ...]) -> _Packed:
    data = makeToUnicodeCMap(base, list(subset)).encode("latin-1")
    return _Packed(zlib.compress(data))


def _subset_font(
    writer: BasePdfFileWriter, font: TTFont, n: int, subset: list[int]
) -> generic.PdfObject:
    """The PDF font for subset `n` of `font`, as reportlab's TTFont.addObjects makes it."""
    face = font.face
    base = (SUBSETN(n) + b"+" + face.name + face.subfontNameX).decode("latin-1")
    descriptor = {
        "/Type": "/FontDescriptor",
        "/Ascent": face.ascent,
        "/CapHeight": face.capHeight,
        "/Descent": face.descent,
        "/Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
        "/FontBBox": face.bbox,
        "/FontName": f"/{base}",
        "/ItalicAngle": face.italicAngle,
        "/StemV": face.stemV,
        "/FontFile2": _stream(writer, _font_file(font.fontName, tuple(subset))),
        "/MissingWidth": face.defaultWidth,
    }
    return writer.add_object(
        _pdf(
            {
                "/Type": "/Font",
                "/Subtype": "/TrueType",
                "/BaseFont": f"/{base}",
                "/FirstChar": 0,
                "/LastChar": len(subset) - 1,
                "/Widths": [face.getCharWidth(c) for c in subset],
                "/ToUnicode": _stream(writer, _unicode_map(base, tuple(subset))),
                "/FontDescriptor": writer.add_object(_pdf(descriptor)),
            }
        )
    )
