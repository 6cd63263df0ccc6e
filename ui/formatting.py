"""How dates, times and other values read on screen: UK formats, the laptop's local time."""

from __future__ import annotations

from datetime import date, datetime

from observer.text import searchable

__all__ = ["searchable"]

OVERDUE = "Overdue"


def uk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    # Not strftime: it imports `time` on every call, which PySide's import hook makes slow,
    # and a table of two thousand rows formats thousands of dates.
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def uk_date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return local(value).strftime("%d/%m/%Y %H:%M")


def local(value: datetime) -> datetime:
    """Stored times are UTC; people read them in the laptop's own time zone."""
    return value.astimezone() if value.tzinfo is not None else value


def count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular}" if n == 1 else f"{n} {plural or singular + 's'}"


def showing(shown: int, total: int, singular: str, plural: str | None = None) -> str:
    """ "47 people", or "Showing 3 of 47 people" while a filter hides some."""
    if shown == total:
        return count(total, singular, plural)
    return f"Showing {shown} of {count(total, singular, plural)}"


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def framework_label(short_name: str, version: int) -> str:
    """ "Direct work, version 2": versions of a framework are never merged, so say which."""
    return f"{short_name}, version {version}"
