"""The ASYE tracker: direct observations a newly qualified worker has had in their year.

In the Assessed and Supported Year in Employment a newly qualified social worker is
observed in direct practice at least three times (the number is a setting, see
observer/review/settings.py). What counts:

- **Direct observations of practice**: direct work with a child, a home visit, a meeting
  with parents or carers, and a child protection conference, core group or strategy
  meeting. Supervision (where the worker is the supervisee, or supervises) is not direct
  practice, and "Other" is too loose to count towards an assessed year.
- **Done**: the observer has finished the record — ready for sign-off, or signed. A draft
  in the year is shown as being written up, not as done.
- **In the year**: observed on or after the day the year began (`Person.asye_started_on`)
  and before the same day a year later, by this laptop's calendar.

On track means at least as many done as an even pace would have by today, rounded down:
with three needed, one by four months in, two by eight, three by the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from observer.governance.retention import add_years
from observer.vocabulary import Kind, Status

DIRECT_OBSERVATION_KINDS: tuple[Kind, ...] = (
    Kind.DIRECT_WORK,
    Kind.HOME_VISIT,
    Kind.PARENTS_MEETING,
    Kind.CHILD_PROTECTION_MEETING,
)
FINISHED_STATUSES: tuple[Status, ...] = (Status.READY, Status.SIGNED)


class AsyeState(StrEnum):
    NO_START_DATE = "no_start_date"
    NOT_STARTED = "not_started"
    COMPLETE = "complete"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    ENDED_SHORT = "ended_short"


@dataclass(frozen=True)
class AsyeObservation:
    """One direct observation in the year (or, with no start date, at any time)."""

    observation_id: uuid.UUID
    observed_on: date
    kind: Kind
    status: Status


@dataclass(frozen=True)
class AsyeTracker:
    today: date
    required: int
    started_on: date | None
    ends_on: date | None  # the year's last day
    # The finished direct observations in the year, oldest first; then drafts.
    done: tuple[AsyeObservation, ...]
    being_written_up: tuple[AsyeObservation, ...]
    expected_by_now: int
    state: AsyeState

    @property
    def done_count(self) -> int:
        return len(self.done)

    @property
    def remaining(self) -> int:
        return max(0, self.required - self.done_count)

    @property
    def on_track(self) -> bool:
        return self.state in (AsyeState.COMPLETE, AsyeState.ON_TRACK, AsyeState.NOT_STARTED)

    @property
    def days_left(self) -> int | None:
        if self.ends_on is None or self.today > self.ends_on:
            return None
        return (self.ends_on - self.today).days + 1

    def time_left(self) -> str:
        """ "4 months left", "12 days left", "the last day" — as a manager says it."""
        if self.ends_on is None or self.days_left is None:
            return ""
        months = whole_months_between(self.today, self.ends_on + timedelta(days=1))
        if months >= 1:
            return f"{months} month{'s' if months != 1 else ''} left"
        days = self.days_left
        return "the last day" if days == 1 else f"{days} days left"

    def summary(self) -> str:
        """One sentence: "2 of 3 done; 4 months left." and what needs doing."""
        done = f"{self.done_count} of {self.required} direct observations done"
        writing = (
            f" ({len(self.being_written_up)} more being written up)"
            if self.being_written_up and self.state is not AsyeState.COMPLETE
            else ""
        )
        if self.state is AsyeState.NO_START_DATE:
            return (
                f"The ASYE start date is not recorded, so the year cannot be tracked; "
                f"{self.done_count} direct observation{'s' if self.done_count != 1 else ''} "
                f"done so far{writing}."
            )
        assert self.started_on is not None
        assert self.ends_on is not None
        if self.state is AsyeState.NOT_STARTED:
            return (
                f"The ASYE year starts on {_day(self.started_on)}; it needs "
                f"{self.required} direct observations."
            )
        if self.state is AsyeState.COMPLETE:
            if self.done_count > self.required:
                done = f"{self.done_count} direct observations done ({self.required} needed)"
            return f"{done}: the ASYE year's observations are complete."
        if self.state is AsyeState.ENDED_SHORT:
            return f"{done}{writing}; the ASYE year ended on {_day(self.ends_on)}."
        if self.state is AsyeState.BEHIND:
            return (
                f"{done}{writing}; {self.time_left()}. Behind: "
                f"{self.expected_by_now} should be done by now."
            )
        return f"{done}{writing}; {self.time_left()}."


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def whole_months_between(start: date, end: date) -> int:
    """How many whole calendar months from `start` fit before `end`."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return max(0, months)


def asye_year_end(started_on: date) -> date:
    """The last day of the ASYE year that began on `started_on`."""
    return add_years(started_on, 1) - timedelta(days=1)


def asye_tracker(
    started_on: date | None,
    required: int,
    observations: Iterable[AsyeObservation],
    today: date,
) -> AsyeTracker:
    """The tracker for a year begun on `started_on`, from the worker's direct observations
    (those outside the year, or not direct, are left out here)."""
    ends_on = asye_year_end(started_on) if started_on else None
    in_year = sorted(
        (
            o
            for o in observations
            if o.kind in DIRECT_OBSERVATION_KINDS
            and (started_on is None or ends_on is None or started_on <= o.observed_on <= ends_on)
        ),
        key=lambda o: (o.observed_on, str(o.observation_id)),
    )
    done = tuple(o for o in in_year if o.status in FINISHED_STATUSES)
    drafts = tuple(o for o in in_year if o.status not in FINISHED_STATUSES)
    expected = 0
    if started_on is None or ends_on is None:
        state = AsyeState.NO_START_DATE
    elif today < started_on:
        state = AsyeState.NOT_STARTED
    elif len(done) >= required:
        state = AsyeState.COMPLETE
        expected = required
    elif today > ends_on:
        state = AsyeState.ENDED_SHORT
        expected = required
    else:
        length = (ends_on - started_on).days + 1
        elapsed = (today - started_on).days
        expected = required * elapsed // length
        state = AsyeState.ON_TRACK if len(done) >= expected else AsyeState.BEHIND
    return AsyeTracker(
        today=today,
        required=required,
        started_on=started_on,
        ends_on=ends_on,
        done=done,
        being_written_up=drafts,
        expected_by_now=expected,
        state=state,
    )
