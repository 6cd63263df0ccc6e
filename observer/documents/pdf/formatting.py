"""Words and text for summaries: UK dates, durations, and user text made safe for layout.

Text people type is text, never markup: it is escaped before reportlab sees it, and
long text is cut into pieces small enough that no table cell outgrows a page.
No reportlab here, so these rules are tested on their own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from observer.text import uk_date as uk_date

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LINE_SEPARATORS = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# Unicode's control characters (Cc) but the line feed, and lone surrogates (Cs).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_ZONE_NAME = re.compile(r"^[A-Z]{3,5}$")


def local(moment: datetime) -> datetime:
    """The moment on this laptop's clock; a naive time is taken as UTC, as the store keeps."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def uk_time(moment: datetime) -> str:
    """10:30 GMT; the zone's name only where it is a short one such as GMT or BST."""
    zone = moment.tzname() or ""
    return f"{moment:%H:%M} {zone}" if _ZONE_NAME.match(zone) else f"{moment:%H:%M}"


def uk_datetime(moment: datetime, *, weekday: bool = False) -> str:
    """12 March 2025, 10:30 GMT in local time; with the weekday for the observation itself."""
    moment = local(moment)
    day = uk_date(moment.date())
    if weekday:
        day = f"{WEEKDAYS[moment.weekday()]} {day}"
    return f"{day}, {uk_time(moment)}"


def local_date(moment: datetime) -> str:
    return uk_date(local(moment).date())


def duration(minutes: int | None) -> str:
    if minutes is None:
        return "Not recorded"
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if rest or not hours:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def clean(text: str) -> str:
    """Line breaks made plain, control characters dropped, surrounding blank space trimmed."""
    text = _LINE_SEPARATORS.sub("\n", text).replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def markup(text: str) -> str:
    """User text as paragraph markup that shows exactly the characters typed, line by line."""
    return escape(clean(text)).replace("\n", "<br/>")


def markup_lines(text: str) -> str:
    """Like `markup` for a run of lines already cleaned, keeping blank lines at either end."""
    return escape(text).replace("\n", "<br/>")


def line_groups(text: str, max_lines: int = 40) -> list[str]:
    """Text as runs of at most `max_lines` lines, cut only at line breaks.

    reportlab re-measures a paragraph each time it splits one across a page, so text
    with thousands of short lines is laid out as several paragraphs, not one.
    """
    lines = clean(text).split("\n")
    return ["\n".join(lines[i : i + max_lines]) for i in range(0, len(lines), max_lines)]


def chunks(text: str, line_chars: int, max_lines: int = 24) -> list[str]:
    """Cuts text into pieces that each fit comfortably in one table cell on one page.

    `line_chars` is how many of the widest characters fit on one line of the cell, so the
    estimate errs towards short pieces. Pieces break between lines where they can, else
    after a sentence, else between words; text that fits stays whole.
    """
    line_chars = max(line_chars, 8)
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for line in clean(text).split("\n"):
        for part in _split_line(line, line_chars * max_lines // 2):
            cost = 1 + len(part) // line_chars
            if current and used + cost > max_lines:
                pieces.append("\n".join(current).strip("\n"))
                current, used = [], 0
            current.append(part)
            used += cost
    if current:
        pieces.append("\n".join(current).strip("\n"))
    return [piece for piece in pieces if piece] or [""]


def _split_line(line: str, limit: int) -> list[str]:
    parts = []
    while len(line) > limit:
        head = line[:limit]
        cut = _last_break(head, (". ", "! ", "? ", "; "), limit // 2)
        if cut is None:
            cut = _last_break(head, (" ",), limit // 2)
        if cut is None:
            cut = limit
        parts.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    parts.append(line)
    return parts


def _last_break(head: str, marks: tuple[str, ...], earliest: int) -> int | None:
    best = max(head.rfind(mark) for mark in marks)
    return best + 1 if best >= earliest else None
