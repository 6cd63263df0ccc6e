"""The Unicode font summaries are set in, shipped with the app and embedded in every PDF.

reportlab's built-in fonts cover Latin-1 only; names such as Łukasiewicz, Ștefănescu,
Ελένη or Наталья need a TrueType font, embedded so the PDF reads the same anywhere.
"""

from __future__ import annotations

from pathlib import Path

from observer.paths import RESOURCES_DIR

FONTS_DIR = RESOURCES_DIR / "fonts"
FAMILY = "DejaVuSans"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
OBLIQUE = "DejaVuSans-Oblique"
FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    OBLIQUE: "DejaVuSans-Oblique.ttf",
}


def register_fonts(directory: Path = FONTS_DIR) -> str:
    """Registers the family with reportlab once; returns the family name for styles."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(directory / filename)))
    # No bold oblique is shipped: bold stands in for it.
    for bold, italic, name in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, OBLIQUE), (1, 1, BOLD)):
        addMapping(FAMILY, bold, italic, name)
    return FAMILY
