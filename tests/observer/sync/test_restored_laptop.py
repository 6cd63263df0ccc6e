"""A laptop whose own store is restored from one of its backups after it had synced since:
its audit trail no longer holds the events the server received after the backup's time,
and the restore's own event takes their sequence numbers. The laptop declares the restore,
the server opens a new line of its chain (keeping what it held), what was written after the
restore reaches the team, and what the restore lost comes back from the server."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from observer.governance.audit_fork import DECLARED
from observer.records.merge import Change
from observer.server import chain, schema
from observer.services import Services, open_services
from observer.store.models import AuditEvent
from observer.sync import state
from observer.sync.client import Client, ServerRefused
from observer.sync.laptop_restore import Fork, declare, fork_of
from observer.sync.push import push_all
from observer.vocabulary import Role
from tests.observer.sync.test_killed import COMMAND, WAIT_S, HoldingProxy
from tests.support.commands import observer
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.restored_laptop import RESTORED_SAID, draft_of, observation, restore_from_backup
from tests.support.sync import TEAM, Laptop, LiveServer, lead_with_a_draft


def _laptop_id(laptop: Services) -> uuid.UUID:
    with laptop.db.session() as s:
        joined = state.enrolment(s)
    assert joined is not None
    return joined.laptop_id


def test_a_laptop_restored_from_its_own_backup_still_syncs(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    assert lead.laptop.sync.sync().refused == 0
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    manager.sync.join(
        live_server.url, live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    )
    folder, lost = restore_from_backup(lead)

    restored = open_services(folder, STORE_PASSPHRASE)
    try:
        assert observation(restored, lost) is None
        restored.recording.save(lead.draft, [Change("reflection", "", "Written after it.")])
        written = draft_of(restored, lead, "Written after the restore.")
        laptop_id = _laptop_id(restored)
    finally:
        restored.close()

    done = observer(folder, "sync")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [RESTORED_SAID]
    assert RESTORED_SAID in observer(folder, "sync", "status").stdout

    restored = open_services(folder, STORE_PASSPHRASE)
    try:
        status = restored.sync.status()
        assert (status.waiting, status.refused, status.notice) == (0, (), RESTORED_SAID)
        # What the restore lost came back; what was written since stayed.
        draft = observation(restored, lead.draft)
        assert draft is not None
        assert (draft.strengths, draft.reflection) == ("Calm and kind.", "Written after it.")
        assert observation(restored, lost) is not None
        # The laptop's trail holds, and says what it told the server.
        assert restored.audit.verify().ok
        with restored.db.session() as s:
            declared = s.scalars(select(AuditEvent).where(AuditEvent.action == DECLARED)).all()
        assert len(declared) == 1
        assert declared[0].detail.startswith("restored from a backup; the team server held ")
        # Said once: the next sync has nothing to add.
        assert restored.sync.sync().notice == ""
        assert restored.sync.status().notice == ""
    finally:
        restored.close()

    manager.sync.sync()
    seen = observation(manager, lead.draft)
    assert seen is not None
    assert (seen.strengths, seen.reflection) == ("Calm and kind.", "Written after it.")
    assert observation(manager, written) is not None
    assert observation(manager, lost) is not None

    with live_server.db.owner.connect() as conn:
        report = chain.verify(conn)
    assert report.ok, report.problems
    assert len(report.forks) == 1
    assert report.forks[0].startswith(f"Laptop {laptop_id} was restored from a backup")


def test_a_trail_that_forks_with_no_restore_in_it_is_not_declared(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    with lead.laptop.db.session() as s:
        events = s.execute(
            select(AuditEvent.sequence, AuditEvent.event_hash).order_by(AuditEvent.sequence)
        ).all()
        before = s.scalar(select(func.count(AuditEvent.id)))
    at, then = events[-3], events[-1]
    assert not declare(lead.laptop.db, Fork(at[0], at[1], then[0], then[1]), "Aled Hughes")
    with lead.laptop.db.session() as s:
        assert s.scalar(select(func.count(AuditEvent.id))) == before


def test_a_declaration_left_by_a_sync_stopped_before_it_pushed_is_sent_by_the_next(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    folder, _lost = restore_from_backup(lead)
    restored = open_services(folder, STORE_PASSPHRASE)
    try:
        with restored.db.session() as s:
            joined = state.enrolment(s)
        assert joined is not None
        with Client(joined.server, joined.token) as client, pytest.raises(ServerRefused) as no:
            push_all(restored.db, client)
        fork = fork_of(no.value.body)
        assert fork is not None
        # What a sync stopped here (SIGKILL, power) has committed: one transaction.
        assert declare(restored.db, fork, "Aled Hughes")
        result = restored.sync.sync()
        assert (result.refused, result.notice) == (0, RESTORED_SAID)
        assert restored.audit.verify().ok
    finally:
        restored.close()
    with live_server.db.owner.connect() as conn:
        report = chain.verify(conn)
    assert report.ok, report.problems
    assert len(report.forks) == 1


@pytest.fixture
def proxy(live_server: LiveServer) -> Iterator[HoldingProxy]:
    running = HoldingProxy(live_server.url)
    yield running
    running.close()


@pytest.mark.e2e
def test_sync_killed_once_the_server_took_the_declared_restore_finishes_next_time(
    live_server: LiveServer, make_laptop: Laptop, proxy: HoldingProxy
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    folder, _lost = restore_from_backup(lead)
    restored = open_services(folder, STORE_PASSPHRASE)
    try:
        restored.recording.save(lead.draft, [Change("reflection", "", "Written after it.")])
        with restored.db.session() as s, s.begin():
            state.put(s, **{state.SERVER: proxy.url})
    finally:
        restored.close()

    proxy.hold_refusals = False  # the refusal goes through; the declaring push is held
    syncing = subprocess.Popen(
        [COMMAND, "--data-dir", str(folder), "sync"],
        env={**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proxy.push_committed.wait(WAIT_S), "the declaring push never reached the server"
    finally:
        syncing.send_signal(signal.SIGKILL)
        syncing.communicate(timeout=WAIT_S)
    assert syncing.returncode == -signal.SIGKILL
    assert observer(folder, "audit", "verify").returncode == 0

    proxy.holding = False
    proxy.let_go.set()
    done = observer(folder, "sync")
    assert done.returncode == 0, done.stderr
    assert RESTORED_SAID in done.stdout

    restored = open_services(folder, STORE_PASSPHRASE)
    try:
        assert restored.sync.status().waiting == 0
        with restored.db.session() as s:
            declared = s.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == DECLARED)
            )
        assert declared == 1
    finally:
        restored.close()
    with live_server.db.owner.connect() as conn:
        report = chain.verify(conn)
        reflection = conn.scalar(
            select(schema.observations.c.reflection).where(schema.observations.c.id == lead.draft)
        )
    assert report.ok, report.problems
    assert len(report.forks) == 1
    assert reflection == "Written after it."
