"""`Sync`, the one way in to the team server for the window and the command line: join
with a one-time code, sync (push, then pull), and what is waiting.

Safe to call from a worker thread: every call opens its own sessions, and no write
transaction is held while the network is waited on. One sync runs at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from observer.errors import StoreBusy
from observer.governance.audit import record_event
from observer.store.db import Database
from observer.store.models import RecordConflict
from observer.store.sync_tables import PENDING, REFUSED, SENT, sync_outbox
from observer.sync import state
from observer.sync.laptop_restore import NOTICE, notice_kind, notice_words

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session

    from observer.conflicts.service import Conflicts, ConflictView
    from observer.people.merging import DuplicatePeople
    from observer.people.profile import Profiles
    from observer.sync.client import Client
    from observer.sync.joining import Joined
    from observer.sync.laptops import LaptopSync
    from observer.sync.pull import Pulled
    from observer.sync.push import Pushed

SYNCED = "sync"
SYNC_UNDER_WAY = (
    "A sync with the team server is under way on this laptop; try again once it has "
    "finished (the line at the foot of the window says so)."
)


@dataclass(frozen=True)
class SyncResult:
    """One sync: changes the server took, changes it refused (kept aside, see status),
    records pulled, records removed here, and conflicts found."""

    pushed: int
    refused: int
    pulled: int
    removed: int
    conflicts: int
    # One sentence about something that happened once (this laptop's restore), or "".
    notice: str = ""


QUIET = SyncResult(0, 0, 0, 0, 0)


@dataclass(frozen=True)
class RefusedChange:
    record_type: str
    record_id: uuid.UUID
    message: str


@dataclass(frozen=True)
class SyncStatus:
    """`server` is None until the laptop joins one."""

    server: str | None
    last_synced_at: datetime | None
    waiting: int
    refused: tuple[RefusedChange, ...]
    open_conflicts: int
    # Said until the sync after the one that told it (observer.sync.laptop_restore).
    notice: str = ""
    notice_kind: str = ""  # "restored" or "rejoined"


class Sync:
    def __init__(
        self,
        db: Database,
        *,
        actor: Callable[[], str],
        profiles: Profiles,
        duplicates: DuplicatePeople,
        conflicts: Conflicts,
    ) -> None:
        self._db = db
        self._actor = actor
        self._profiles = profiles
        self._duplicates = duplicates
        self._conflicts = conflicts
        self._running = threading.Lock()
        self._held_back = False
        self._talking = threading.Lock()  # guards the two below
        self._client: Client | None = None  # the conversation of the sync under way
        self._stopped = False

    @contextmanager
    def held_back(self, refusal: str) -> Iterator[None]:
        """No sync runs inside (the store is re-keyed under every session of this process);
        while one runs, which can wait on the network for a minute, StoreBusy at once with
        `refusal` after the reason, instead of the re-key finding the store in use by
        "another window"."""
        if not self._running.acquire(blocking=False):
            raise StoreBusy(f"{SYNC_UNDER_WAY} {refusal}")
        self._held_back = True
        try:
            yield
        finally:
            self._held_back = False
            self._running.release()

    def join(self, url: str, code: str, laptop_name: str | None = None) -> Joined:
        """Redeems a one-time code from the server's administrator (audited); on a laptop
        that had joined, joins again (observer/sync/rejoining.py), never during a sync."""
        from observer.sync.client import SyncFailed
        from observer.sync.joining import join

        if not self._running.acquire(blocking=False):
            raise SyncFailed(
                "A sync is under way on this laptop; join once it has finished (the line at "
                "the foot of the window says so)."
            )
        try:
            return join(
                self._db, self._profiles, self._duplicates, url, code, self._actor, laptop_name
            )
        finally:
            self._running.release()

    def sync(self) -> SyncResult:
        """Pushes what is waiting, then pulls until the server has no more (audited, when
        anything went either way); a laptop with a new team waiting pulls first
        (`_once`).
        Raises SyncFailed (one sentence) when the server cannot be reached or refuses;
        what is waiting stays waiting."""
        from observer.sync.client import Client, SyncFailed

        if not self._running.acquire(blocking=False):
            raise SyncFailed(
                "The store's passphrase is being changed; sync again in a moment."
                if self._held_back
                else "A sync is already running; wait for it to finish."
            )
        try:
            with self._db.session() as s:
                joined = state.enrolment(s)
            if joined is None:
                raise SyncFailed("This laptop has not joined a team server (observer sync enrol).")
            with Client(joined.server, joined.token) as client, self._talking_with(client):
                client.check_protocol()
                pushed, pulled = self._push_and_pull(client)
            from observer.search.service import update_index

            update_index(self._db)  # what was pulled is found at once, as after an import
            result = SyncResult(
                pushed.sent,
                pushed.refused,
                pulled.records,
                pulled.removed + pushed.removed,
                # The push's conflicts come back in the pull (this laptop's to settle), so
                # counting both counted each of them twice.
                pulled.conflicts,
            )
            with self._db.session() as s, s.begin():
                result = replace(result, notice=_notice_once(s))
                state.put(s, **{state.LAST_SYNC: datetime.now(UTC).isoformat()})
                if result == QUIET:
                    # A quiet sync (every five minutes in the window) is not audited: its
                    # event would be pushed by the next, receipted by the server, and the
                    # two trails would grow by hundreds of empty events a day a laptop.
                    return result
                record_event(
                    s,
                    actor=self._actor(),
                    action=SYNCED,
                    record_type="laptop",
                    record_id=joined.laptop_id,
                    detail=(
                        f"pushed {result.pushed}, refused {result.refused}, pulled "
                        f"{result.pulled}, removed {result.removed}, conflicts {result.conflicts}"
                    ),
                )
            return result
        finally:
            self._running.release()

    def stop(self) -> None:
        """For quitting, from any thread: a sync under way ends at once, even one waiting
        on a server that never answers (up to a minute), and none starts after. Nothing is
        lost: each push's answers are kept as they come, in their own transaction, and a
        push whose answer never came is sent again at the next sync (its change id makes
        that safe); a pull page is written only once wholly received."""
        with self._talking:
            self._stopped = True
            client = self._client
        if client is not None:
            client.stop()

    @contextmanager
    def _talking_with(self, client: Client) -> Iterator[None]:
        from observer.sync.client import STOPPED, SyncStopped

        with self._talking:
            if self._stopped:
                raise SyncStopped(STOPPED)
            self._client = client
        try:
            yield
        finally:
            with self._talking:
                self._client = None

    def _push_and_pull(self, client: Client) -> tuple[Pushed, Pulled]:
        """Push, then pull; once more after the server's refusal that means the server or
        this laptop was restored from a backup (each handled once)."""
        from observer.sync.client import ServerRefused
        from observer.sync.laptop_restore import declare, fork_of
        from observer.sync.restart import RESTORED, start_again

        handled: set[str] = set()
        while True:
            try:
                return self._once(client)
            except ServerRefused as refused:
                fork = fork_of(refused.body) if refused.error == "audit_chain" else None
                if fork is not None and "fork" not in handled:
                    # This laptop was restored from its own backup: it says so, if it was.
                    handled.add("fork")
                    if declare(self._db, fork, self._actor()):
                        continue
                    raise
                if refused.error not in RESTORED or "restart" in handled:
                    raise
                # The server was restored from a backup: once more, from the start.
                handled.add("restart")
                start_again(self._db)

    def _once(self, client: Client) -> tuple[Pushed, Pulled]:
        """Push, then pull; first a pull as well while a team the server never had waits
        to be pushed: the server may hold one of the same name, which this laptop takes as
        its own (observer/sync/teams.py) before it pushes what refers to it."""
        from observer.sync.pull import Pulled, pull_all
        from observer.sync.push import push_all
        from observer.sync.teams import new_team_waiting

        with self._db.session() as s:
            team_waiting = new_team_waiting(s)
        first = pull_all(self._db, client, self._actor()) if team_waiting else Pulled()
        pushed = push_all(self._db, client)
        pulled = pull_all(self._db, client, self._actor())
        pulled.records += first.records
        pulled.removed += first.removed
        pulled.conflicts += first.conflicts
        return pushed, pulled

    def status(self) -> SyncStatus:
        with self._db.session() as s:
            found = state.values(s)
            waiting = s.scalar(select(func.count()).where(sync_outbox.c.state.in_([PENDING, SENT])))
            refused = s.execute(select(sync_outbox).where(sync_outbox.c.state == REFUSED)).all()
            open_conflicts = s.scalar(
                select(func.count(RecordConflict.id)).where(RecordConflict.resolution.is_(None))
            )
        return SyncStatus(
            found.get(state.SERVER),
            state.last_synced(found),
            int(waiting or 0),
            tuple(RefusedChange(r.record_type, r.record_id, r.message) for r in refused),
            int(open_conflicts or 0),
            notice_words(found.get(NOTICE)),
            notice_kind(found.get(NOTICE)),
        )

    def laptops(self) -> list[LaptopSync]:
        """When each laptop the server lets this one see last synced, as of this laptop's
        last sync (a team manager's: their team's; docs/sync-protocol.md); none before
        joining."""
        from observer.sync import laptops

        with self._db.session() as s:
            return laptops.read(s)

    def conflicts(self) -> list[ConflictView]:
        """Open conflicts, from merges here and from the server's."""
        return self._conflicts.open()


def _notice_once(s: Session) -> str:
    """The notice for this sync to tell, once; told already, it goes."""
    found = state.values(s).get(NOTICE)
    if not isinstance(found, dict):
        return ""
    if found.get("told"):
        state.forget(s, NOTICE)
        return ""
    state.put(s, **{NOTICE: {**found, "told": True}})
    return notice_words(found)
