"""The services the GUI, the command line and the tests share, opened on one data dir."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, text

from observer.changes import ChangeFeed
from observer.errors import (
    DatabaseUnreadable,
    InvalidFramework,
    MigrationFailed,
    ObserverError,
)
from observer.paths import database_path
from observer.people.directory import People
from observer.people.profile import Profiles
from observer.records.actions import AgreedActions
from observer.records.frameworks import shipped_frameworks, store_framework
from observer.records.recording import Recording
from observer.records.sign_off import SignOff
from observer.records.workspace import Workspace
from observer.security.attempts import UnlockAttempts
from observer.security.passphrase_change import Progress
from observer.security.passphrase_change import resume as resume_passphrase_change
from observer.security.unlock import change_passphrase, unlock
from observer.store.db import Database, Upgraded
from observer.store.encryption import StoreKey
from observer.store.models import Framework

if TYPE_CHECKING:
    from observer.bundle.service import Bundles
    from observer.conflicts.service import Conflicts
    from observer.documents.board_reports import BoardReports
    from observer.documents.histories import HistoryPdfs
    from observer.documents.summaries import Summaries
    from observer.governance.audit import AuditTrail
    from observer.governance.restoring import RestorePlan
    from observer.governance.retention import Retention
    from observer.people.merging import DuplicatePeople
    from observer.review.settings import ReviewSettingsService
    from observer.review.team_overview import TeamOverview
    from observer.review.worker_history import WorkerHistories
    from observer.search.service import Search
    from observer.security.idle_lock import IdleLock
    from observer.service.commentary import Commentaries
    from observer.service.moderation import Moderation
    from observer.service.quality import ServiceView
    from observer.service.themes import Themes
    from observer.signing.endorsement import Endorser
    from observer.signing.known import KnownCertificates
    from observer.signing.opened import OpenedIdentity
    from observer.spelling.service import Spelling
    from observer.store.backups import Backup, Backups, KeptAside, Restored
    from observer.store.sample import SampleStore
    from observer.sync.service import Sync

SYSTEM_ACTOR = "Practice Observer"
UNKNOWN_ACTOR = "someone without the passphrase"
ENCRYPT_ACTION, UPGRADE_ACTION = "encrypt", "upgrade"
NOT_CHANGED = "The passphrase was not changed."
ENCRYPT_DETAIL = "the store, left unencrypted by an earlier version, encrypted with its passphrase"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordServices:
    """What working on one record needs, and no more: the record, the people who may own
    its actions, sign-off and addenda in the room, the laptop's user (who signs first), the
    record's summary and its audit trail, and spell-checking of its narrative. The editor
    window and its dialogs take this."""

    recording: Recording
    people: People
    signoff: SignOff
    profiles: Profiles
    summaries: Summaries
    audit: AuditTrail
    spelling: Spelling
    conflicts: Conflicts


@dataclass
class Services:
    data_dir: Path
    db: Database
    people: People
    profiles: Profiles
    recording: Recording
    actions: AgreedActions
    signoff: SignOff
    workspace: Workspace
    # Kept for the session so signing needs no second prompt; the PKCS#12 shares it.
    passphrase: str = field(repr=False, default="")
    # What opening did to the store: encrypted one an earlier version left plain, upgraded
    # its schema (with the backup made first). Each is in the audit trail too.
    encrypted_plain_store: bool = False
    upgraded: Upgraded | None = None
    _signing: OpenedIdentity | None = field(repr=False, default=None)

    @property
    def signing_identity(self) -> OpenedIdentity:
        """The signing identity, held open for the session once an export has opened it."""
        if self._signing is None:
            from observer.signing.opened import OpenedIdentity

            self._signing = OpenedIdentity(self.data_dir)
        return self._signing

    def endorser(self) -> Endorser | None:
        """This laptop's signing identity for the digital signature on each sign-off and
        addendum made here: made first for the laptop's user if there is none; None when it
        cannot be (no user set up, or an identity the store's passphrase does not open)."""
        from observer.signing.identity import ensure_identity, has_identity, open_endorser

        if not self.passphrase:
            return None
        try:
            if not has_identity(self.data_dir):
                profile = self.profiles.current()
                if profile is None:
                    return None
                ensure_identity(self.data_dir, self.passphrase, profile.name, profile.organisation)
            return open_endorser(self.data_dir, self.passphrase)
        except (ObserverError, OSError) as error:
            log.warning("sign-off made without a digital signature (%s)", type(error).__name__)
            return None

    def for_record(self) -> RecordServices:
        return RecordServices(
            self.recording,
            self.people,
            self.signoff,
            self.profiles,
            self.summaries,
            self.audit,
            self.spelling,
            self.conflicts,
        )

    # The services below are made when first used, so that start-up imports none of them.

    @cached_property
    def audit(self) -> AuditTrail:
        from observer.governance.audit import AuditTrail

        return AuditTrail(self.db, self.signoff.signed_states)

    @cached_property
    def duplicates(self) -> DuplicatePeople:
        from observer.people.merging import DuplicatePeople

        return DuplicatePeople(self.db, self.actor)

    @cached_property
    def sample_data(self) -> SampleStore:
        from observer.store.sample import SampleStore

        return SampleStore(self.db)

    @cached_property
    def retention(self) -> Retention:
        from observer.governance.retention import Retention

        return Retention(self.db, self.actor)

    @cached_property
    def review_settings(self) -> ReviewSettingsService:
        from observer.review.settings import ReviewSettingsService

        return ReviewSettingsService(self.db, self.actor)

    @cached_property
    def team_overview(self) -> TeamOverview:
        from observer.review.team_overview import TeamOverview

        return TeamOverview(self.db, self.changes)

    @cached_property
    def worker_history(self) -> WorkerHistories:
        from observer.review.worker_history import WorkerHistories

        return WorkerHistories(self.db)

    @cached_property
    def moderation(self) -> Moderation:
        """Moderation of observers' judgements: samples, moderations, agreement (issue 17)."""
        from observer.service.moderation import Moderation

        return Moderation(self.db, self.profiles, self.actor, self.endorser)

    @cached_property
    def service_view(self) -> ServiceView:
        """The Service section's figures: the quality of practice across the service."""
        from observer.service.quality import ServiceView

        return ServiceView(self.db)

    @cached_property
    def search(self) -> Search:
        from observer.search.service import Search

        return Search(self.db)

    @cached_property
    def spelling(self) -> Spelling:
        """British English spell-checking; the dictionary loads on the first word checked."""
        from observer.spelling.service import Spelling

        return Spelling(self.db)

    @cached_property
    def idle_lock(self) -> IdleLock:
        from observer.security.idle_lock import IdleLock

        return IdleLock(self.db, self.actor)

    @cached_property
    def summaries(self) -> Summaries:
        from observer.documents.summaries import Summaries

        return Summaries(self)

    @cached_property
    def commentaries(self) -> Commentaries:
        """The QA lead's commentary the Board report prints, per period and scope."""
        from observer.service.commentary import Commentaries

        return Commentaries(self.db)

    @cached_property
    def board_reports(self) -> BoardReports:
        from observer.documents.board_reports import BoardReports
        from observer.service.board_tables import agreement_rows

        return BoardReports(
            self,
            lambda query, today: self.service_view.figures(query, today, self.themes.for_figures()),
            self.commentaries,
            lambda query: agreement_rows(
                self.moderation.results(query.period.first, query.period.last, by_observer=False)
            ),
        )

    @cached_property
    def history_pdfs(self) -> HistoryPdfs:
        from observer.documents.histories import HistoryPdfs

        return HistoryPdfs(self)

    @cached_property
    def known_certificates(self) -> KnownCertificates:
        """The signing certificates this laptop knows, kept in the store."""
        from observer.signing.known import KnownCertificates

        return KnownCertificates(self.db)

    @cached_property
    def backups(self) -> Backups:
        from observer.store.backups import Backups

        return Backups(self.db)

    @cached_property
    def conflicts(self) -> Conflicts:
        from observer.conflicts.service import Conflicts

        return Conflicts(self.db, self.recording, self.actor)

    @cached_property
    def sync(self) -> Sync:
        from observer.sync.service import Sync

        return Sync(
            self.db,
            actor=lambda: self.actor(),
            profiles=self.profiles,
            duplicates=self.duplicates,
            conflicts=self.conflicts,
        )

    @cached_property
    def themes(self) -> Themes:
        """The organisation's improvement plan: its themes and the standards under each."""
        from observer.service.themes import Themes

        return Themes(self.db, self.actor)

    @cached_property
    def bundles(self) -> Bundles:
        from observer.bundle.service import Bundles

        return Bundles(self.db, self.actor)

    @property
    def changes(self) -> ChangeFeed:
        """Told of every commit, from whichever thread made it (observer/changes.py)."""
        return self.db.changes

    @property
    def key(self) -> StoreKey:
        return self.db.key

    def passphrase_matches(self, passphrase: str) -> bool:
        """Whether `passphrase` is the store's, without touching the disk (for the lock)."""
        from observer.store.encryption import derive_key

        return derive_key(passphrase, self.key.salt).matches(self.key)

    def change_passphrase(
        self, current: str, new: str, confirmation: str, progress: Progress | None = None
    ) -> int:
        """Re-keys the store, its backups and the signing identity (see
        observer.security.unlock.change_passphrase); this session carries on with `new`.
        `progress` is told, in a sentence, before the long part."""
        before = self.db.key
        # `sync` is made when first used: if it has not been, no sync can be running.
        sync: Sync | None = self.__dict__.get("sync")
        try:
            with sync.held_back(NOT_CHANGED) if sync is not None else nullcontext():
                return change_passphrase(
                    self.db, self.actor(), current, new, confirmation, progress=progress
                )
        finally:
            if self.db.key is not before:  # the store took `new`, whatever failed after
                self.passphrase = new

    def actor(self) -> str:
        """The name recorded in the audit trail for what this laptop's user does."""
        profile = self.profiles.current()
        return profile.name if profile else SYSTEM_ACTOR

    def person_changed(self) -> None:
        """This laptop's user is someone else now, or their name was corrected: the signing
        identity, which names the person it was made for, is set aside (kept, renamed) and
        the next signature makes one in the name now set up."""
        from observer.signing.identity import ensure_identity, set_aside_identity
        from observer.signing.known import OWN_IDENTITY

        if not set_aside_identity(self.data_dir):
            return
        if self._signing is not None:
            self._signing.forget()
        profile = self.profiles.current()
        if profile is None or not self.passphrase:
            return
        try:  # made now, outside any sign-off, so that it is known here from the start
            made = ensure_identity(
                self.data_dir, self.passphrase, profile.name, profile.organisation
            )
            self.known_certificates.add(made.certificate_der, OWN_IDENTITY, self.actor())
        except (ObserverError, OSError) as error:
            log.warning("no signing identity made for the new user yet (%s)", type(error).__name__)

    def close(self) -> None:
        if self._signing is not None:
            self._signing.forget()
        self.db.close()


def open_services(
    data_dir: Path,
    passphrase: str,
    key: StoreKey | None = None,
    progress: Progress | None = None,
) -> Services:
    """Opens (creating, encrypting or upgrading) the store in `data_dir` with `passphrase`;
    installs shipped frameworks. Raises WrongStorePassphrase or TooManyAttempts. `key` is
    the one `store_access.unlock` gave for this passphrase, when the caller has it already;
    `progress` is told before an interrupted passphrase change is finished."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if key is None:
        key = unlock(data_dir, passphrase)
    db = _open_store(data_dir, passphrase, key)
    try:
        # A passphrase change stopped part-way is finished (or undone) before anything else.
        resume_passphrase_change(db, passphrase, progress)
    except (ObserverError, OSError) as error:
        # The store opens all the same; the change stays recorded and is finished at the
        # next opening (another window may hold the store now, say).
        log.warning("a passphrase change could not be finished yet (%s)", type(error).__name__)
    except BaseException:
        db.close()
        raise
    install_shipped_frameworks(db)
    _install_shipped_plan(db)
    services = _assembled(data_dir, db, passphrase, key)
    _audit_opening(services)
    _audit_failed_unlocks(db, UnlockAttempts(data_dir))
    _take_own_certificates(services)
    return services


def _assembled(data_dir: Path, db: Database, passphrase: str, key: StoreKey) -> Services:
    profiles = Profiles(db, person_changed=lambda: services.person_changed())
    services = Services(
        data_dir=data_dir,
        db=db,
        people=People(db),
        profiles=profiles,
        recording=Recording(db, actor=lambda: services.actor()),
        actions=AgreedActions(db),
        signoff=SignOff(db, actor=lambda: services.actor(), endorser=lambda: services.endorser()),
        workspace=Workspace(db),
        passphrase=passphrase,
        encrypted_plain_store=key.encrypted_plain_store,
        upgraded=db.upgraded,
    )
    return services


def services_of_open_store(
    data_dir: Path, passphrase: str, key: StoreKey, *, cache_kib: int | None = None
) -> Services:
    """The services, for a helper process of a session that has opened the store already
    (open_services did what opening does: upgrade, audit, certificates). This opens the
    file as it is, with the key that session derived, and records nothing on opening;
    a store that is not at this version's schema is refused. `cache_kib`: see Database."""
    from observer.store.db import CACHE_KIB, SCHEMA_HEAD

    db = Database(database_path(data_dir), key, cache_kib=cache_kib or CACHE_KIB)
    try:
        if db.schema_revision() != SCHEMA_HEAD:
            raise DatabaseUnreadable("The store changed version while it was open.")
    except BaseException:
        db.close()
        raise
    return _assembled(data_dir, db, passphrase, key)


def _open_store(data_dir: Path, passphrase: str, key: StoreKey) -> Database:
    path = database_path(data_dir)
    try:
        return Database.open(path, key)
    except (DatabaseUnreadable, MigrationFailed):
        if not _made_meanwhile(path, key):
            raise
    # Another process made the store after this one chose a salt for it: the store is that
    # process's, so the key is derived again from the salt it chose.
    log.info("the store was made by another process meanwhile; opening that one")
    return Database.open(path, unlock(data_dir, passphrase))


def _made_meanwhile(path: Path, key: StoreKey) -> bool:
    from observer.store import encryption

    try:
        return (
            encryption.has_content(path)
            and not encryption.is_plain_sqlite(path)
            and encryption.file_salt(path) != key.salt
        )
    except (OSError, ObserverError):
        return False


def _audit_opening(services: Services) -> None:
    """Records in the audit trail that opening encrypted a plain store or upgraded the
    schema. Both are done by then, so a trail too busy to take the event leaves it out
    (logged) rather than stand in the store's way."""
    from sqlalchemy.exc import SQLAlchemyError

    from observer.governance.audit import EventFields, record_events

    events = []
    if services.encrypted_plain_store:
        events.append(EventFields(ENCRYPT_ACTION, "store", None, "", ENCRYPT_DETAIL))
    upgraded = services.upgraded
    if upgraded is not None:
        kept = (
            f"; the store as it was is kept in the backup {upgraded.backup.name}"
            if upgraded.backup is not None
            else ""
        )
        detail = f"schema {upgraded.from_revision} to {upgraded.to_revision}{kept}"
        events.append(EventFields(UPGRADE_ACTION, "store", None, "", detail))
    if not events:
        return
    try:
        with services.db.session() as s, s.begin():
            record_events(s, actor=services.actor(), events=events)
    except (ObserverError, SQLAlchemyError):
        log.warning("opening the store could not be written to the audit trail")


def _audit_failed_unlocks(db: Database, attempts: UnlockAttempts) -> None:
    """Writes the wrong passphrases given since the last unlock to the audit trail as one
    event, then resets the count; if the trail cannot take it now, the count stays (and the
    wait with it) for the next unlock to write."""
    failures = attempts.pending()
    if failures is None:
        return
    from sqlalchemy.exc import SQLAlchemyError

    from observer.governance.audit import record_failed_unlocks_before

    try:
        record_failed_unlocks_before(
            db, UNKNOWN_ACTOR, failures.count, failures.first, failures.last
        )
    except (ObserverError, SQLAlchemyError):
        log.warning("the wrong passphrases could not be written to the audit trail yet")
        return
    attempts.clear()


class DataFolder:
    """A data folder before its store is open: what start-up, `observer backups` and
    `observer restore` need, including when the store itself cannot be read."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self, passphrase: str, key: StoreKey | None = None) -> Services:
        return open_services(self.path, passphrase, key)

    def backups(self) -> list[Backup]:
        from observer.store import backups

        return backups.list_backups(self.path)

    def kept_aside_stores(self) -> list[KeptAside]:
        """The stores restores kept aside, unchanged, because they could not be read."""
        from observer.store import backups

        return backups.kept_aside_stores(self.path)

    def latest_good_backup(self, passphrase: str) -> Backup | None:
        """The newest backup that `passphrase` opens and that reads as a whole."""
        from observer.store import backups

        return backups.latest_good_backup(self.path, passphrase)

    def damaged_store_message(self, passphrase: str, error: DatabaseUnreadable) -> str:
        """One line for a store that cannot be read: what is wrong, and the way back."""
        from observer.store import backups

        return backups.damaged_store_message(self.path, passphrase, error)

    def plan_restore(self, backup: Path, passphrase: str) -> RestorePlan:
        """What restoring `backup` would do and take out of the store, changing nothing."""
        from observer.governance.restoring import plan_restore

        return plan_restore(self.path, backup, passphrase)

    def restore(self, backup: Path, passphrase: str, confirmed: int | None = None) -> Restored:
        """Puts `backup` in place of the store; the store is kept first (as a backup, or set
        aside when it is damaged). A restore that takes changes out of the store needs their
        number (`RestorePlan.to_confirm`) as `confirmed`; it is audited in the restored store,
        and the retention policy is applied to what comes back."""
        from dataclasses import replace
        from datetime import date

        from observer.governance.restoring import restore
        from observer.signing.identity import under_another_passphrase

        restored = restore(self.path, backup, passphrase, confirmed, date.today())
        if under_another_passphrase(self.path, passphrase):
            restored = replace(restored, identity_under_another_passphrase=True)
        return restored

    def restore_and_open(
        self, backup: Backup, passphrase: str, confirmed: int | None = None
    ) -> tuple[Services, Path | None]:
        """Restores `backup` and opens the store; gives where the old store is kept."""
        restored = self.restore(backup.path, passphrase, confirmed)
        return self.open(passphrase), restored.kept_as


def _take_own_certificates(services: Services) -> None:
    """This laptop's signing identities (those under the store's passphrase) are known in
    its store, and the plain certificate files of earlier versions go: done at every
    unlock, so an identity put in place meanwhile is known too. Nothing to do, and nothing
    imported, when the data folder has no signing folder."""
    if not (services.data_dir / "signing").is_dir():
        return
    from observer.signing.known import take_own_certificates

    try:
        take_own_certificates(services.db, services.data_dir, services.passphrase, services.actor())
    except ObserverError as exc:
        # The store opens all the same; a busy store is tried again at the next unlock.
        log.warning("the signing identities' certificates were not taken in (%s)", exc)


def _install_shipped_plan(db: Database) -> None:
    """The shipped improvement plan, in a store that has none yet (one query otherwise, in
    plain SQL: no ORM statement is compiled for it on the way to the first window)."""
    with db.session() as s:
        if s.execute(text("SELECT 1 FROM improvement_plans LIMIT 1")).first() is not None:
            return
    from observer.service.themes import install_shipped_plan

    install_shipped_plan(db, SYSTEM_ACTOR)


def install_shipped_frameworks(db: Database) -> None:
    with db.session() as s:
        stored = {
            (row.key, row.version) for row in s.execute(select(Framework.key, Framework.version))
        }
    missing = [d for d in shipped_frameworks() if (d.key, d.version) not in stored]
    for definition in missing:
        try:
            with db.session() as s, s.begin():
                store_framework(s, definition)
        except InvalidFramework:
            # The organisation installed its own framework under this key and version;
            # theirs stays, and the store still opens.
            log.warning(
                "shipped framework %s v%s clashes; kept the installed one",
                definition.key,
                definition.version,
            )
