"""A laptop that joins again (server migration 0014) continues the chain the server held of
the laptop it was: its first event follows on from that laptop's last, the events before
are not taken twice, and a chain that links elsewhere (another laptop's, another person's)
or rewrites what is held is refused naming the laptop, nothing written. The rejoin itself
needs a code for the laptop's person and the previous laptop's own token."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from observer.server import chain as server_chain
from observer.server import enrolment, schema
from tests.support.push import Chain, push
from tests.support.server import ServerDatabase
from tests.support.sync_client import Service, sentence


@pytest.fixture
def service(server_db: ServerDatabase) -> Service:
    return Service(server_db.service)


def _code(db: ServerDatabase, person: uuid.UUID) -> str:
    with db.owner.begin() as conn:
        return enrolment.enrol(conn, str(person), "practice_lead", []).code


def _joined(db: ServerDatabase, service: Service, person: uuid.UUID) -> dict[str, Any]:
    answer = service.enrol(_code(db, person))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _rejoin(
    db: ServerDatabase,
    service: Service,
    person: uuid.UUID,
    was: dict[str, Any],
    *,
    code: str | None = None,
    token: str | None = None,
) -> Any:
    return service.request(
        "POST",
        "/sync/v2/enrol",
        json={
            "code": code or _code(db, person),
            "laptop_name": "Laptop 1",
            "previous": {
                "laptop_id": was["laptop_id"],
                "token": token or was["token"],
                "person_id": str(person),
            },
        },
    )


def _events_of(db: ServerDatabase, laptop: str) -> list[int]:
    a = schema.audit_events
    with db.owner.connect() as conn:
        found = conn.execute(
            select(a.c.sequence).where(a.c.laptop_id == uuid.UUID(laptop)).order_by(a.c.sequence)
        )
        return list(found.scalars())


def test_the_new_laptop_continues_the_chain_from_the_last_event_held(
    server_db: ServerDatabase, service: Service
) -> None:
    priya = server_db.person("Priya Shah", role="practice_lead")
    was = _joined(server_db, service, priya)
    trail = Chain()
    trail.add(5)
    assert push(service, was["token"], [], trail.events[:3]).status_code == 200
    # Events 4 and 5 reached the server, but the answer never came back.
    assert push(service, was["token"], [], trail.events[3:]).status_code == 200
    with server_db.owner.begin() as conn:
        enrolment.revoke(conn, was["laptop_id"])

    answer = _rejoin(server_db, service, priya, was)

    assert answer.status_code == 201, answer.text
    now = answer.json()
    assert now["previous"] == {"laptop_id": was["laptop_id"], "known": True}
    assert now["audit"] == trail.head()
    # Sent from where the laptop last knew (event 4 on): what is held is not taken twice.
    trail.add(2)
    taken = push(service, now["token"], [], trail.events[3:])
    assert taken.status_code == 200, taken.text
    assert taken.json()["audit"] == trail.head()
    assert _events_of(server_db, was["laptop_id"]) == [1, 2, 3, 4, 5]
    assert _events_of(server_db, now["laptop_id"]) == [6, 7]
    with server_db.owner.connect() as conn:
        report = server_chain.verify(conn)
        (receipt,) = conn.execute(
            select(schema.audit_events.c.detail).where(schema.audit_events.c.action == "rejoin")
        ).scalars()
    assert report.ok, report.problems
    assert json.loads(receipt) == {
        "laptop": now["laptop_id"],
        "previous": was["laptop_id"],
        "known": True,
        "continues_from": 5,
        "hash": trail.events[4]["event_hash"],
    }
    assert report.rejoins == [
        f"Laptop {now['laptop_id']} joined again in place of laptop {was['laptop_id']}, which "
        "is revoked: its chain continues that laptop's from event 5 (rejoin receipt 3)."
    ]


def test_a_chain_that_does_not_link_to_the_laptop_it_replaced_is_refused(
    server_db: ServerDatabase, service: Service
) -> None:
    priya = server_db.person("Priya Shah", role="practice_lead")
    owen = server_db.person("Owen Price", role="practice_lead")
    was = _joined(server_db, service, priya)
    trail = Chain()
    trail.add(3)
    assert push(service, was["token"], [], trail.events).status_code == 200
    others = _joined(server_db, service, owen)
    theirs = Chain()
    theirs.add(5)
    assert push(service, others["token"], [], theirs.events).status_code == 200
    now = _rejoin(server_db, service, priya, was).json()

    # Another person's chain, from after the point this one continues from.
    refused = push(service, now["token"], [], theirs.events[3:])
    assert f"The audit trail of laptop {now['laptop_id']} does not follow on" in sentence(
        refused, 409
    )
    # A rewrite of the events held: event 3 as the laptop had it no longer matches.
    rewritten = Chain()
    rewritten.add(4)
    refused = push(service, now["token"], [], rewritten.events)
    assert "event 4 does not follow event 3" in sentence(refused, 409)
    assert _events_of(server_db, now["laptop_id"]) == []
    # Even the owner cannot slip in an event the laptop it replaced sent.
    with pytest.raises(DBAPIError, match="continues after event"), server_db.owner.begin() as c:
        c.execute(
            insert(schema.audit_events).values(
                id=uuid.uuid4(),
                occurred_at=func.now(),
                actor="x",
                action="edit",
                record_type="observation",
                content_hash="",
                sequence=2,
                detail="",
                previous_hash="",
                event_hash="0" * 64,
                laptop_id=uuid.UUID(now["laptop_id"]),
                line=0,
            )
        )


def test_only_a_code_for_the_laptops_person_and_its_own_token_bring_it_back(
    server_db: ServerDatabase, service: Service
) -> None:
    priya = server_db.person("Priya Shah", role="practice_lead")
    owen = server_db.person("Owen Price", role="practice_lead")
    was = _joined(server_db, service, priya)
    owens = _joined(server_db, service, owen)

    code = _code(server_db, owen)
    wrong_person = _rejoin(server_db, service, priya, was, code=code)
    assert wrong_person.json()["error"] == "person"
    assert "a laptop's records belong to its person" in sentence(wrong_person, 403)
    # Owen's code, and Owen's laptop named, but without its token: not that laptop.
    not_that_laptop = _rejoin(server_db, service, owen, owens, code=code, token="guessed")
    assert not_that_laptop.json()["error"] == "previous_laptop"
    # The code was not used by either refusal.
    assert _rejoin(server_db, service, owen, owens, code=code).status_code == 201
    no_code = _rejoin(server_db, service, priya, was, code="ABCDE-FGHJK-MNPQR-STUVW")
    assert no_code.json()["error"] == "code_refused"
    malformed = service.request(
        "POST",
        "/sync/v2/enrol",
        json={"code": "ABCDE", "laptop_name": "x", "previous": {"laptop_id": "x"}},
    )
    assert malformed.json()["error"] == "fields"
