"""A team server restored from last night's dump, as docs/server.md tells IT to restore it,
has lost what laptops sent since: their later records and audit events. A laptop that
synced after the dump notices at its next sync (its audit head or cursor is from after the
restore), starts again, and sends what the server lost; nothing it wrote is lost."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.server import schema
from observer.store.models import AuditEvent
from observer.vocabulary import Kind
from tests.support import restore
from tests.support.core import CONSENT, WHEN
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft


def test_a_laptop_sends_again_what_a_restored_server_lost(
    live_server: LiveServer, make_laptop: Laptop, tmp_path: Path
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    db = live_server.db
    dumped = restore.backup(db.cluster, db.name, tmp_path / "backups")
    assert dumped.returncode == 0, dumped.stderr
    (dump,) = (tmp_path / "backups").glob("observer-*.dump")

    me = lead.laptop.profiles.current().person_id  # type: ignore[union-attr]
    later = lead.laptop.recording.create_draft(
        DraftDetails(lead.worker, me, Kind.HOME_VISIT, WHEN, focus="After the dump.", **CONSENT)
    )
    lead.laptop.recording.save(later, [Change("strengths", "", "Kept every appointment.")])
    lead.laptop.sync.sync()

    # IT restores last night's dump over the database, then runs migrate.
    db.owner.dispose()
    db.service.dispose()
    restore.restore(db.cluster, dump, db.name, clean=True)
    migrated = restore.migrate(db.cluster, db.name)
    assert "restored or moved" in migrated.stdout, migrated.stderr
    with db.owner.connect() as conn:
        held = conn.execute(select(schema.observations.c.id)).scalars().all()
    assert later not in held  # the restore lost it

    result = lead.laptop.sync.sync()

    with db.owner.connect() as conn:
        strengths = conn.execute(
            select(schema.observations.c.strengths).where(schema.observations.c.id == later)
        ).scalar_one()
        events = (
            conn.execute(
                select(schema.audit_events.c.sequence).where(
                    schema.audit_events.c.laptop_id.is_not(None)
                )
            )
            .scalars()
            .all()
        )
    assert strengths == "Kept every appointment."
    assert result.refused == 0
    assert lead.laptop.sync.status().waiting == 0
    with lead.laptop.db.session() as s:
        newest = s.scalar(select(AuditEvent.sequence).order_by(AuditEvent.sequence.desc()))
    # Every event the laptop had before this sync is on the server again, in one run.
    assert sorted(events) == list(range(1, len(events) + 1))
    assert newest is not None
    assert len(events) >= newest - 1
