"""Text comparison the way people expect: case, accents and spacing do not matter."""

from __future__ import annotations

import unicodedata

# Letters that carry no separable accent but that people type without one.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"}
)


def searchable(text: str) -> str:
    """Folds case and accents so that "zoe lukasiewicz" finds "Zoë Łukasiewicz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.translate(_UNDECOMPOSABLE).split())
