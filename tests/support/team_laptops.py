"""A team manager's laptop and two practice leads' on a real team server, each synced, for
the team overview's line about when each laptop last synced.

Aled Hughes (a practice lead assigned to Children in Care) observes Siobhán Walker there;
Dana Lewis manages Children in Care; Priya Shah leads Fostering, another team, whose
laptop Dana must not see. Aled's laptop's last sync can be set back some days on the
server, as if it had been offline since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, update

from observer.server import schema
from observer.services import Services
from observer.vocabulary import Role
from tests.support.sync import TEAM, Laptop, LiveServer, lead_with_a_draft

OTHER_TEAM = "Fostering"


@dataclass
class TeamLaptops:
    server: LiveServer
    manager: Services
    lead: Services
    other_lead: Services

    def set_back(self, laptop: Services, days: int) -> None:
        """As if that laptop had not synced for `days` days (on the server only)."""
        joined = laptop.sync.status()
        assert joined.server is not None
        laptop_id = _laptop_id(laptop)
        with self.server.db.owner.begin() as conn:
            conn.execute(
                update(schema.laptops)
                .where(schema.laptops.c.id == laptop_id)
                .values(last_synced_at=func.now() - timedelta(days=days))
            )


def _laptop_id(laptop: Services) -> object:
    from observer.sync import state

    with laptop.db.session() as s:
        found = state.enrolment(s)
    assert found is not None
    return found.laptop_id


def team_with_laptops(live_server: LiveServer, make_laptop: Laptop) -> TeamLaptops:
    lead = lead_with_a_draft(live_server, make_laptop).laptop
    lead.sync.sync()  # the team, Siobhán and the draft reach the server
    live_server.code_for("Aled Hughes", "practice_lead", (TEAM,))  # now assigned to it
    live_server.db.team(OTHER_TEAM)
    other = make_laptop("Priya Shah")
    other.sync.join(live_server.url, live_server.code_for("Priya Shah", teams=(OTHER_TEAM,)))
    other.sync.sync()
    manager = make_laptop("Dana Lewis", Role.TEAM_MANAGER)
    manager.sync.join(live_server.url, live_server.code_for("Dana Lewis", "team_manager", (TEAM,)))
    manager.sync.sync()
    return TeamLaptops(live_server, manager, lead, other)
