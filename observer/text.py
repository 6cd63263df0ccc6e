"""Text the way people expect it: comparison where case, accents and spacing do not matter,
dates in words (12 March 2025) whatever the system locale, and dates read as people type
them: as the app shows them (31/03/2025) or as scripts write them (2025-03-31)."""

from __future__ import annotations

import unicodedata
from datetime import date

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


def name_key(name: str) -> str:
    """A name as people tell two apart: case and spacing aside ("children's team a " is
    "Children's Team A"), accents kept (they may be all that tells two names apart)."""
    return " ".join(name.casefold().split())


def name_order(name: str) -> tuple[str, str]:
    """How a list of names is ordered: as letters, case and accents aside, so "Émile" sits
    among the E's and "Åsa" among the A's rather than after "Zofia", where the store's
    order by code point would put them; names that fold alike keep a fixed order."""
    return searchable(name), name


# Marks that reorder how text is shown (the "Trojan source" characters): a name holding
# them can show as one thing and sort, search and sign as another.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control character (NUL, a terminal escape, any C0 or C1
    code, DEL) or a bidirectional override: nothing a person's or team's name needs, and
    what would rewrite a terminal or disguise the name when printed."""
    if text.isprintable():  # printable text holds no control (Cc) or format (Cf) character
        return False
    return any(unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS for c in text)


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def uk_date(day: date) -> str:
    """12 March 2025 — English month names whatever the system locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


_SHOWN = 40  # characters of what was typed quoted back in an error


def quoted(text: str) -> str:
    """What was typed, quoted, with any control character shown as an escape, and cut
    short (whole characters, whole escapes) so the sentence stays one short line."""
    if len(repr(text)) <= _SHOWN:
        return repr(text)
    kept = ""
    for character in text:
        if len(repr(kept + character)) > _SHOWN - 1:
            break
        kept += character
    return repr(kept + "…")


# Where two people's additions to one text meet.
SEPARATOR = "\n\n"


def merge_text(base: str, ours: str, theirs: str) -> str:
    """Both people's words: each one's additions after the shared start, or both texts."""
    if ours == theirs or not theirs.strip():
        return ours
    if not ours.strip():
        return theirs
    if ours.startswith(base) and theirs.startswith(base):
        added = [a for a in (ours[len(base) :], theirs[len(base) :]) if a.strip()]
        if len(added) < 2:
            return theirs if theirs[len(base) :].strip() else ours
        # Keep how our addition was attached to the shared start (a space, a new line).
        lead = added[0][: len(added[0]) - len(added[0].lstrip())]
        return base + lead + SEPARATOR.join(a.strip() for a in added)
    if theirs.strip() in ours:
        return ours
    if ours.strip() in theirs:
        return theirs
    return ours + SEPARATOR + theirs
