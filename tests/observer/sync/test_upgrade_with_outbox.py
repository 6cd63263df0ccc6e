"""A laptop offline through a schema upgrade with a full outbox loses nothing (issue 16).

A joined laptop, at schema 0013, holds changes of every kind waiting to be sent: an edit of
a record the server has, a new record signed in the room, an agreed action completed, a new
team and a new person, and a draft deleted. It is upgraded to the latest schema by opening
it as the app does (a backup first), then syncs with a real server: every change arrives,
and the laptop's audit chain verifies on both sides.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select

from observer.people.directory import PersonDetails
from observer.records.merge import Change
from observer.records.recording import DraftDetails
from observer.server import schema
from observer.services import Services, open_services
from observer.store import encryption
from observer.store.backups import BEFORE_UPGRADE, list_backups
from observer.store.db import MIGRATIONS_DIR, SCHEMA_HEAD, make_engine
from observer.store.models import AuditEvent
from observer.store.sync_tables import PENDING, sync_outbox
from observer.vocabulary import Kind, Role, SignatureRole
from tests.support.core import CONSENT, WHEN
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft
from tests.support.team_world import check_server_chains, server_chain

ME = "Aled Hughes"


def _complete_draft(laptop: Services, worker: uuid.UUID, strengths: str) -> uuid.UUID:
    me = laptop.profiles.current().person_id  # type: ignore[union-attr]
    record = laptop.recording.create_draft(
        DraftDetails(worker, me, Kind.HOME_VISIT, WHEN, **CONSENT)
    )
    laptop.recording.update(
        record,
        {"strengths": strengths, "overall_level": "good", "overall_rationale": "Steady work."},
    )
    for rating in laptop.recording.get(record).ratings:
        laptop.recording.set_rating(
            record, rating.standard_code, level_code="good", evidence="Heard the child."
        )
    return record


def _chain(laptop: Services) -> dict[int, str]:
    with laptop.db.session() as s:
        return {e.sequence: e.event_hash for e in s.scalars(select(AuditEvent))}


def _downgrade_to_0013(store: Path) -> None:
    """The store as schema 0013 left it: what the app before 0014 wrote, outbox and all."""
    engine = make_engine(store, encryption.key_for(store, STORE_PASSPHRASE))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
    engine.dispose()
    assert encryption.schema_revision(store, encryption.key_for(store, STORE_PASSPHRASE)) == "0013"


def test_a_laptop_upgraded_with_a_full_outbox_sends_every_change(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    laptop, folder = lead.laptop, lead.laptop.db.path.parent
    deleted = _complete_draft(laptop, lead.worker, "To be withdrawn.")
    laptop.sync.sync()  # the server holds the draft, the worker, the team, and `deleted`

    # Offline from here: a change of every kind waits.
    laptop.recording.save(
        lead.draft, [Change("strengths", "Calm with the family.", "Calm and warm with the family.")]
    )
    action = laptop.recording.add_action(lead.draft, "Visit the school with the child.")
    laptop.actions.complete_action(action, ME)
    signed = _complete_draft(laptop, lead.worker, "Listened well to the young person.")
    laptop.recording.mark_ready(signed)
    laptop.signoff.sign(signed, SignatureRole.OBSERVER, ME)
    laptop.signoff.sign(signed, SignatureRole.PRACTITIONER, "Siobhán Walker")
    team = laptop.people.add_team("Fostering")
    newcomer = laptop.people.add_person(PersonDetails("Rhys Morgan", Role.SOCIAL_WORKER, team))
    laptop.recording.delete_draft(deleted)
    with laptop.db.session() as s:
        waiting = {
            (row.record_type, row.record_id)
            for row in s.execute(select(sync_outbox).where(sync_outbox.c.state == PENDING))
        }
    assert waiting == {
        ("observation", lead.draft),
        ("observation", signed),
        ("observation", deleted),
        ("team", team),
        ("person", newcomer),
    }
    store = laptop.db.path
    laptop.close()
    _downgrade_to_0013(store)

    upgraded = open_services(folder, STORE_PASSPHRASE)  # as the app opens it
    try:
        assert upgraded.db.schema_revision() == SCHEMA_HEAD
        made = [b.reason for b in list_backups(folder)]
        assert f"{BEFORE_UPGRADE}-0013-to-{SCHEMA_HEAD}" in made
        with upgraded.db.session() as s:
            assert "sync_laptops" in inspect(s.connection()).get_table_names()
            kept = {
                (row.record_type, row.record_id)
                for row in s.execute(select(sync_outbox).where(sync_outbox.c.state == PENDING))
            }
        assert kept == waiting
        assert upgraded.sync.status().waiting == len(waiting)
        before = _chain(upgraded)

        result = upgraded.sync.sync()
        assert (result.pushed, result.refused) == (len(waiting), 0)
        assert upgraded.sync.status().waiting == 0
        report = upgraded.audit.verify()
        assert report.ok, report.sentence()
        own = _chain(upgraded)
        laptops = [lap for lap in upgraded.sync.laptops() if lap.this_laptop]
        assert len(laptops) == 1  # and v2's laptops are kept in the new table
        laptop_id = laptops[0].laptop_id
    finally:
        upgraded.close()

    o, a, p, t = schema.observations, schema.actions, schema.people, schema.teams
    with live_server.db.owner.connect() as conn:
        held = {row.id: row for row in conn.execute(select(o))}
        assert held[lead.draft].strengths == "Calm and warm with the family."
        assert held[signed].status == "signed"
        assert held[signed].strengths == "Listened well to the young person."
        assert deleted not in held
        done = conn.execute(select(a.c.status, a.c.done_by).where(a.c.id == action)).one()
        assert tuple(done) == ("done", ME)
        assert conn.execute(select(p.c.name).where(p.c.id == newcomer)).scalar_one() == (
            "Rhys Morgan"
        )
        assert conn.execute(select(t.c.name).where(t.c.id == team)).scalar_one() == "Fostering"
        signatures = conn.execute(
            select(schema.signatures.c.role).where(schema.signatures.c.observation_id == signed)
        ).scalars()
        assert sorted(signatures) == ["observer", "practitioner"]
    # Every event written before the sync arrived as the laptop holds it (the sync's own
    # event goes with the next push).
    held_chain = server_chain(live_server.db, laptop_id)
    assert before.items() <= held_chain.items() <= own.items()
    check_server_chains(live_server.db)
