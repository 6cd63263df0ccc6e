"""Reading a date and time as people type them, day first, as in England.

"07/12/2026 14:30", "7/12/26 2:30pm", "7 Dec 2026 at 9am" and ISO "2026-12-07T14:30" all
read as the same kind of value; a date alone keeps the time the caller already had. Text
that is not a date is refused in one sentence and never "corrected": a month of 60 or the
31st of a 30-day month is an error, not a roll-over into another month.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time

from observer.errors import InvalidInput
from observer.text import quoted

SHOWN_FORMAT = "%d/%m/%Y %H:%M"
EXAMPLE = "07/12/2026 14:30"
DAY_EXAMPLE = "07/12/2026"
FIRST_YEAR = 1900
LAST_YEAR = 2199

_MONTHS = {
    name.casefold(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
# Digits are ASCII (re.ASCII): other scripts' digits would read as numbers no one typed.
_DAY_FIRST = re.compile(
    r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4}|\d{2})(?!\d)", re.ASCII
)
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)", re.ASCII)
_WORDS = re.compile(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)\.?,?\s+(?P<y>\d{4}|\d{2})(?!\d)",
    re.IGNORECASE | re.ASCII,
)
_TIME = re.compile(
    r"(?P<h>\d{1,2})(?:\s*[:.]\s*(?P<min>\d{2}))?\s*(?P<half>[ap])?\.?\s*(?:m\.?)?",
    re.IGNORECASE | re.ASCII,
)
_BETWEEN = re.compile(r"(?:\s*,\s*|\s+at\s+|\s*T(?=\d)|\s+)", re.IGNORECASE)


class InvalidDate(InvalidInput):
    """Text that does not name one day (and time) unambiguously."""


def format_date_time(moment: datetime) -> str:
    """The form the field shows, which `parse_date_time` reads back as the same minute."""
    return moment.strftime(SHOWN_FORMAT)


def parse_date_time(text: str, default_time: time) -> datetime:
    """The naive local minute `text` names; `default_time` when it names a day alone."""
    typed = text.strip()
    if not typed:
        raise InvalidDate(f"Type the date and time, for example {EXAMPLE}.")
    day, rest = _read_day(typed, EXAMPLE)
    if not rest.strip():
        return datetime.combine(day, default_time.replace(second=0, microsecond=0))
    between = _BETWEEN.match(rest)
    if between is None:
        raise InvalidDate(f"Put a space between the date and the time, as in {EXAMPLE}.")
    return datetime.combine(day, _read_time(rest[between.end() :].strip()))


def parse_date(text: str) -> date:
    """A day alone, typed as `parse_date_time` reads days."""
    typed = text.strip()
    if not typed:
        raise InvalidDate(f"Type the date, for example {DAY_EXAMPLE}.")
    day, rest = _read_day(typed, DAY_EXAMPLE)
    if rest.strip():
        raise InvalidDate(f"Type only a date here, for example {DAY_EXAMPLE}, not {quoted(typed)}.")
    return day


def _read_day(typed: str, example: str) -> tuple[date, str]:
    for pattern in (_ISO, _DAY_FIRST, _WORDS):
        found = pattern.match(typed)
        if found is None:
            continue
        if pattern is _WORDS:
            month = _MONTHS.get(found["month"].casefold().rstrip("."))
            if month is None:
                raise InvalidDate(
                    f"{quoted(found['month'])} is not a month: type it as a number or name."
                )
        else:
            month = int(found["m"])
        return _day(int(found["d"]), month, found["y"]), typed[found.end() :]
    raise InvalidDate(
        f"{quoted(typed)} is not a date: type the day first, then month and year, as in {example}."
    )


def _day(day: int, month: int, year_text: str) -> date:
    year = int(year_text) + 2000 if len(year_text) == 2 else int(year_text)
    if not 1 <= month <= 12:
        raise InvalidDate(f"There is no month {month}: the month comes second, from 1 to 12.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidDate(f"{year} is not a year this can be: check the year.")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise InvalidDate(
            f"There is no day {day} in {calendar.month_name[month]} {year}: it has {days} days."
        )
    return date(year, month, day)


def _read_time(rest: str) -> time:
    found = _TIME.fullmatch(rest)
    if found is None or (found["min"] is None and found["half"] is None):
        raise InvalidDate(
            f"{quoted(rest)} is not a time: type it after the date as 14:30 or 2:30pm, "
            f"as in {EXAMPLE}."
        )
    hour, minute = int(found["h"]), int(found["min"] or 0)
    if found["half"]:
        if not 1 <= hour <= 12:
            raise InvalidDate(f"{quoted(rest)} is not a time: with am or pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if found["half"].casefold() == "p" else 0)
    if hour > 23 or minute > 59:
        raise InvalidDate(f"{quoted(rest)} is not a time of day: hours go to 23 and minutes to 59.")
    return time(hour, minute)
