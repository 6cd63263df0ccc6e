"""A laptop restored from its own backup: its chain continues from an older event than the
last one the server holds. The server takes it only when the laptop declares the restore
exactly (a new line of its chain, opened by a fork receipt on the server's own chain, the
earlier events kept); a chain that links to nothing held, to another laptop's events, or
rewrites a held event is still refused naming the laptop, and nothing is written."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from observer.governance.audit_fork import DECLARED, RESTORED, declaration_detail
from observer.server import chain as server_chain
from observer.server import enrolment, schema
from tests.support.push import Chain, hash_of, push
from tests.support.server import ServerDatabase
from tests.support.server_admin import run
from tests.support.sync_client import Service, sentence


class Laptop:
    def __init__(self, db: ServerDatabase, service: Service, name: str) -> None:
        person = db.person(name, role="practice_lead")
        with db.owner.begin() as conn:
            code = enrolment.enrol(conn, str(person), "practice_lead", []).code
        joined = service.enrol(code).json()
        self.token, self.id = joined["token"], joined["laptop_id"]


@pytest.fixture
def service(server_db: ServerDatabase) -> Service:
    return Service(server_db.service)


def _then(
    events: list[dict[str, Any]],
    action: str,
    *,
    record_type: str = "store",
    record_id: str | None = None,
    content_hash: str = "",
    detail: str = "",
) -> list[dict[str, Any]]:
    """`events` with one more event hashed onto the last."""
    last = events[-1]
    event = {
        "id": str(uuid.uuid4()),
        "sequence": last["sequence"] + 1,
        "occurred_at": "2026-03-03T09:00:00.000000+00:00",
        "actor": "Priya Shah",
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "content_hash": content_hash,
        "detail": detail,
        "previous_hash": last["event_hash"],
    }
    event["event_hash"] = hash_of(event)
    return [*events, event]


def _declared(
    events: list[dict[str, Any]], laptop: str, held: dict[str, Any], continues_from: int
) -> list[dict[str, Any]]:
    return _then(
        events,
        DECLARED,
        record_type="laptop",
        record_id=laptop,
        content_hash=held["event_hash"],
        detail=declaration_detail(continues_from, held["sequence"]),
    )


def _restored(held: list[dict[str, Any]], at: int) -> list[dict[str, Any]]:
    """The chain of a laptop restored from a backup made after event `at`: the restore's
    event and an edit take the numbers of events the server holds."""
    restored = _then(copy.deepcopy(held[:at]), RESTORED, detail="restored the backup")
    return _then(restored, "edit", record_type="observation", record_id=str(uuid.uuid4()))


def _counts(db: ServerDatabase) -> tuple[int, int]:
    a = schema.audit_events
    with db.owner.connect() as conn:
        laptops = conn.execute(select(func.count()).where(a.c.laptop_id.is_not(None))).scalar()
        own = conn.execute(select(func.count()).where(a.c.laptop_id.is_(None))).scalar()
    return int(laptops or 0), int(own or 0)


def _verify(db: ServerDatabase) -> server_chain.ChainsReport:
    with db.owner.connect() as conn:
        return server_chain.verify(conn)


def test_a_declared_restore_opens_a_new_line_and_the_server_keeps_the_events_it_held(
    server_db: ServerDatabase, service: Service
) -> None:
    priya = Laptop(server_db, service, "Priya Shah")
    held = Chain().add(5)
    assert push(service, priya.token, [], held).status_code == 200
    restored = _restored(held, 3)

    # Undeclared, it is refused as today, saying where it forks.
    refused = push(service, priya.token, [], restored[3:])
    assert "event 4 differs" in sentence(refused, 409)
    assert refused.json()["fork"] == {
        "continues_from": {"sequence": 3, "hash": held[2]["event_hash"]},
        "held": {"sequence": 5, "hash": held[4]["event_hash"]},
    }

    declared = _declared(restored, priya.id, held[4], 3)
    taken = push(service, priya.token, [], declared[3:])
    assert taken.status_code == 200, taken.text
    assert taken.json()["audit"] == {"sequence": 6, "hash": declared[-1]["event_hash"]}
    # Sent again (an answer lost): skipped, no second fork.
    again = push(service, priya.token, [], declared)
    assert again.json()["audit"] == taken.json()["audit"]
    later = _then(declared, "edit", record_type="observation", record_id=str(uuid.uuid4()))
    assert push(service, priya.token, [], later[6:]).json()["audit"]["sequence"] == 7

    a = schema.audit_events
    with server_db.owner.connect() as conn:
        lines = conn.execute(
            select(a.c.line, a.c.sequence, a.c.event_hash)
            .where(a.c.laptop_id == uuid.UUID(priya.id))
            .order_by(a.c.line, a.c.sequence)
        ).all()
        own = conn.execute(
            select(a.c.action, a.c.detail).where(a.c.laptop_id.is_(None)).order_by(a.c.sequence)
        ).all()
    assert [(line, sequence) for line, sequence, _ in lines] == [
        (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 4), (1, 5), (1, 6), (1, 7)
    ]  # fmt: skip
    assert [digest for *_, digest in lines[:5]] == [e["event_hash"] for e in held]
    assert [action for action, _ in own] == ["receipt", "fork", "receipt", "receipt"]
    assert json.loads(own[1].detail) == {
        "laptop": priya.id,
        "line": 1,
        "continues_from": 3,
        "hash": held[2]["event_hash"],
        "left": 5,
        "left_hash": held[4]["event_hash"],
    }
    report = _verify(server_db)
    assert report.ok, report.problems
    assert report.forks == [
        f"Laptop {priya.id} was restored from a backup: its chain continues from event 3 on "
        "line 1 (fork receipt 2), and the 2 later events it had sent before (4 to 5) are kept."
    ]
    done = run(["audit", "verify"], server_db.url())
    assert done.exit_code == 0, done
    assert done.stdout.splitlines()[1:] == report.forks

    # The new line is a chain like any other: rewriting one of its events is refused.
    rewritten = copy.deepcopy(later)
    rewritten[6]["detail"] = "said otherwise"
    rewritten[6]["event_hash"] = hash_of(rewritten[6])
    before = _counts(server_db)
    assert "event 7 differs" in sentence(push(service, priya.token, [], rewritten[5:]), 409)
    assert _counts(server_db) == before


def test_a_laptop_restored_twice_forks_again_from_the_chain_as_it_then_stood(
    server_db: ServerDatabase, service: Service
) -> None:
    priya = Laptop(server_db, service, "Priya Shah")
    held = Chain().add(4)
    push(service, priya.token, [], held)
    first = _declared(_restored(held, 3), priya.id, held[3], 3)
    assert push(service, priya.token, [], first).status_code == 200
    # Restored again, from a backup older than the first fork.
    second = _declared(_restored(first, 2), priya.id, first[-1], 2)
    assert push(service, priya.token, [], second).status_code == 200, "second fork"
    report = _verify(server_db)
    assert report.ok, report.problems
    assert len(report.forks) == 2


def test_an_earlier_declaration_that_no_longer_matches_stays_in_the_trail_beside_the_right_one(
    server_db: ServerDatabase, service: Service
) -> None:
    """A laptop that declared a fork to a server since restored from its own backup."""
    priya = Laptop(server_db, service, "Priya Shah")
    held = Chain().add(5)
    push(service, priya.token, [], held)
    stale = _declared(_restored(held, 3), priya.id, held[3], 3)
    both = _declared(stale, priya.id, held[4], 3)
    taken = push(service, priya.token, [], both[3:])
    assert taken.status_code == 200, taken.text
    assert _verify(server_db).ok


def _refused(
    db: ServerDatabase, service: Service, laptop: Laptop, events: list[dict[str, Any]]
) -> str:
    before = _counts(db)
    response = push(service, laptop.token, [], events)
    assert response.json()["error"] == "audit_chain"
    message = sentence(response, 409)
    assert laptop.id in message
    assert _counts(db) == before
    return message


def test_a_forged_fork_is_refused_naming_the_laptop_and_nothing_is_written(
    server_db: ServerDatabase, service: Service
) -> None:
    priya, sam = Laptop(server_db, service, "Priya Shah"), Laptop(server_db, service, "Sam Patel")
    held = Chain().add(5)
    push(service, priya.token, [], held)
    sams = Chain().add(5)
    push(service, sam.token, [], sams)

    # Continuing from another laptop's events: event 4 links to Sam's event 3.
    borrowed = _declared(_restored(sams, 3), priya.id, held[4], 3)
    assert "event 4 differs" in _refused(server_db, service, priya, borrowed[3:])

    # Linking to nothing the server holds.
    nowhere = copy.deepcopy(_restored(held, 3))
    nowhere[3]["previous_hash"] = "0" * 64
    nowhere = _declared(_relinked(nowhere, 3), priya.id, held[4], 3)
    assert "event 4 differs" in _refused(server_db, service, priya, nowhere[3:])

    # A held event rewritten under cover of a restore declared after it.
    rewritten = copy.deepcopy(_restored(held, 3))
    rewritten[1]["detail"] = "changed afterwards"
    rewritten = _declared(_relinked(rewritten, 1), priya.id, held[4], 3)
    assert "does not match what the server holds" in _refused(server_db, service, priya, rewritten)

    # A declaration with no restore before it, one naming another laptop, one with a count
    # that is not the server's.
    edited = _then(held[:3], "edit", record_type="observation", record_id=str(uuid.uuid4()))
    no_restore = _declared(edited, priya.id, held[4], 3)
    others = _declared(_restored(held, 3), sam.id, held[4], 3)
    miscounted = _declared(_restored(held, 3), priya.id, held[3], 3)
    for forged in (no_restore, others, miscounted):
        assert "does not match" in _refused(server_db, service, priya, forged[3:])

    assert _verify(server_db).forks == []


def _relinked(events: list[dict[str, Any]], start: int) -> list[dict[str, Any]]:
    """The events from index `start` on hashed again onto each other (a forger's work)."""
    events[start]["event_hash"] = hash_of(events[start])
    for index in range(start + 1, len(events)):
        events[index]["previous_hash"] = events[index - 1]["event_hash"]
        events[index]["event_hash"] = hash_of(events[index])
    return events


def test_the_database_refuses_a_line_no_fork_receipt_opened(server_db: ServerDatabase) -> None:
    laptop = server_db.laptop(server_db.person("Priya Shah", role="practice_lead"), "practice_lead")
    event = Chain().add(1)[0]
    with pytest.raises(DBAPIError, match="opened by no fork receipt"):  # noqa: SIM117
        with server_db.owner.begin() as conn:
            conn.execute(
                insert(schema.audit_events).values(
                    id=uuid.UUID(event["id"]),
                    occurred_at=event["occurred_at"],
                    actor=event["actor"],
                    action=event["action"],
                    record_type=event["record_type"],
                    sequence=1,
                    previous_hash="",
                    event_hash=event["event_hash"],
                    laptop_id=laptop,
                    line=1,
                )
            )
