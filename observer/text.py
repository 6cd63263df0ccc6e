"""Text comparison the way people expect: case, accents and spacing do not matter."""

from __future__ import annotations

import unicodedata

# Letters that carry no separable accent but that people type without one.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"}
)


class _Folding(dict[int, int | str | None]):
    """What each character of a decomposed text becomes: accents (combining marks) go, the
    letters above become their plain spelling, the rest stay. Filled as characters are
    first met, so that folding a text is one `str.translate`, not a Python step a letter."""

    def __missing__(self, code: int) -> int | str | None:
        folded: int | str | None = (
            None if unicodedata.combining(chr(code)) else _UNDECOMPOSABLE.get(code, code)
        )
        self[code] = folded
        return folded


_FOLDING = _Folding()


def searchable(text: str) -> str:
    """Folds case and accents so that "zoe lukasiewicz" finds "Zoë Łukasiewicz"."""
    folded = text.casefold()
    if not folded.isascii():  # plain ASCII has no accents to take off: a list is mostly that
        folded = unicodedata.normalize("NFKD", folded).translate(_FOLDING)
    return " ".join(folded.split())
