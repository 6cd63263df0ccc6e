"""What a Practice Observer PDF says it is, in its Info /Keywords: a summary names its
record and the record's content hash; a worker's history names the worker, the dates, how
many observations it holds, whether it holds only signed ones (and if not, how many are
unsigned) and whether it shows each in brief or in full. The signature covers these words,
so a reader of the signed PDF knows what was left out. Only a signature by a certificate
this laptop knows vouches for what these say (observer/signing/verify.py).
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
    r"(?: records=(?P<records>signed|any) unsigned=(?P<unsigned>\d{1,7}) "
    r"detail=(?P<detail>compact|full))?"
)
BOARD_PATTERN = re.compile(
    r"practice-observer board-report from=(?P<from>\d{4}-\d{2}-\d{2}) "
    r"to=(?P<to>\d{4}-\d{2}-\d{2}) team=(?P<team>all|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}) observations=(?P<count>\d{1,9}) "
    r"anonymised=yes"
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
    # None: not said (a history exported before these were written into it).
    signed_only: bool | None = None
    unsigned: int = 0  # how many of its observations are not signed
    full: bool | None = None  # each observation's whole summary, or a brief entry
    # The worker is in this store; then only a known signer vouches for the history, and
    # only then is the worker named (`worker`).
    in_store: bool = False
    worker: str | None = None

    def keywords(self) -> str:
        words = (
            f"practice-observer history={self.person_id} from={_iso_or_any(self.date_from)} "
            f"to={_iso_or_any(self.date_to)} observations={self.observations}"
        )
        if self.signed_only is None or self.full is None:
            return words
        return (
            f"{words} records={'signed' if self.signed_only else 'any'} "
            f"unsigned={self.unsigned} detail={'full' if self.full else 'compact'}"
        )

    def included(self) -> str:
        """ "signed observations only", "includes 2 unsigned records, each marked" """
        if self.signed_only is None:
            return "which records it includes is not stated"
        if self.signed_only:
            return "signed observations only"
        if not self.unsigned:
            return "unsigned records were included, but there were none"
        return f"includes {plural(self.unsigned, 'unsigned record')}, each marked as not signed"

    def describe(self) -> str:
        """ "a history of Jo Bloggs: observations from 1 May 2025 to 31 May 2025 (3
        observations; signed observations only; each in brief)" """
        who = self.worker or f"the worker with id {self.person_id}"
        if self.date_from and self.date_to:
            period = f"from {uk_date(self.date_from)} to {uk_date(self.date_to)}"
        elif self.date_from:
            period = f"from {uk_date(self.date_from)} on"
        elif self.date_to:
            period = f"up to {uk_date(self.date_to)}"
        else:
            period = "of any date"
        count = plural(self.observations, "observation")
        detail = ""
        if self.full is not None:
            detail = "; each in full" if self.full else "; each in brief"
        return f"a history of {who}: observations {period} ({count}; {self.included()}{detail})"


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
            signed_only=None if found["records"] is None else found["records"] == "signed",
            unsigned=int(found["unsigned"] or 0),
            full=None if found["detail"] is None else found["detail"] == "full",
        )
    except ValueError:  # a date that matches the pattern but not the calendar
        return None


@dataclass(frozen=True)
class BoardClaim:
    """What a Board report says it is: its period, its scope (every team or one) and how
    many observations it counts; always anonymised."""

    date_from: date
    date_to: date
    team_id: uuid.UUID | None
    observations: int

    def keywords(self) -> str:
        team = "all" if self.team_id is None else str(self.team_id)
        return (
            f"practice-observer board-report from={self.date_from.isoformat()} "
            f"to={self.date_to.isoformat()} team={team} observations={self.observations} "
            "anonymised=yes"
        )

    def describe(self) -> str:
        scope = "every team" if self.team_id is None else f"the team with id {self.team_id}"
        return (
            f"the Board report for {uk_date(self.date_from)} to {uk_date(self.date_to)}, "
            f"{scope} ({plural(self.observations, 'observation')} counted; anonymised)"
        )


def parse_board_keywords(text: str) -> BoardClaim | None:
    found = BOARD_PATTERN.search(text)
    if found is None:
        return None
    try:
        return BoardClaim(
            date_from=date.fromisoformat(found["from"]),
            date_to=date.fromisoformat(found["to"]),
            team_id=None if found["team"] == "all" else uuid.UUID(found["team"]),
            observations=int(found["count"]),
        )
    except ValueError:
        return None


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _iso_or_any(day: date | None) -> str:
    return ANY_DATE if day is None else day.isoformat()


def _date_or_none(text: str) -> date | None:
    return None if text == ANY_DATE else date.fromisoformat(text)
