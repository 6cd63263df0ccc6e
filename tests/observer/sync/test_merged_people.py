"""`observer-server merge-people` of a person named on a signed record: the server names the
person kept and keeps the id the record was signed with in `ids_at_signing`. Before, every
laptop pulling the record refused it (its content no longer matched its signatures) and
stopped syncing for good."""

from __future__ import annotations

from sqlalchemy import select

from observer.server import schema
from observer.store.models import Person
from observer.vocabulary import Role
from tests.support.server_admin import run
from tests.support.sync import TEAM, Laptop, LiveServer, lead_with_a_draft, signed_in_the_room


def test_laptops_keep_syncing_a_signed_record_whose_person_the_server_merged(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    signed_in_the_room(lead)
    lead.laptop.sync.sync()
    manager = make_laptop("Morag Campbell", Role.TEAM_MANAGER)
    code = live_server.code_for("Morag Campbell", "team_manager", (TEAM,))
    manager.sync.join(live_server.url, code)
    manager.sync.sync()
    assert manager.signoff.signed_record(lead.draft).problem is None
    with live_server.db.owner.begin() as conn:
        team = conn.scalar(select(schema.teams.c.id).where(schema.teams.c.name == TEAM))
    keep = live_server.db.person("Siobhán Walker (as HR knows her)", team)

    merged = run(["merge-people", str(keep), str(lead.worker)], live_server.db.url())
    assert merged.exit_code == 0, merged

    for laptop in (lead.laptop, manager):
        done = laptop.sync.sync()
        assert done.refused == 0
        assert laptop.sync.status().refused == ()
        assert laptop.signoff.signed_record(lead.draft).problem is None
        assert laptop.recording.get(lead.draft).observed_person_id == keep
        with laptop.db.session() as s:
            assert s.get(Person, keep) is not None
    assert manager.sync.sync().refused == 0  # and the next sync goes on as usual
