"""A manager's laptop learns when each laptop of their team last synced (protocol v2), and
only theirs; a laptop speaking v1 still syncs with the server that now speaks v2; a laptop
speaking v2 gets one sentence from a server that speaks only v1, and nothing is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from observer.server import app as server_app
from observer.server import schema
from observer.store.sync_tables import sync_laptops, sync_outbox
from observer.sync import client
from observer.sync.client import SyncFailed
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft
from tests.support.team_laptops import team_with_laptops


def test_a_managers_laptop_learns_when_its_teams_laptops_last_synced(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    team = team_with_laptops(live_server, make_laptop)
    seen = {(laptop.person_name, laptop.this_laptop) for laptop in team.manager.sync.laptops()}
    assert seen == {("Aled Hughes", False), ("Dana Lewis", True)}  # not Priya's: another team
    now = datetime.now(UTC)
    assert all(
        laptop.last_synced_at is not None and now - laptop.last_synced_at < timedelta(minutes=5)
        for laptop in team.manager.sync.laptops()
    )

    team.set_back(team.lead, days=9)
    team.manager.sync.sync()
    aled = next(lap for lap in team.manager.sync.laptops() if lap.person_name == "Aled Hughes")
    assert aled.last_synced_at is not None
    ago = datetime.now(UTC) - aled.last_synced_at
    assert timedelta(days=9) <= ago < timedelta(days=9, minutes=5)

    # A practice lead sees only their own laptop.
    assert [lap.person_name for lap in team.other_lead.sync.laptops()] == ["Priya Shah"]


def test_a_laptop_speaking_v1_syncs_end_to_end_with_the_new_server(
    live_server: LiveServer, make_laptop: Laptop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "PROTOCOL", "v1")
    lead = lead_with_a_draft(live_server, make_laptop)
    result = lead.laptop.sync.sync()
    assert result.pushed >= 3  # the team, the worker, the draft
    with live_server.db.owner.connect() as conn:
        held = conn.execute(
            select(schema.observations.c.strengths).where(schema.observations.c.id == lead.draft)
        ).scalar_one()
        synced = conn.execute(select(schema.laptops.c.last_synced_at)).scalar_one()
    assert held == "Calm with the family."
    assert synced is not None  # the server notes a v1 laptop's sync too
    assert lead.laptop.sync.status().waiting == 0
    with lead.laptop.db.session() as s:  # a v1 pull carries no laptops, and none are kept
        assert s.scalar(select(func.count()).select_from(sync_laptops)) == 0


def test_a_laptop_speaking_v2_is_told_in_one_sentence_by_a_server_speaking_only_v1(
    live_server: LiveServer, make_laptop: Laptop, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)  # joined while the server spoke v2
    monkeypatch.setattr(server_app, "PROTOCOL", "v1")
    monkeypatch.setattr(server_app, "PROTOCOLS", ("v1",))
    with lead.laptop.db.session() as s:
        waiting = s.scalar(select(func.count()).select_from(sync_outbox))
    with pytest.raises(SyncFailed) as refused:
        lead.laptop.sync.sync()
    sentence = str(refused.value)
    assert sentence == (
        f"The team server at {live_server.url} speaks sync protocol v1, older than this "
        "laptop's v2: ask IT to upgrade the team server; nothing was sent, and the changes "
        "waiting stay on this laptop."
    )
    with live_server.db.owner.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.observations)).scalar() == 0
    with lead.laptop.db.session() as s:
        assert s.scalar(select(func.count()).select_from(sync_outbox)) == waiting
    assert lead.laptop.sync.status().last_synced_at is None
