"""A laptop whose token IT revoked: its sync says so in one sentence that a user can act
on, and keeps what waits. Before, it passed on the server's "enrol the laptop again",
which `observer sync enrol` then refused ("already joined"); now it asks for a new code,
with which the laptop joins again (test_rejoin.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from observer.records.merge import Change
from observer.server import enrolment, schema
from observer.sync.client import NotEnrolled
from tests.support.commands import observer, one_line_error
from tests.support.sync import Laptop, LiveServer, lead_with_a_draft


def test_a_revoked_laptop_is_told_so_and_keeps_what_waits(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    laptop = lead.laptop
    laptop.sync.sync()
    with live_server.db.owner.begin() as conn:
        (laptop_id,) = conn.execute(select(schema.laptops.c.id)).scalars().all()
        enrolment.revoke(conn, str(laptop_id))
    laptop.recording.save(
        lead.draft, [Change("strengths", "Calm with the family.", "Calm, and kind.")]
    )
    said = (
        f"The team server at {live_server.url} no longer accepts this laptop (IT revoked it, "
        "or the server was restored from a backup); the changes waiting stay on this laptop: "
        "ask IT for a new enrolment code and join the server again with it."
    )

    with pytest.raises(NotEnrolled) as refused:
        laptop.sync.sync()
    assert str(refused.value) == said
    assert laptop.sync.status().waiting == 1
    laptop.close()
    assert one_line_error(observer(laptop.data_dir, "sync")) == f"observer: {said}"
