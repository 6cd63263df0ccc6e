"""A team of three laptops on a real team server, made once and copied for each example of
the sync state machine (tests/observer/sync/test_sync_invariants.py), and the invariants
of issue 16 checked after a full sync: the same records as the server in every store's
scope, signatures that match their records, no typed word lost, audit chains that verify,
no record its user may not see.

The laptops: two practice leads of one team ("Children in Care") and that team's manager.
A third worker is in another team, so a lead's record of them is seen by that lead alone.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import select

from observer.governance.audit_hash import event_hash
from observer.paths import database_path
from observer.people.directory import PersonDetails
from observer.records.canonical import ONE_OBSERVATION_LOAD_OPTIONS
from observer.records.sign_off import record_hash
from observer.server import schema
from observer.services import Services, open_services
from observer.signing.identity import own_certificates
from observer.store.models import AuditEvent, Observation, RecordConflict
from observer.store.sync_tables import REFUSED, sync_outbox
from observer.sync import state
from observer.sync.client import Client
from observer.sync.pull import pull_all
from observer.sync.push import push_all
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.postgres import OWNER_ROLE, Cluster
from tests.support.server import ServerDatabase

ORGANISATION = "Northshire County Council"
TEAM, OTHER_TEAM = "Children in Care", "Fostering"
LEAD_A, LEAD_B, MANAGER = "Aled Hughes", "Bethan Price", "Morag Campbell"
WORKERS = {"Siobhán Walker": TEAM, "Tomasz Nowak": TEAM, "Grace Adeyemi": OTHER_TEAM}
LAPTOPS = ("A", "B", "M")
USERS = {"A": (LEAD_A, Role.PRACTICE_LEAD), "B": (LEAD_B, Role.PRACTICE_LEAD)}
USERS["M"] = (MANAGER, Role.TEAM_MANAGER)
QUIET_ROUNDS = 8


@dataclass
class WorldIds:
    people: dict[str, uuid.UUID]  # by name: the three users and the three workers
    teams: dict[str, uuid.UUID]
    laptops: dict[str, uuid.UUID]  # laptop letter: its id on the server


@dataclass
class World:
    """One example's stores and server database (copied from the one made first)."""

    db: ServerDatabase
    url: str
    ids: WorldIds
    laptops: dict[str, Services] = field(default_factory=dict)

    def close(self) -> None:
        for laptop in self.laptops.values():
            laptop.close()


def _open(folder: Path) -> Services:
    return open_services(folder, STORE_PASSPHRASE)


def make_world(root: Path, template: Path, db: ServerDatabase, url: str, code_for: Any) -> WorldIds:
    """Lead A sets up the teams and workers and joins; B and the manager join; each laptop's
    signing identity is made and trusted by the others. Leaves the stores closed in
    root/A, root/B, root/M."""
    a = _new_laptop(root / "A", "A", template)
    a.sync.join(url, code_for(LEAD_A, "practice_lead", ()), "laptop A")
    teams = {name: a.people.add_team(name) for name in (TEAM, OTHER_TEAM)}
    people = {
        name: a.people.add_person(PersonDetails(name, Role.SOCIAL_WORKER, teams[team]))
        for name, team in WORKERS.items()
    }
    a.sync.sync()
    people[LEAD_A] = a.profiles.current().person_id  # type: ignore[union-attr]
    db.assign(people[LEAD_A], teams[TEAM])
    others = {"A": a}
    for letter, role, name in (("B", "practice_lead", LEAD_B), ("M", "team_manager", MANAGER)):
        laptop = _new_laptop(root / letter, letter, template)
        laptop.sync.join(url, code_for(name, role, (TEAM,)), f"laptop {letter}")
        laptop.sync.sync()
        people[name] = laptop.profiles.current().person_id  # type: ignore[union-attr]
        others[letter] = laptop
    for laptop in others.values():
        laptop.sync.sync()
    certificates = [
        der
        for letter in LAPTOPS
        for der, _current in own_certificates(root / letter, STORE_PASSPHRASE)
    ]
    for laptop in others.values():
        for der in certificates:
            laptop.known_certificates.add(der, "a laptop of the team", "Tester")
    laptop_ids = {}
    for letter, laptop in others.items():
        with laptop.db.session() as s:
            joined = state.enrolment(s)
        assert joined is not None
        laptop_ids[letter] = joined.laptop_id
        laptop.close()
    return WorldIds(people, teams, laptop_ids)


def _new_laptop(folder: Path, letter: str, template: Path) -> Services:
    folder.mkdir()
    shutil.copyfile(template, database_path(folder))
    laptop = _open(folder)
    name, role = USERS[letter]
    laptop.profiles.set_up(name, role, ORGANISATION)
    assert laptop.endorser() is not None  # its signing identity, made now
    return laptop


def copy_world(made: Path, into: Path) -> dict[str, Services]:
    laptops = {}
    for letter in LAPTOPS:
        shutil.copytree(made / letter, into / letter)
        laptops[letter] = _open(into / letter)
    return laptops


def clone_database(cluster: Cluster, template: str, name: str) -> None:
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template} OWNER {OWNER_ROLE}")
    # The copy stands for the same server: it keeps the feed's epoch, so the laptops' cursors
    # hold (a real copy elsewhere would start a new one: observer/server/epoch.py).
    with psycopg.connect(cluster.conninfo(OWNER_ROLE, name), autocommit=True) as conn:
        conn.execute("UPDATE server_epoch SET cluster_identity = observer_cluster_identity()")


# Syncing


def client_of(laptop: Services) -> Client:
    with laptop.db.session() as s:
        joined = state.enrolment(s)
    assert joined is not None
    return Client(joined.server, joined.token)


def push(laptop: Services) -> int:
    with client_of(laptop) as client:
        return push_all(laptop.db, client).sent


def pull(laptop: Services) -> int:
    with client_of(laptop) as client:
        return pull_all(laptop.db, client, laptop.actor()).records


def sync_until_quiet(laptops: Iterable[Services]) -> None:
    """Syncs each laptop in turn until a round in which none sent or received anything."""
    laptops = list(laptops)
    for _round in range(QUIET_ROUNDS):
        busy = False
        for laptop in laptops:
            result = laptop.sync.sync()
            busy |= bool(result.pushed or result.pulled or result.removed)
        if not busy:
            return
    raise AssertionError(f"still syncing after {QUIET_ROUNDS} rounds of every laptop")


# What a store and the server hold, shaped alike


def laptop_records(laptop: Services) -> dict[uuid.UUID, dict[str, Any]]:
    with laptop.db.session() as s:
        observations = s.scalars(select(Observation).options(*ONE_OBSERVATION_LOAD_OPTIONS))
        return {o.id: _laptop_shape(o) for o in observations}


def _laptop_shape(o: Observation) -> dict[str, Any]:
    from observer.records.fields import TEXT_FIELDS

    return {
        "status": o.status,
        "observer_id": o.observer_id,
        "observed_person_id": o.observed_person_id,
        **{name: getattr(o, name) or "" for name in TEXT_FIELDS},
        "ratings": {r.standard_id: (r.level_id, r.evidence or "") for r in o.ratings},
        "overall_level_id": o.overall_level_id,
        "actions": {a.id: (a.description, a.status) for a in o.actions},
        "signatures": {g.id: (g.role, g.content_hash) for g in o.signatures},
        "addenda": {x.id: x.text for x in o.addenda},
    }


def server_records(db: ServerDatabase, laptop_id: uuid.UUID | None = None) -> dict[uuid.UUID, Any]:
    """Every observation on the server (as the owner), or those that laptop's caller sees
    (as the service's role, through row-level security)."""
    from observer.records.fields import TEXT_FIELDS

    def read(conn: Any) -> dict[uuid.UUID, Any]:
        o = schema.observations
        found: dict[uuid.UUID, Any] = {}
        for row in conn.execute(select(o)):
            found[row.id] = {
                "status": row.status,
                "observer_id": row.observer_id,
                "observed_person_id": row.observed_person_id,
                **{name: getattr(row, name) or "" for name in TEXT_FIELDS},
                "ratings": {},
                "overall_level_id": row.overall_level_id,
                "actions": {},
                "signatures": {},
                "addenda": {},
            }
        for r in conn.execute(select(schema.ratings)):
            if r.observation_id in found:
                found[r.observation_id]["ratings"][r.standard_id] = (r.level_id, r.evidence or "")
        for a in conn.execute(select(schema.actions)):
            if a.observation_id in found:
                found[a.observation_id]["actions"][a.id] = (a.description, a.status)
        for g in conn.execute(select(schema.signatures)):
            if g.observation_id in found:
                found[g.observation_id]["signatures"][g.id] = (g.role, g.content_hash)
        for x in conn.execute(select(schema.addenda)):
            if x.observation_id in found:
                found[x.observation_id]["addenda"][x.id] = x.text
        return found

    if laptop_id is None:
        with db.owner.begin() as conn:
            return read(conn)
    with db.as_laptop(laptop_id) as conn:
        return read(conn)


def conflict_words(db: ServerDatabase, laptops: Iterable[Services]) -> str:
    """Every value any conflict holds, the server's and each laptop's, as one text."""
    parts: list[str] = []
    with db.owner.begin() as conn:
        for row in conn.execute(select(schema.conflicts)):
            parts.append(json.dumps(dict(row._mapping), default=str, ensure_ascii=False))
    for laptop in laptops:
        with laptop.db.session() as s:
            for c in s.scalars(select(RecordConflict)):
                parts.append(json.dumps([c.here_value, c.incoming_value], ensure_ascii=False))
    return "\n".join(parts)


def refused_changes(laptop: Services) -> list[Any]:
    with laptop.db.session() as s:
        return list(s.execute(select(sync_outbox).where(sync_outbox.c.state == REFUSED)))


# Invariants


def check_same_as_server(world: World, expected_scope: dict[str, set[uuid.UUID]]) -> None:
    everything = server_records(world.db)
    for letter, laptop in world.laptops.items():
        held = laptop_records(laptop)
        seen = server_records(world.db, world.ids.laptops[letter])
        assert set(seen) == expected_scope[letter], f"the server's scope of laptop {letter}"
        assert set(held) == set(seen), (
            f"laptop {letter} holds {sorted(map(str, held))}, sees {sorted(map(str, seen))}; "
            f"refused: {[(r.record_type, r.message) for r in refused_changes(laptop)]}"
        )
        for record, copy in held.items():
            assert copy == everything[record], f"laptop {letter}'s copy of {record} differs"


def check_signatures(world: World) -> None:
    for letter, laptop in world.laptops.items():
        with laptop.db.session() as s:
            observations = s.scalars(select(Observation).options(*ONE_OBSERVATION_LOAD_OPTIONS))
            for o in observations:
                digest = record_hash(o)
                for g in o.signatures:
                    assert g.content_hash == digest, f"a signature on {letter} no longer matches"
        for record in laptop_records(laptop):
            problem = laptop.signoff.signed_record(record).problem
            assert problem is None, f"laptop {letter}: {problem}"


def check_audit(world: World) -> None:
    for letter, laptop in world.laptops.items():
        report = laptop.audit.verify()
        assert report.ok, f"laptop {letter}'s audit trail: {report.sentence()}"
        with laptop.db.session() as s:
            own = {e.sequence: e.event_hash for e in s.scalars(select(AuditEvent))}
        held = server_chain(world.db, world.ids.laptops[letter])
        for sequence, digest in held.items():
            assert own.get(sequence) == digest, f"laptop {letter}'s event {sequence} differs"
    check_server_chains(world.db)


def server_chain(db: ServerDatabase, laptop_id: uuid.UUID) -> dict[int, str]:
    a = schema.audit_events
    with db.owner.begin() as conn:
        rows = conn.execute(select(a.c.sequence, a.c.event_hash).where(a.c.laptop_id == laptop_id))
        return {row.sequence: row.event_hash for row in rows}


def check_server_chains(db: ServerDatabase) -> None:
    """Each chain the server holds (each laptop's and its own) recomputes and links, and
    each receipt names an event the laptop's chain holds."""
    a = schema.audit_events
    with db.owner.begin() as conn:
        rows = list(conn.execute(select(a).order_by(a.c.laptop_id, a.c.sequence)))
    chains: dict[uuid.UUID | None, list[Any]] = {}
    for row in rows:
        chains.setdefault(row.laptop_id, []).append(row)
    for laptop, events in chains.items():
        previous = ""
        for number, event in enumerate(events, start=1):
            assert event.sequence == number, f"chain {laptop}: a gap before {event.sequence}"
            assert event.previous_hash == previous, f"chain {laptop}: {number} does not link"
            assert event.event_hash == _recomputed(event), f"chain {laptop}: {number} changed"
            previous = event.event_hash
    hashes = {(str(row.laptop_id), row.sequence): row.event_hash for row in rows if row.laptop_id}
    for receipt in chains.get(None, []):
        if receipt.action != "receipt":
            continue
        detail = json.loads(receipt.detail)
        named = (detail["laptop"], detail["sequence"])
        assert hashes.get(named) == detail["hash"], f"receipt {receipt.sequence} names no event"


def _recomputed(event: Any) -> str:
    return event_hash(
        sequence=event.sequence,
        event_id=event.id,
        occurred_at=event.occurred_at,
        actor=event.actor,
        action=event.action,
        record_type=event.record_type,
        record_id=event.record_id,
        content_hash=event.content_hash,
        detail=event.detail,
        previous_hash=event.previous_hash,
    )


def words_in(record: dict[str, Any]) -> Iterator[str]:
    from observer.records.fields import TEXT_FIELDS

    for name in TEXT_FIELDS:
        yield record[name]
    for _level, evidence in record["ratings"].values():
        yield evidence
    yield from record["addenda"].values()
    for description, _status in record["actions"].values():
        yield description
