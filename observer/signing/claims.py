"""What a Practice Observer PDF says it is, in its Info /Keywords: a summary names its
record and the record's content hash; a worker's history names the worker, the dates and
how many observations it holds. Only a signature by a certificate this laptop knows
vouches for what these say (observer/signing/verify.py).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from observer.text import uk_date

KEYWORDS_PATTERN = re.compile(
    r"practice-observer record=(?P<record>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}) content-sha256=(?P<hash>[0-9a-fA-F]{64})"
)
HISTORY_PATTERN = re.compile(
    r"practice-observer history=(?P<person>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}) from=(?P<from>\d{4}-\d{2}-\d{2}|any) "
    r"to=(?P<to>\d{4}-\d{2}-\d{2}|any) observations=(?P<count>\d{1,7})"
)
ANY_DATE = "any"


def keywords(record_id: uuid.UUID, content_hash: str) -> str:
    """The PDF's Info /Keywords that names its record and the record's content hash."""
    return f"practice-observer record={record_id} content-sha256={content_hash}"


def parse_keywords(text: str) -> tuple[uuid.UUID, str] | None:
    found = KEYWORDS_PATTERN.search(text)
    if found is None:
        return None
    return uuid.UUID(found["record"]), found["hash"].lower()


@dataclass(frozen=True)
class HistoryClaim:
    """What a worker's history PDF says it is: whose, which dates, how many observations.

    A history holds many records, so it names no single record hash to compare; each
    observation's pages carry their own record id and content hash."""

    person_id: uuid.UUID
    date_from: date | None
    date_to: date | None
    observations: int
    # The worker is in this store; then only a known signer vouches for the history, and
    # only then is the worker named (`worker`).
    in_store: bool = False
    worker: str | None = None

    def keywords(self) -> str:
        return (
            f"practice-observer history={self.person_id} from={_iso_or_any(self.date_from)} "
            f"to={_iso_or_any(self.date_to)} observations={self.observations}"
        )

    def describe(self) -> str:
        """ "a history of Jo Bloggs's observations from 1 May 2025 to 31 May 2025 (3)" """
        who = self.worker or f"the worker with id {self.person_id}"
        if self.date_from and self.date_to:
            period = f"from {uk_date(self.date_from)} to {uk_date(self.date_to)}"
        elif self.date_from:
            period = f"from {uk_date(self.date_from)} on"
        elif self.date_to:
            period = f"up to {uk_date(self.date_to)}"
        else:
            period = "of any date"
        count = f"{self.observations} observation{'s' if self.observations != 1 else ''}"
        return f"a history of {who}: observations {period} ({count})"


def parse_history_keywords(text: str) -> HistoryClaim | None:
    found = HISTORY_PATTERN.search(text)
    if found is None:
        return None
    try:
        return HistoryClaim(
            person_id=uuid.UUID(found["person"]),
            date_from=_date_or_none(found["from"]),
            date_to=_date_or_none(found["to"]),
            observations=int(found["count"]),
        )
    except ValueError:  # a date that matches the pattern but not the calendar
        return None


def _iso_or_any(day: date | None) -> str:
    return ANY_DATE if day is None else day.isoformat()


def _date_or_none(text: str) -> date | None:
    return None if text == ANY_DATE else date.fromisoformat(text)
