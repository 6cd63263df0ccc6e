"""Text the way people expect it: comparison where case, accents and spacing do not matter,
dates in words (12 March 2025) whatever the system locale, and dates read as people type
them: as the app shows them (31/03/2025) or as scripts write them (2025-03-31)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from observer.errors import InvalidInput

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


# Dates as typed: the app's dd/mm/yyyy (a day or month of one digit too) or ISO yyyy-mm-dd,
# with a 24-hour HH:MM after a space (or ISO's T) where a time is taken. Digits are ASCII:
# other scripts' digits would read as numbers no one typed.
_DAY = (
    r"(?:(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})"
    r"|(?P<iy>[0-9]{4})-(?P<im>[0-9]{2})-(?P<id>[0-9]{2}))"
)
_DAY_ONLY = re.compile(_DAY, re.ASCII)
_DAY_AND_TIME = re.compile(_DAY + r"(?:[ T]+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2}))", re.ASCII)
_SHOWN = 40  # characters of what was typed quoted back in an error
FIRST_YEAR, LAST_YEAR = 1900, 2199  # as records may carry (observer/vocabulary.py)
DATE_FORMS = "dd/mm/yyyy (31/03/2025) or yyyy-mm-dd (2025-03-31)"
DATE_TIME_FORMS = "dd/mm/yyyy HH:MM (31/03/2025 14:30) or yyyy-mm-dd HH:MM (2025-03-31 14:30)"


def parse_day(text: str) -> date:
    """A date typed as dd/mm/yyyy or yyyy-mm-dd; InvalidInput, one sentence, for any other."""
    found = _DAY_ONLY.fullmatch(text.strip())
    if found is None:
        raise InvalidInput(f"{_quoted(text)} is not a date: give it as {DATE_FORMS}.")
    return _day(found, text)


def parse_day_time(text: str) -> datetime:
    """A day and a time typed as dd/mm/yyyy HH:MM or yyyy-mm-dd HH:MM, on this laptop's
    clock (a naive datetime); InvalidInput, one sentence, for anything else."""
    found = _DAY_AND_TIME.fullmatch(text.strip())
    if found is None:
        raise InvalidInput(f"{_quoted(text)} is not a date and time: give it as {DATE_TIME_FORMS}.")
    day = _day(found, text)
    hour, minute = int(found["H"]), int(found["M"])
    if hour > 23 or minute > 59:
        raise InvalidInput(f"{_quoted(text)} has no such time of day: use 00:00 to 23:59.")
    return datetime.combine(day, time(hour, minute))


def _day(found: re.Match[str], text: str) -> date:
    if found["y"] is not None:
        year, month, day = int(found["y"]), int(found["m"]), int(found["d"])
    else:
        year, month, day = int(found["iy"]), int(found["im"]), int(found["id"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            f"{_quoted(text)} is outside the years {FIRST_YEAR} to {LAST_YEAR} that records cover."
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{_quoted(text)} is not a day on the calendar.") from None


def _quoted(text: str) -> str:
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
