"""Restoring a backup as governance sees it: what the restore takes out of the store, the
user's confirmation of exactly that, the restore in the audit trail, and retention.

A backup is an older state of the store, audit trail included. Put back as it is, it would
quietly drop every later event (an export, a signature) while `audit verify` still found
the shorter chain intact, and bring back records that retention had removed since. So,
before the staged copy takes the store's name (observer.store.backups.restore):

- the events and records the store holds after the backup's time are counted, and a
  restore that would take any out needs that count confirmed (`RestoreNotConfirmed`);
- the copy gets an audit event saying what was restored, from which backup, when, by whom,
  and how many later events the replaced store held (they stay in its before-restore
  backup);
- the replaced store's retention policy is carried across when it differs, the people it
  removed under retention after the backup's time lose their observations again, and the
  policy is applied as of today, each step with its own audit event as retention always has.

All of this is one transaction on the staged copy: a restore stopped part-way leaves the
store as it was.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from observer.errors import ObserverError
from observer.governance.audit import record_event
from observer.governance.retention import (
    POLICY_SETTING,
    RetentionPolicy,
    due_on,
    remove_observations,
    stored_policy,
)
from observer.store import backups, encryption
from observer.store.backups import Backup, Restored
from observer.store.db import Database
from observer.store.models import AuditEvent, Observation, Person
from observer.store.settings import store_value, stored_value

log = logging.getLogger(__name__)

RESTORE = "restore"
PASSPHRASE_CHANGE_SETTING = "passphrase.change"  # observer.security.passphrase_change
PASSPHRASE_CHANGE_MARKER = "passphrase-change.pending"  # its MARKER, readable without a key
STORE_REKEYED = "store re-keyed"  # the marker's last line once the store took the new key
NOTABLE = {
    "passphrase_change": "the passphrase change (the restored store opens with the passphrase "
    "the backup was made under)",
    "trust_certificate": "trusting a signing certificate (trust it again after the restore)",
}
SYSTEM_ACTOR = "Practice Observer"


class RestoreNotConfirmed(ObserverError):
    """The restore would take changes out of the store that the user has not confirmed."""


class ChangeUnfinished(ObserverError):
    """A passphrase change of the store is running or was interrupted: it must be finished
    (or undone) before a restore, whose messages about passphrases would be wrong till then."""


def refuse_while_changing(data_dir: Path) -> None:
    """Refuses a restore while a passphrase change is under way or interrupted, saying which
    passphrase finishes or undoes it; checked before any passphrase is tried on a file."""
    try:
        lines = (data_dir / PASSPHRASE_CHANGE_MARKER).read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError):
        lines = []
    if lines and lines[-1].startswith(STORE_REKEYED):
        raise ChangeUnfinished(
            "A passphrase change of this store is unfinished (still running, or interrupted "
            "after the store took the new passphrase): open Practice Observer (or run any "
            "command) with the new passphrase first, which finishes it, then restore. "
            "Nothing was changed."
        )
    raise ChangeUnfinished(
        "A passphrase change of this store is unfinished (still running, or interrupted "
        "before the store took the new passphrase): open Practice Observer (or run any "
        "command) with the passphrase from before the change first, which undoes it, then "
        "restore. Nothing was changed."
    )


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one}" if n == 1 else f"{n} {many or one + 's'}"


@dataclass(frozen=True)
class WhatIsLost:
    """What the store holds after a backup's time, which restoring that backup takes out."""

    since: datetime  # the backup's time, UTC
    events: int  # audit events after it
    records: int  # observations created or changed after it
    notable: tuple[str, ...] = ()  # NOTABLE actions among the events, and "setup"

    @property
    def anything(self) -> bool:
        return bool(self.events or self.records)

    @property
    def count(self) -> int:
        """The number a restore is confirmed with: the audit events, or, when edits were
        coalesced into an event from before the backup, the observations edited."""
        return self.events or self.records

    @property
    def counted(self) -> str:
        """What `count` counts, in words."""
        return "audit events" if self.events else "observations edited"

    def describe(self) -> str:
        when = f"{self.since.astimezone():%d %B %Y, %H:%M}"
        if not self.anything:
            return f"The store holds no change made after {when}."
        if not self.events:
            return (
                f"The store holds edits to {_plural(self.records, 'observation')} made after {when}"
            )
        observations = (
            ""
            if not self.records
            else f", and {_plural(self.records, 'observation')} in it "
            f"{'was' if self.records == 1 else 'were'} created or last changed after that time"
        )
        return (
            f"The store holds {_plural(self.events, 'audit event')} made after {when}{observations}"
        )

    def notable_words(self) -> str:
        """The notable things the restore takes out, as a sentence ("" when none)."""
        if not self.notable:
            return ""
        words = [
            "the laptop user's setup (run setup again after the restore)"
            if what == "setup"
            else NOTABLE[what]
            for what in self.notable
        ]
        return f" Among them: {'; '.join(words)}."


@dataclass(frozen=True)
class RestorePlan:
    """What restoring a backup would do, for the user to confirm."""

    backup: Backup
    replaced: str  # "none", "readable" or "damaged"
    lost: WhatIsLost | None  # None unless the replaced store is readable

    def question(self) -> str:
        """The confirmation to show, naming exactly what is lost."""
        when = self.backup.describe()
        if self.replaced == "none":
            return f"Restore the backup of {when}? There is no store to replace."
        if self.replaced == "damaged":
            return (
                "Practice Observer cannot read its store: it looks damaged. The damaged file "
                f"will be kept aside, unchanged. Restore the backup of {when}?"
            )
        assert self.lost is not None
        if not self.lost.anything:
            return (
                f"Restore the backup of {when}? The store holds nothing made after it, so "
                "nothing is lost; it is kept as a before-restore backup first."
            )
        return (
            f"{self.lost.describe()}; restoring the backup of {when} takes "
            f"{'it' if self.lost.count == 1 else 'them'} out of the store."
            f"{self.lost.notable_words()} The store is kept first as a before-restore backup, "
            "which still holds them. Restore it?"
        )

    @property
    def to_confirm(self) -> int:
        """The number a restore must be confirmed with (0: nothing is lost)."""
        return self.lost.count if self.lost is not None else 0


def plan_restore(data_dir: Path, backup_path: Path, passphrase: str) -> RestorePlan:
    """What restoring `backup_path` would do, changing nothing. Refuses as the restore
    would: a backup the passphrase does not open, a store under another passphrase, a store
    open elsewhere."""
    from observer.paths import database_path

    store = database_path(data_dir)
    refuse_while_changing(data_dir)
    backup = backups.readable_backup(backup_path, store)
    backups.backup_key(backup.path, passphrase)
    key = backups.current_store_key(data_dir, passphrase)
    if key is None:
        replaced = "damaged" if encryption.has_content(store) else "none"
        return RestorePlan(backup, replaced, None)
    current = Database(store, key)
    try:
        examined = _examine(current, backup)
    finally:
        current.close()
    if examined is None:
        return RestorePlan(backup, "damaged", None)
    return RestorePlan(backup, "readable", examined.lost)


@dataclass
class _Replaced:
    lost: WhatIsLost
    policy: RetentionPolicy
    removed_people: list[uuid.UUID] = field(default_factory=list)
    actor: str | None = None


def _examine(current: Database, backup: Backup) -> _Replaced | None:
    """What the store about to be replaced holds after the backup's time; None when it
    cannot be read."""
    try:
        with current.session() as s:
            if stored_value(s, PASSPHRASE_CHANGE_SETTING) is not None:
                raise ChangeUnfinished(
                    "A passphrase change of this store is unfinished: open Practice Observer "
                    "(or run any command) with the new passphrase first, which finishes it. "
                    "Nothing was changed."
                )
            since = backup.made_at
            events = s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.occurred_at > since)
            )
            records = s.scalar(
                select(func.count()).select_from(Observation).where(Observation.updated_at > since)
            )
            removed = s.scalars(
                select(AuditEvent.record_id)
                .where(
                    AuditEvent.action == "retention",
                    AuditEvent.record_type == "person",
                    AuditEvent.occurred_at > since,
                )
                .distinct()
            )
            people = [p for p in removed if p is not None]
            policy = stored_policy(s)
            actor = _laptop_user(s)
            found = set(
                s.scalars(
                    select(AuditEvent.action)
                    .where(AuditEvent.occurred_at > since, AuditEvent.action.in_(NOTABLE))
                    .distinct()
                )
            )
            notable = tuple(a for a in NOTABLE if a in found)
            if _set_up_after(s, since):
                notable += ("setup",)
    except SQLAlchemyError:
        return None
    lost = WhatIsLost(since, int(events or 0), int(records or 0), notable)
    return _Replaced(lost, policy, people, actor)


def _set_up_after(s: Session, since: datetime) -> bool:
    """Whether the laptop user was set up after `since` (their person record is newer), so
    a backup from then does not know them."""
    person = _laptop_person(s)
    return person is not None and person.created_at > since


def _laptop_user(s: Session) -> str | None:
    person = _laptop_person(s)
    return None if person is None else person.name


def _laptop_person(s: Session) -> Person | None:
    from observer.store.settings import PROFILE_KEY

    stored = stored_value(s, PROFILE_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        return s.get(Person, uuid.UUID(str(stored.get("person_id"))))
    except ValueError:
        return None


class GovernedRestore:
    """The steps observer.store.backups.restore asks of governance (RestoreSteps)."""

    def __init__(self, confirmed: int | None, today: date) -> None:
        self._confirmed = confirmed
        self._today = today
        self._replaced: _Replaced | None = None
        self._replaced_was = "none"
        self._kept_aside_as: Path | None = None
        self.lost: WhatIsLost | None = None

    def replacing(
        self, current: Database | None, backup: Backup, unreadable_as: Path | None
    ) -> None:
        self._kept_aside_as = unreadable_as
        if current is None:
            if unreadable_as is not None:
                self._replaced_was = "damaged"
            return
        self._replaced = _examine(current, backup)
        if self._replaced is None:
            self._replaced_was = "damaged"
            return
        self._replaced_was = "readable"
        lost = self._replaced.lost
        self.lost = lost
        if lost.anything and self._confirmed != lost.count:
            raise RestoreNotConfirmed(
                f"{lost.describe()}; restoring this backup would take them out of the store "
                f"(they would stay in its before-restore backup). Confirm with the number of "
                f"{lost.counted}, {lost.count}, to restore it anyway; nothing was changed."
            )

    def restoring(self, staged: Database, backup: Backup) -> None:
        replaced = self._replaced
        with staged.session() as s, s.begin():
            actor = (replaced.actor if replaced else None) or _laptop_user(s) or SYSTEM_ACTOR
            if replaced is not None:
                self._carry_policy(s, replaced.policy, actor)
                self._remove_again(s, replaced.removed_people, actor)
            _apply_policy(s, self._today, actor)
            record_event(
                s,
                actor=actor,
                action=RESTORE,
                record_type="store",
                record_id=None,
                detail=self._detail(backup),
            )

    def _detail(self, backup: Backup) -> str:
        made = backup.made_at.isoformat(timespec="seconds")
        what = f"restored the backup {backup.path.name} made {made}"
        if self._replaced_was == "damaged":
            where = f" as {self._kept_aside_as.name}" if self._kept_aside_as else ""
            return f"{what}; the replaced store could not be read and is kept aside{where}"
        if self._replaced is None:
            return f"{what}; there was no store to replace"
        events = self._replaced.lost.events
        return (
            f"{what}; the replaced store held {_plural(events, 'audit event')} after that "
            "time, kept in its before-restore backup"
        )

    @staticmethod
    def _carry_policy(s: Session, policy: RetentionPolicy, actor: str) -> None:
        if stored_policy(s) == policy:
            return
        store_value(s, POLICY_SETTING, {"years_after_leaving": policy.years_after_leaving})
        record_event(
            s,
            actor=actor,
            action="retention_policy",
            record_type="settings",
            record_id=None,
            detail=f"policy set to {policy.audit_wording()}, as in the store a restore replaced",
        )

    @staticmethod
    def _remove_again(s: Session, people: list[uuid.UUID], actor: str) -> None:
        for person in people:
            count = s.scalar(
                select(func.count())
                .select_from(Observation)
                .where(Observation.observed_person_id == person)
            )
            if not count:
                continue
            removed = remove_observations(s, [person])
            record_event(
                s,
                actor=actor,
                action="retention",
                record_type="person",
                record_id=person,
                detail=(
                    f"removed {_plural(removed, 'observation')} again on restore: the store "
                    "the restore replaced had removed them under the retention policy"
                ),
            )


def _apply_policy(s: Session, today: date, actor: str) -> None:
    due = due_on(s, today)
    if not due.due:
        return
    remove_observations(s, [p.person_id for p in due.due])
    wording = due.policy.audit_wording()
    for person in due.due:
        record_event(
            s,
            actor=actor,
            action="retention",
            record_type="person",
            record_id=person.person_id,
            detail=(
                f"removed {_plural(person.observations, 'observation')} "
                f"({person.signed} signed) under the policy of {wording}, on restore"
            ),
        )


def restore(
    data_dir: Path,
    backup_path: Path,
    passphrase: str,
    confirmed: int | None,
    today: date,
) -> Restored:
    """Restores the backup with governance's steps; `confirmed` is the number of changes
    the user agreed to take out of the store (RestorePlan.to_confirm)."""
    refuse_while_changing(data_dir)
    steps = GovernedRestore(confirmed, today)
    restored = backups.restore(data_dir, backup_path, passphrase, steps)
    log.info("restore recorded in the audit trail")
    return restored
