"""How long observations are kept after a worker leaves, and removing them once due.

Information governance sets one policy per store: a person's observations (as the observed
worker) are removed a number of whole years after the date they left, or everything is
kept (the default). Nothing is ever removed without a preview first: `preview` says who is
due and how many records that means, and `apply` removes exactly that, refusing if the
store changed in between.

Signed records are removed too. The lock after signing protects a record from being
changed while it is kept; it does not make it kept for ever, and retention is the one
thing allowed to override it.

Once the laptop has joined a team server, retention is the server's alone (docs/server.md,
"Retention"): the laptop neither sets a policy nor removes anything itself (its deletes of
signed records would be refused there, and the server's copies would come back); each
sync removes here what the server removed.

The person record itself is kept. Other people's observations name them as the observer
(a required link), actions on other records may be theirs, a team may name them as its
manager, and the audit trail's retention entries point at them: removing them would mean
removing or rewriting records that are not due. What is kept is a name, role and team,
not observations about them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.orm import Session

from observer.errors import InvalidInput, StaleRecord
from observer.governance.audit import record_event
from observer.search.index import forget_observations
from observer.store.db import Database
from observer.store.models import (
    Action,
    Addendum,
    Observation,
    Person,
    Rating,
    RecordConflict,
    SharedState,
    Signature,
    action_standards,
)
from observer.store.moderation_tables import remove_moderations_of_removed
from observer.store.settings import store_value, stored_value
from observer.store.sync_tables import joined_server
from observer.vocabulary import Status

POLICY_SETTING = "retention.policy"
MIN_YEARS, MAX_YEARS = 1, 100
NO_LEAVING_DATE = "no leaving date recorded"
_CHUNK = 500  # people per statement: well under any database's limit on bound values

log = logging.getLogger(__name__)


class RetentionOnServer(InvalidInput):
    """Retention asked of a laptop that has joined a team server, whose it is."""


def decided_on_server(s: Session) -> str | None:
    """The sentence saying the team server decides retention, once this store has joined
    one; None before."""
    server = joined_server(s)
    if server is None:
        return None
    return (
        f"This laptop has joined the team server at {server}, whose administrator sets "
        "retention: the laptop removes nothing itself, and each sync removes here what the "
        "server removed."
    )


def _refuse_once_joined(s: Session) -> None:
    sentence = decided_on_server(s)
    if sentence is not None:
        raise RetentionOnServer(sentence)


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular}" if n == 1 else f"{n} {plural or singular + 's'}"


def check_years(value: object) -> int:
    """A number of whole years a policy may keep records for, or InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEARS <= value <= MAX_YEARS:
        raise InvalidInput(
            f"Records are kept for a whole number of years from {MIN_YEARS} to {MAX_YEARS} "
            f"after a person leaves, not {value!r}."
        )
    return value


@dataclass(frozen=True)
class RetentionPolicy:
    """`years_after_leaving` None keeps everything."""

    years_after_leaving: int | None = None

    def __post_init__(self) -> None:
        if self.years_after_leaving is not None:
            check_years(self.years_after_leaving)

    @property
    def keeps_everything(self) -> bool:
        return self.years_after_leaving is None

    def describe(self) -> str:
        if self.years_after_leaving is None:
            return "Everything is kept: no observations are removed when people leave."
        return (
            f"A person's observations are removed "
            f"{_plural(self.years_after_leaving, 'whole year')} after the date they left."
        )

    def audit_wording(self) -> str:
        if self.years_after_leaving is None:
            return "keep everything"
        return f"{_plural(self.years_after_leaving, 'year')} after leaving"


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March, so no year is cut short."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _latest_leaving_date_due(today: date, years: int) -> date:
    """The latest leaving date whose records are due on `today`."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February; a year later that date does not exist
        return date(today.year - years, 2, 28)


@dataclass(frozen=True)
class PersonDue:
    """A person whose observations are due for removal, and what that would remove."""

    person_id: uuid.UUID
    name: str
    left_on: date
    observations: int
    signed: int
    due_since: date


@dataclass(frozen=True)
class PersonWithoutLeavingDate:
    """Someone who no longer works here but has no leaving date: their records are kept."""

    person_id: uuid.UUID
    name: str
    observations: int
    reason: str = NO_LEAVING_DATE


@dataclass(frozen=True)
class RetentionPreview:
    policy: RetentionPolicy
    today: date
    due: tuple[PersonDue, ...] = ()
    no_leaving_date: tuple[PersonWithoutLeavingDate, ...] = ()

    @property
    def people(self) -> int:
        return len(self.due)

    @property
    def observations(self) -> int:
        return sum(p.observations for p in self.due)

    @property
    def signed(self) -> int:
        return sum(p.signed for p in self.due)

    def totals(self) -> str:
        """The preview in one sentence, with the numbers a person confirming needs."""
        if self.policy.keeps_everything:
            return "The policy keeps everything, so nothing is due for removal."
        if not self.due:
            return "Nothing is due for removal."
        return (
            f"{_plural(self.observations, 'observation')} of "
            f"{_plural(self.people, 'person', 'people')} "
            f"{'is' if self.observations == 1 else 'are'} due for removal, "
            f"{self.signed} of them signed."
        )

    def kept_without_date(self) -> str:
        """Who is kept only because no leaving date was recorded, or "" when no one is."""
        if not self.no_leaving_date:
            return ""
        kept = sum(p.observations for p in self.no_leaving_date)
        return (
            f"{_plural(len(self.no_leaving_date), 'person', 'people')} who no longer "
            f"work{'s' if len(self.no_leaving_date) == 1 else ''} here "
            f"{'has' if len(self.no_leaving_date) == 1 else 'have'} {NO_LEAVING_DATE}; "
            f"their {_plural(kept, 'observation')} {'is' if kept == 1 else 'are'} kept."
        )

    def _what_is_removed(self) -> tuple[Any, ...]:
        return (
            self.policy,
            tuple((p.person_id, p.left_on, p.observations, p.signed) for p in self.due),
        )


# The policy


def get_policy(db: Database) -> RetentionPolicy:
    with db.session() as s:
        return stored_policy(s)


def stored_policy(s: Session) -> RetentionPolicy:
    """The policy stored in the caller's session (a damaged setting keeps everything)."""
    value = stored_value(s, POLICY_SETTING)
    if value is None:
        return RetentionPolicy()
    years = value.get("years_after_leaving") if isinstance(value, dict) else value
    if years is None:
        return RetentionPolicy()
    try:
        return RetentionPolicy(check_years(years))
    except InvalidInput:
        # A damaged setting must never remove records: keep everything, and say so in the log.
        log.warning("the stored retention policy is unreadable; keeping everything")
        return RetentionPolicy()


def set_policy(db: Database, policy: RetentionPolicy, actor: str) -> RetentionPolicy:
    """Stores the policy; a change is in the audit trail, as governance will ask when."""
    with db.session() as s, s.begin():
        _refuse_once_joined(s)
        if stored_policy(s) == policy:
            return policy
        value = {"years_after_leaving": policy.years_after_leaving}
        store_value(s, POLICY_SETTING, value)
        record_event(
            s,
            actor=actor,
            action="retention_policy",
            record_type="settings",
            record_id=None,
            content_hash="",
            detail=f"policy set to {policy.audit_wording()}",
        )
    log.info("retention policy set to %s years", policy.years_after_leaving)
    return policy


# Preview and removal


def preview(db: Database, today: date) -> RetentionPreview:
    """Who is due for removal on `today` under the stored policy, and how many records."""
    with db.session() as s:
        return due_on(s, today)


def due_on(s: Session, today: date) -> RetentionPreview:
    """`preview` in the caller's session (a restore applies the policy to its copy)."""
    policy = stored_policy(s)
    if policy.years_after_leaving is None or joined_server(s) is not None:
        return RetentionPreview(policy, today)  # once joined, nothing is due here
    years = policy.years_after_leaving
    latest = _latest_leaving_date_due(today, years)
    signed = func.sum(case((Observation.status == Status.SIGNED.value, 1), else_=0))
    query = (
        select(Person.id, Person.name, Person.left_on, func.count(Observation.id), signed)
        .join(Observation, Observation.observed_person_id == Person.id)
        .where(Person.active.is_(False), or_(Person.left_on.is_(None), Person.left_on <= latest))
        .group_by(Person.id, Person.name, Person.left_on)
    )
    due: list[PersonDue] = []
    undated: list[PersonWithoutLeavingDate] = []
    for person_id, name, left_on, count, signed_count in s.execute(query):
        if left_on is None:
            undated.append(PersonWithoutLeavingDate(person_id, name, int(count)))
            continue
        due_since = add_years(left_on, years)
        if due_since <= today:
            due.append(
                PersonDue(person_id, name, left_on, int(count), int(signed_count or 0), due_since)
            )
    due.sort(key=lambda p: (p.left_on, p.name.casefold(), str(p.person_id)))
    undated.sort(key=lambda p: (p.name.casefold(), str(p.person_id)))
    return RetentionPreview(policy, today, tuple(due), tuple(undated))


def apply(db: Database, today: date, actor: str, expected: RetentionPreview) -> RetentionPreview:
    """Removes exactly what `expected` showed, in one transaction; returns what went.

    Refuses, removing nothing, when the policy or the records due changed since the
    preview: a person confirmed one set of numbers, and only that set may go.
    """
    with db.session() as s, s.begin():
        _refuse_once_joined(s)
        current = due_on(s, today)
        if current._what_is_removed() != expected._what_is_removed():
            raise StaleRecord(
                "The records changed since the preview was made, so nothing was removed; "
                "look at the preview again."
            )
        if not current.due:
            return current
        removed = remove_observations(s, [p.person_id for p in current.due])
        if removed != current.observations:
            raise StaleRecord(
                "The records changed while they were being removed, so nothing was removed; "
                "look at the preview again."
            )
        wording = current.policy.audit_wording()
        for person in current.due:
            record_event(
                s,
                actor=actor,
                action="retention",
                record_type="person",
                record_id=person.person_id,
                content_hash="",
                detail=(
                    f"removed {_plural(person.observations, 'observation')} "
                    f"({person.signed} signed) under the policy of {wording}"
                ),
            )
    for person in current.due:
        log.info(
            "retention removed %d observations (%d signed) of person %s",
            person.observations,
            person.signed,
            person.person_id,
        )
    return current


def _chunks(ids: Sequence[uuid.UUID]) -> Iterator[Sequence[uuid.UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def remove_observations(s: Session, person_ids: Iterable[uuid.UUID]) -> int:
    """Deletes these people's observations and everything that hangs off them.

    Children are deleted explicitly rather than left to ON DELETE CASCADE, so the outcome
    does not depend on the database enforcing foreign keys.
    """
    chunks = list(_chunks(list(person_ids)))
    forget_observations(
        s, *(select(Observation.id).where(Observation.observed_person_id.in_(c)) for c in chunks)
    )
    removed = 0
    for chunk in chunks:
        theirs = select(Observation.id).where(Observation.observed_person_id.in_(chunk))
        their_actions = select(Action.id).where(Action.observation_id.in_(theirs))
        s.execute(delete(action_standards).where(action_standards.c.action_id.in_(their_actions)))
        # A record removed under the policy leaves no words behind: its conflicts and the
        # states it was shared in go with it.
        s.execute(
            delete(SharedState)
            .where(SharedState.observation_id.in_(theirs))
            .execution_options(synchronize_session=False)
        )
        for child in (Action, Rating, Signature, Addendum, RecordConflict):
            s.execute(
                delete(child)
                .where(child.observation_id.in_(theirs))
                .execution_options(synchronize_session=False)
            )
        result = s.execute(
            delete(Observation)
            .where(Observation.observed_person_id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    remove_moderations_of_removed(s)
    return removed


class Retention:
    """How long a leaver's observations are kept, and removing what is due, with audit."""

    def __init__(self, db: Database, actor: Callable[[], str]) -> None:
        self._db = db
        self._actor = actor

    def policy(self) -> RetentionPolicy:
        return get_policy(self._db)

    def decided_on_server(self) -> str | None:
        """Once this laptop has joined a team server, the sentence saying retention is the
        server's (set_policy and apply then refuse with it); None before."""
        with self._db.session() as s:
            return decided_on_server(s)

    def set_policy(self, policy: RetentionPolicy) -> RetentionPolicy:
        return set_policy(self._db, policy, self._actor())

    def preview(self, today: date) -> RetentionPreview:
        return preview(self._db, today)

    def apply(self, today: date, expected: RetentionPreview) -> RetentionPreview:
        return apply(self._db, today, self._actor(), expected)
