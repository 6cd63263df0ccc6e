"""The period the Service section looks at, the one it is compared with, and its filter.

A period is whole days on this laptop's calendar (observer/review/team_overview.py's
Period). The default is the quarter holding today; a whole quarter is compared with the
quarter before it, any other span with the same number of days just before it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from observer.review.asye import add_months
from observer.review.team_overview import Period
from observer.vocabulary import Kind

SUPERVISION_KINDS: tuple[Kind, ...] = tuple(k for k in Kind if k.is_supervision)
# Direct work with a child or family: the kinds where the child's voice is to be heard.
DIRECT_WORK_KINDS: tuple[Kind, ...] = tuple(k for k in Kind if k.involves_family)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def quarter_of(day: date) -> Period:
    """The calendar quarter holding `day` (January to March, April to June, ...)."""
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(first, add_months(first, 3) - timedelta(days=1))


def is_quarter(period: Period) -> bool:
    return quarter_of(period.first) == period


def shift_quarter(period: Period, quarters: int) -> Period:
    """The quarter `quarters` after (before, when negative) the one `period` starts in."""
    return quarter_of(add_months(quarter_of(period.first).first, 3 * quarters))


def previous_period(period: Period) -> Period:
    """What `period` is compared with: the quarter before a quarter, else as many days
    just before it."""
    if is_quarter(period):
        return shift_quarter(period, -1)
    days = (period.last - period.first).days + 1
    return Period(period.first - timedelta(days=days), period.first - timedelta(days=1))


def period_name(period: Period) -> str:
    """ "July to September 2026", "1 July 2026 to 15 August 2026"."""
    if is_quarter(period):
        return (
            f"{MONTHS[period.first.month - 1]} to {MONTHS[period.last.month - 1]} "
            f"{period.last.year}"
        )
    return f"{_day(period.first)} to {_day(period.last)}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class ServiceFilter:
    """What the Service section is narrowed to; None is everything.

    `team_id` keeps observations of the team's present members (a person's team is where
    they are now, as in the team overview); `framework_id` is one framework version;
    `supervision` keeps supervision only (with `kind`, both must hold)."""

    period: Period
    team_id: uuid.UUID | None = None
    kind: Kind | None = None
    framework_id: uuid.UUID | None = None
    supervision: bool = False

    @property
    def previous(self) -> Period:
        return previous_period(self.period)

    def kinds(self) -> tuple[Kind, ...] | None:
        """The kinds counted; None for every kind."""
        if self.supervision:
            return tuple(k for k in SUPERVISION_KINDS if self.kind in (None, k))
        return None if self.kind is None else (self.kind,)
