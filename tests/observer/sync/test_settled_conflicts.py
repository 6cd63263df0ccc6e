"""A conflict settled on one laptop is settled on the server (protocol v2), and the other
laptops that listed it stop listing it at their next sync; `observer-server laptops`
counts only open ones. Before, settling never left the laptop: the lead's other laptop
listed it for ever, and the server's count of open conflicts only grew."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from observer.conflicts.service import Choice
from observer.records.merge import Change
from observer.server import feed, push, schema
from observer.server.database import DATABASE_VARIABLE
from observer.server.push_request import read_push
from observer.services import Services
from observer.store.models import RecordConflict
from observer.store.sync_tables import sync_outbox
from observer.sync import client
from observer.sync.client import SyncFailed
from observer.sync.pull import CLOSED_AS_SETTLED_ELSEWHERE
from observer.sync.service import QUIET
from observer.vocabulary import Role
from tests.support.sync import (
    TEAM,
    Laptop,
    Lead,
    LiveServer,
    lead_with_a_draft,
    signed_in_the_room,
)


def joined(live_server: LiveServer, laptop: Services, name: str, *args: object) -> Services:
    laptop.sync.join(live_server.url, live_server.code_for(name, *args))  # type: ignore[arg-type]
    laptop.sync.sync()
    return laptop


def two_laptops_in_conflict(live_server: LiveServer, make_laptop: Laptop) -> tuple[Lead, Services]:
    """The lead's two laptops both list a conflict of the lead's draft (the same words
    changed on each)."""
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    other = joined(live_server, make_laptop("Aled Hughes"), "Aled Hughes")
    base = "Calm with the family."
    lead.laptop.recording.save(lead.draft, [Change("strengths", base, "Calm and warm.")])
    other.recording.save(lead.draft, [Change("strengths", base, "Calm, clear and kind.")])
    lead.laptop.sync.sync()
    other.sync.sync()
    lead.laptop.sync.sync()
    for laptop in (lead.laptop, other):
        assert laptop.sync.status().open_conflicts == 1
    return lead, other


def open_on_server(live_server: LiveServer) -> dict[str, int]:
    """`observer-server laptops --json`, run as IT runs it: open conflicts by laptop name."""
    command = Path(sys.executable).parent / "observer-server"
    done = subprocess.run(
        [str(command), "laptops", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, DATABASE_VARIABLE: live_server.db.url()},
        check=True,
        timeout=60,
    )
    return {laptop["id"]: laptop["open_conflicts"] for laptop in json.loads(done.stdout)}


def test_settled_on_one_laptop_the_other_stops_listing_it_and_the_server_count_goes_down(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead, other = two_laptops_in_conflict(live_server, make_laptop)
    assert sum(open_on_server(live_server).values()) == 1

    conflict = lead.laptop.conflicts.open()[0]
    lead.laptop.conflicts.settle(conflict.id, conflict.choices[0])
    assert lead.laptop.sync.status().waiting >= 1  # queued with the settlement
    assert lead.laptop.sync.sync().refused == 0
    other.sync.sync()

    assert (other.sync.status().open_conflicts, other.sync.status().waiting) == (0, 0)
    assert other.conflicts.open() == []
    assert sum(open_on_server(live_server).values()) == 0
    me = lead.laptop.profiles.current().person_id  # type: ignore[union-attr]
    with live_server.db.owner.connect() as conn:
        c = schema.conflicts
        row = conn.execute(
            select(c.c.resolved_at, c.c.resolved_by, c.c.resolution).where(c.c.id == conflict.id)
        ).one()
    assert row.resolved_at is not None
    assert (row.resolved_by, row.resolution) == (me, conflict.choices[0].value)

    # A v1 page carries the conflict's fields as before: resolved_at, and nothing v2 added.
    laptop = laptop_of(live_server, "Aled Hughes", 0)
    for settlements, carries in ((False, set()), (True, {"resolved_by", "resolution"})):
        with live_server.db.as_laptop(laptop) as conn:
            page = feed.pull(conn, feed.Cursor(), 1000, settlements=settlements)
        [sent] = [item for item in page["conflicts"] if item["id"] == str(conflict.id)]
        assert sent["resolved_at"] is not None
        assert set(sent) & {"resolved_by", "resolution"} == carries


def test_the_laptop_that_closes_a_conflict_settled_elsewhere_audits_it_once(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead, other = two_laptops_in_conflict(live_server, make_laptop)
    conflict = lead.laptop.conflicts.open()[0]
    lead.laptop.conflicts.settle(conflict.id, conflict.choices[0])
    lead.laptop.sync.sync()
    before = len(other.audit.events())

    other.sync.sync()

    closed = [e for e in other.audit.events() if e.action_code == CLOSED_AS_SETTLED_ELSEWHERE]
    assert len(closed) == 1
    [event] = closed
    assert event.record_id == lead.draft
    me = lead.laptop.profiles.current().person_id  # type: ignore[union-attr]
    assert event.detail == (
        f"{conflict.kind.value} conflict {conflict.id} settled on another laptop by person "
        f"{me}: {conflict.choices[0].value}"
    )
    for words in ("Aled", "Calm"):  # ids, never names or narrative
        assert words not in event.detail
    assert event.action == "Closed a conflict settled on another laptop"
    assert other.audit.verify().ok
    with other.db.session() as s:  # the history keeps who settled it, and when
        row = s.get(RecordConflict, conflict.id)
        assert row is not None
        assert (row.resolution, row.resolved_by) == ("elsewhere", "Aled Hughes")
        assert row.resolved_at is not None

    # The event goes up with the next push as an event, not as a change: that sync and
    # the one after are quiet, and write nothing more.
    after = len(other.audit.events())
    assert after > before
    assert other.sync.sync() == QUIET
    assert other.sync.sync() == QUIET
    assert len(other.audit.events()) == after
    assert other.sync.status().waiting == 0
    with live_server.db.owner.connect() as conn:
        held = conn.execute(
            select(func.count())
            .select_from(schema.audit_events)
            .where(schema.audit_events.c.action == CLOSED_AS_SETTLED_ELSEWHERE)
        ).scalar_one()
    assert held == 1


def test_settled_on_both_laptops_before_either_syncs_is_not_an_error(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead, other = two_laptops_in_conflict(live_server, make_laptop)
    for laptop in (lead.laptop, other):  # both keep both people's words: nothing rewritten
        conflict = laptop.conflicts.open()[0]
        laptop.conflicts.settle(conflict.id, Choice.BOTH)
    for laptop in (lead.laptop, other, lead.laptop):
        laptop.sync.sync()
        status = laptop.sync.status()
        assert (status.refused, status.waiting, status.open_conflicts) == ((), 0, 0)


def laptop_of(live_server: LiveServer, name: str, which: int = 0) -> uuid.UUID:
    with live_server.db.owner.connect() as conn:
        found: list[uuid.UUID] = list(
            conn.execute(
                select(schema.laptops.c.id)
                .join(schema.people, schema.people.c.id == schema.laptops.c.person_id)
                .where(schema.people.c.name == name)
                .order_by(schema.laptops.c.enrolled_at)
            ).scalars()
        )
    return found[which]


def test_a_manager_cannot_settle_a_leads_conflict(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead, _other = two_laptops_in_conflict(live_server, make_laptop)
    joined(
        live_server,
        make_laptop("Morag Campbell", Role.TEAM_MANAGER),
        "Morag Campbell",
        "team_manager",
        (TEAM,),
    )
    conflict = lead.laptop.conflicts.open()[0].id
    manager = laptop_of(live_server, "Morag Campbell")

    # Through the service: refused, with one sentence, and nothing written.
    change = settlement(conflict, "other")
    answer = push.apply(live_server.db.service, manager, change)
    assert answer.outcome == "refused"
    assert answer.message is not None
    assert answer.message.count(".") == 1
    assert "may be settled only by" in answer.message

    # In SQL as the service's role: the manager sees the conflict, and may not settle it.
    c = schema.conflicts
    with live_server.db.as_laptop(manager) as conn:
        assert conn.execute(select(c.c.id).where(c.c.id == conflict)).scalar_one() == conflict
        person = conn.execute(text("SELECT observer_caller_person()")).scalar_one()
        done = conn.execute(
            update(c)
            .where(c.c.id == conflict)
            .values(resolved_at=text("now()"), resolved_by=person, resolution="other")
        )
        assert done.rowcount == 0
    with live_server.db.owner.connect() as conn:
        assert conn.execute(select(c.c.resolved_at).where(c.c.id == conflict)).scalar() is None


def test_the_author_may_settle_only_in_their_own_name_and_only_once(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead, _other = two_laptops_in_conflict(live_server, make_laptop)
    conflict = lead.laptop.conflicts.open()[0].id
    with live_server.db.owner.connect() as conn:
        laptop = conn.execute(select(schema.laptops.c.id).limit(1)).scalar_one()
    stranger = live_server.db.person("Dana Lewis")
    c = schema.conflicts
    with pytest.raises(DBAPIError, match="settled, once"), live_server.db.as_laptop(laptop) as conn:
        conn.execute(
            update(c)
            .where(c.c.id == conflict)
            .values(resolved_at=text("now()"), resolved_by=stranger, resolution="this")
        )
    with pytest.raises(DBAPIError, match="settled, once"), live_server.db.as_laptop(laptop) as conn:
        conn.execute(update(c).where(c.c.id == conflict).values(field="strengths-x"))


def test_a_v1_laptop_still_syncs_and_cannot_send_a_settlement(
    live_server: LiveServer, make_laptop: Laptop, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lead, other = two_laptops_in_conflict(live_server, make_laptop)
    monkeypatch.setattr(client, "PROTOCOL", "v1")
    conflict = other.conflicts.open()[0]
    other.conflicts.settle(conflict.id, conflict.choices[0])
    with pytest.raises(SyncFailed, match="record_type must be one of"):
        other.sync.sync()  # v1 knows no settled conflicts: a 400, nothing written
    with other.db.session() as s, s.begin():
        s.execute(sync_outbox.delete().where(sync_outbox.c.record_type == "conflict"))
    other.sync.sync()  # without it, a v1 laptop syncs as before
    assert other.sync.status().waiting == 0
    with live_server.db.owner.connect() as conn:
        c = schema.conflicts
        assert conn.execute(select(c.c.resolved_at).where(c.c.id == conflict.id)).scalar() is None


def test_an_edit_set_aside_turned_into_an_addendum_is_settled_on_the_server(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead = lead_with_a_draft(live_server, make_laptop)
    lead.laptop.sync.sync()
    other = joined(live_server, make_laptop("Aled Hughes"), "Aled Hughes")
    signed_in_the_room(lead)
    lead.laptop.sync.sync()
    other.recording.save(lead.draft, [Change("strengths", "Calm with the family.", "Kind too.")])
    assert other.sync.sync().conflicts == 1
    assert sum(open_on_server(live_server).values()) == 1

    (conflict,) = other.conflicts.open(lead.draft)
    other.signoff.add_addendum(lead.draft, conflict.edit_words(), "Aled Hughes")
    other.conflicts.settled_by_addendum(conflict.id)
    assert other.sync.sync().refused == 0
    lead.laptop.sync.sync()

    assert sum(open_on_server(live_server).values()) == 0
    assert len(lead.laptop.signoff.addenda(lead.draft)) == 1
    with live_server.db.owner.connect() as conn:
        c = schema.conflicts
        how = conn.execute(select(c.c.resolution).where(c.c.id == conflict.id)).scalar_one()
    assert how == "addendum"


def settlement(conflict: uuid.UUID, resolution: str = "both") -> Any:
    _, [change] = read_push(
        {
            "audit": [],
            "changes": [
                {
                    "change_id": str(uuid.uuid4()),
                    "record_type": "conflict",
                    "operations": ["settle"],
                    "base_revision": None,
                    "base": None,
                    "record": {"id": str(conflict), "resolution": resolution},
                }
            ],
        }
    )
    return change


def test_a_settlement_is_applied_once_by_its_change_id(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    lead, _other = two_laptops_in_conflict(live_server, make_laptop)
    conflict = lead.laptop.conflicts.open()[0].id
    laptop = laptop_of(live_server, "Aled Hughes", 0)
    change = settlement(conflict)
    first = push.apply(live_server.db.service, laptop, change)
    again = push.apply(live_server.db.service, laptop, change)
    elsewhere = push.apply(live_server.db.service, laptop, settlement(conflict, "this"))
    assert (first.outcome, again.outcome, elsewhere.outcome) == (
        "updated",
        "already_applied",
        "unchanged",
    )
    assert first.server_revision == again.server_revision == elsewhere.server_revision
    unknown = push.apply(live_server.db.service, laptop, settlement(uuid.uuid4()))
    assert (unknown.outcome, unknown.message) == ("unchanged", None)
