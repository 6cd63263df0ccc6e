"""Joining a real team server with a one-time code, and what a laptop refuses before it
writes anything: plain http to another machine, a server that cannot be reached, a code
the server refuses, a server that speaks another protocol."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from sqlalchemy import func, select

from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.server import schema
from observer.store.models import AuditEvent, Person
from observer.store.sync_tables import sync_outbox, sync_state
from observer.sync.client import Client, SyncFailed, checked_url
from observer.vocabulary import Kind, Role, SignatureRole
from tests.support.core import CONSENT, WHEN
from tests.support.postgres import free_port
from tests.support.sync import Laptop, LiveServer


def test_joining_keeps_the_token_and_names_the_user_with_the_servers_id(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    laptop = make_laptop("Aled Hughes")
    local_id = laptop.profiles.current().person_id  # type: ignore[union-attr]
    code = live_server.code_for("Aled Hughes")
    joined = laptop.sync.join(live_server.url, code, "Aled's laptop")

    with live_server.db.owner.begin() as conn:
        server_person = conn.scalar(
            select(schema.people.c.id).where(schema.people.c.name == "Aled Hughes")
        )
        laptops = conn.execute(select(schema.laptops)).all()
    assert [row.id for row in laptops] == [joined.laptop_id]
    profile = laptop.profiles.current()
    assert profile is not None
    assert profile.person_id == server_person != local_id
    with laptop.db.session() as s:
        assert s.get(Person, local_id).merged_into_id == server_person  # type: ignore[union-attr]
        kept = {row.key for row in s.execute(select(sync_state))}
        assert {"server", "token", "laptop_id", "person_id"} <= kept
        queued = s.scalar(select(func.count()).select_from(sync_outbox))
        events = s.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence)).all()
    assert queued == joined.queued
    assert events[-1] == "sync_join"
    status = laptop.sync.status()
    assert status.server == live_server.url
    assert status.waiting == joined.queued


def test_a_code_used_twice_is_refused_in_one_sentence(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    code = live_server.code_for("Aled Hughes")
    make_laptop().sync.join(live_server.url, code)
    second = make_laptop()
    with pytest.raises(SyncFailed) as refused:
        second.sync.join(live_server.url, code)
    assert str(refused.value).startswith("The team server refused (403)")
    assert second.sync.status().server is None


@pytest.mark.parametrize(
    "url",
    ["http://sync.example.org", "http://10.0.0.5:8470", "http://[2001:db8::1]/", "ftp://x.org"],
)
def test_plain_http_to_another_machine_is_refused(url: str) -> None:
    with pytest.raises(SyncFailed) as refused:
        checked_url(url)
    assert "\n" not in str(refused.value)
    assert str(refused.value).endswith(".")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8470",
        "http://127.5.0.1",
        "http://[::1]:80",
        "http://localhost/",
        "https://sync.example.org/",
    ],
)
def test_https_or_this_machine_is_accepted(url: str) -> None:
    assert checked_url(url) == url.rstrip("/")


def test_a_server_that_cannot_be_reached_is_one_sentence(make_laptop: Laptop) -> None:
    laptop = make_laptop()
    port = free_port()
    with pytest.raises(SyncFailed) as failed:
        laptop.sync.join(f"http://127.0.0.1:{port}", "ABCDE-FGHIJ")
    said = str(failed.value)
    assert said == (
        f"The team server at http://127.0.0.1:{port} could not be reached: check the address "
        "and the network, then try again; this laptop has not joined."
    )
    assert "changes waiting" not in said  # none wait before joining
    assert laptop.sync.status().server is None


def test_a_server_speaking_another_protocol_is_refused_before_anything_is_written(
    make_laptop: Laptop,
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/health", "nothing is asked before the protocol is checked"
        return httpx.Response(200, json={"status": "ok", "protocol": "v3", "protocols": ["v3"]})

    client = Client("https://sync.example.org", transport=httpx.MockTransport(answer))
    with client, pytest.raises(SyncFailed) as refused:
        client.check_protocol()
    assert str(refused.value) == (
        "The team server at https://sync.example.org speaks sync protocol v3, not this "
        "laptop's v2: update Practice Observer on this laptop; nothing was sent, and the "
        "changes waiting stay on this laptop."
    )


def test_a_draft_begun_after_joining_with_no_records_reaches_the_server(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    laptop = make_laptop("Aled Hughes")
    laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    team = laptop.people.add_team("Children in Care")
    worker = laptop.people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER, team))
    me = laptop.profiles.current().person_id  # type: ignore[union-attr]
    draft = laptop.recording.create_draft(
        DraftDetails(worker, me, Kind.HOME_VISIT, WHEN, **CONSENT)
    )

    result = laptop.sync.sync()

    # Its framework was installed before joining and never sent: the server refused it.
    assert laptop.sync.status().refused == ()
    assert result.refused == 0
    with live_server.db.owner.begin() as conn:
        assert conn.scalar(select(func.count()).where(schema.observations.c.id == draft)) == 1


def test_the_app_loads_httpx_only_to_sync() -> None:
    probe = (
        "import sys\n"
        "import observer.services, observer.sync.service, observer.sync.joining\n"
        "import observer.sync.push, observer.sync.pull, observer.cli.sync\n"
        "print('httpx' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "False", done.stderr


def test_records_signed_before_joining_reach_the_server_under_the_servers_person(
    live_server: LiveServer, make_laptop: Laptop
) -> None:
    """The lead set up her laptop before the team server held her, so her signed records
    name her laptop's own id for her, which the signatures cover and no merge may change.
    Joining names her with the server's id; those records still reach the team."""
    laptop = make_laptop("Aled Hughes")
    local_id = laptop.profiles.current().person_id  # type: ignore[union-attr]
    team = laptop.people.add_team("Children in Care")
    worker = laptop.people.add_person(PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER, team))
    record = laptop.recording.create_draft(
        DraftDetails(worker, local_id, Kind.HOME_VISIT, WHEN, **CONSENT)
    )
    laptop.recording.update(
        record,
        {"strengths": "Heard the child.", "overall_level": "good", "overall_rationale": "Steady."},
    )
    for rating in laptop.recording.get(record).ratings:
        laptop.recording.set_rating(
            record, rating.standard_code, level_code="good", evidence="Yes."
        )
    laptop.recording.mark_ready(record)
    laptop.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    laptop.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")

    laptop.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    done = laptop.sync.sync()

    assert laptop.sync.status().refused == ()
    assert done.refused == 0
    with live_server.db.owner.begin() as conn:
        held = conn.execute(
            select(schema.observations).where(schema.observations.c.id == record)
        ).one()
        signatures = conn.scalar(
            select(func.count()).where(schema.signatures.c.observation_id == record)
        )
    assert held.status == "signed"
    assert held.strengths == "Heard the child."
    assert signatures == 2
    assert laptop.signoff.signed_record(record).problem is None
