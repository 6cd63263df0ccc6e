"""`Sync`, the one way in to the team server for the window and the command line: join
with a one-time code, sync (push, then pull), and what is waiting.

Safe to call from a worker thread: every call opens its own sessions, and no write
transaction is held while the network is waited on. One sync runs at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from observer.governance.audit import record_event
from observer.store.db import Database
from observer.store.models import RecordConflict
from observer.store.sync_tables import PENDING, REFUSED, SENT, sync_outbox
from observer.sync import state

if TYPE_CHECKING:
    import uuid

    from observer.conflicts.service import Conflicts, ConflictView
    from observer.people.merging import DuplicatePeople
    from observer.people.profile import Profiles
    from observer.sync.client import Client
    from observer.sync.joining import Joined
    from observer.sync.pull import Pulled
    from observer.sync.push import Pushed

SYNCED = "sync"


@dataclass(frozen=True)
class SyncResult:
    """One sync: changes the server took, changes it refused (kept aside, see status),
    records pulled, records removed here, and conflicts found."""

    pushed: int
    refused: int
    pulled: int
    removed: int
    conflicts: int


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

    def join(self, url: str, code: str, laptop_name: str | None = None) -> Joined:
        """Redeems a one-time code from the server's administrator (audited)."""
        from observer.sync.joining import join

        return join(self._db, self._profiles, self._duplicates, url, code, self._actor, laptop_name)

    def sync(self) -> SyncResult:
        """Pushes what is waiting, then pulls until the server has no more (audited); a
        laptop with a new team waiting pulls first (`_push_and_pull`).
        Raises SyncFailed (one sentence) when the server cannot be reached or refuses;
        what is waiting stays waiting."""
        from observer.sync.client import Client, ServerRefused, SyncFailed
        from observer.sync.restart import RESTORED, start_again

        if not self._running.acquire(blocking=False):
            raise SyncFailed("A sync is already running; wait for it to finish.")
        try:
            with self._db.session() as s:
                joined = state.enrolment(s)
            if joined is None:
                raise SyncFailed("This laptop has not joined a team server (observer sync enrol).")
            with Client(joined.server, joined.token) as client:
                client.check_protocol()
                try:
                    pushed, pulled = self._push_and_pull(client)
                except ServerRefused as refused:
                    if refused.error not in RESTORED:
                        raise
                    # The server was restored from a backup: once more, from the start.
                    start_again(self._db)
                    pushed, pulled = self._push_and_pull(client)
            from observer.search.service import update_index

            update_index(self._db)  # what was pulled is found at once, as after an import
            result = SyncResult(
                pushed.sent,
                pushed.refused,
                pulled.records,
                pulled.removed,
                pushed.conflicts + pulled.conflicts,
            )
            with self._db.session() as s, s.begin():
                state.put(s, **{state.LAST_SYNC: datetime.now(UTC).isoformat()})
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

    def _push_and_pull(self, client: Client) -> tuple[Pushed, Pulled]:
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
        )

    def conflicts(self) -> list[ConflictView]:
        """Open conflicts, from merges here and from the server's."""
        return self._conflicts.open()
