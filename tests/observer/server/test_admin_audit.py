"""`observer-server audit verify`: every laptop's chain held on the server and the server's
own, checked link by link with the laptop's hashing; exit 0 and one line when intact, exit
1 with each problem listed when not."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import text

from observer.server import chain
from tests.support.postgres import SERVICE_ROLE
from tests.support.server import ServerDatabase
from tests.support.server_admin import add_chain, audit_trigger_off, one_sentence, run


def _laptop(db: ServerDatabase, name: str) -> uuid.UUID:
    return db.laptop(db.person(name, role="practice_lead"), "practice_lead")


def _server_events(db: ServerDatabase, count: int) -> None:
    with db.owner.begin() as conn:
        for _ in range(count):
            chain.append(conn, action="import", record_type="bundle", record_id=None)


def test_intact_chains_are_one_line_and_exit_0(server_db: ServerDatabase) -> None:
    empty = run(["audit", "verify"], server_db.url())
    assert empty.exit_code == 0, empty
    first, second = _laptop(server_db, "Priya Shah"), _laptop(server_db, "Aled Hughes")
    add_chain(server_db, first, 3)
    held = add_chain(server_db, second, 2)
    _server_events(server_db, 2)
    receipt = {"laptop": str(second), "sequence": 2, "hash": held[-1]["event_hash"]}
    with server_db.owner.begin() as conn:
        chain.append(
            conn,
            action="receipt",
            record_type="laptop",
            record_id=second,
            detail=json.dumps(receipt),
        )
    done = run(["audit", "verify"], server_db.url())
    assert done.exit_code == 0, done
    assert done.stdout.strip().splitlines() == [
        "The audit trail is intact: 8 events checked in 2 laptops' chains and the server's "
        "own (3), none altered or removed."
    ]
    as_json = json.loads(run(["audit", "verify", "--json"], server_db.url()).stdout)
    assert as_json == {
        "intact": True,
        "events_checked": 8,
        "laptops": 2,
        "server_events": 3,
        "problems": [],
        "forks": [],
        "rejoins": [],
    }


def test_a_tampered_server_chain_is_found(server_db: ServerDatabase) -> None:
    _server_events(server_db, 3)
    with audit_trigger_off(server_db) as conn:
        conn.execute(
            text(
                "UPDATE audit_events SET detail = 'nothing to see' WHERE sequence = 2 "
                "AND laptop_id IS NULL"
            )
        )
    found = run(["audit", "verify"], server_db.url())
    assert found.exit_code == 1, found
    assert found.stdout.strip().splitlines() == ["Event 2 of the server's own chain was altered."]


def test_broken_laptop_chains_and_a_rewritten_receipted_event_are_listed(
    server_db: ServerDatabase,
) -> None:
    laptop = _laptop(server_db, "Priya Shah")
    events = add_chain(server_db, laptop, 2)
    add_chain(server_db, laptop, 1, start=4, previous=events[-1]["event_hash"])
    other = _laptop(server_db, "Aled Hughes")
    add_chain(server_db, other, 1, previous="f" * 64)
    receipt = {"laptop": str(laptop), "sequence": 2, "hash": events[-1]["event_hash"]}
    with server_db.owner.begin() as conn:
        chain.append(
            conn,
            action="receipt",
            record_type="laptop",
            record_id=laptop,
            detail=json.dumps(receipt),
        )
    with audit_trigger_off(server_db) as conn:
        conn.execute(
            text("UPDATE audit_events SET event_hash = :h WHERE laptop_id = :l AND sequence = 2"),
            {"h": "0" * 64, "l": laptop},
        )
    found = run(["audit", "verify"], server_db.url())
    assert found.exit_code == 1, found
    problems = found.stdout.strip().splitlines()
    assert f"Event 2 of laptop {laptop}'s chain was altered." in problems
    assert f"Event 3 of laptop {laptop}'s chain is missing (it jumps from 2 to 4)." in problems
    assert (
        f"Event 1 of laptop {other}'s chain points back to an event that is not held." in problems
    )
    assert (
        f"Receipt 1 of the server's own chain does not match event 2 of laptop {laptop}'s "
        "chain: that event was rewritten."
    ) in problems
    assert "Traceback" not in found.stderr


def test_audit_verify_is_the_owners_to_run(server_db: ServerDatabase) -> None:
    refused = one_sentence(run(["audit", "verify"], server_db.url(SERVICE_ROLE)))
    assert "the role that owns the team's tables" in refused
