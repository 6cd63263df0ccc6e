"""Who may sync with the server: a person's server role and teams, the one-time code a
laptop joins with, the laptops enrolled, and revoking one.

These are the administrator's commands, run as the tables' owner. Only hashes of codes
and device tokens are kept: the code is shown once, to the administrator, and the token
is only ever on the laptop. A laptop redeems its code through
`observer_redeem_enrolment` (migration 0002), which the service may call without seeing
the codes.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as upsert

from observer.errors import InvalidInput, NotFound
from observer.server import schema
from observer.server.schema import SERVER_ROLES

# Easy to read aloud and type: no 0/O, 1/I/L. 20 of them carry 100 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20
CODE_GROUP = 5
CODE_VALID_FOR = timedelta(days=7)
TEAM_ROLES = ("practice_lead", "team_manager")


def normalised_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def code_hash(code: str) -> bytes:
    return hashlib.sha256(normalised_code(code).encode("ascii", "replace")).digest()


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


@dataclass(frozen=True)
class Enrolment:
    person_id: uuid.UUID
    person_name: str
    role: str
    teams: tuple[str, ...]
    code: str
    expires_at: datetime
    # A team_manager's teams that named them their manager now, and those that kept
    # another manager (team name, that manager's name).
    now_managed: tuple[str, ...] = ()
    kept_managers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Laptop:
    id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    role: str | None
    name: str
    enrolled_at: datetime
    last_seen_at: datetime | None
    last_synced_at: datetime | None  # its last pull to the end of the feed
    revoked_at: datetime | None
    open_conflicts: int
    # The laptop this one joined again in place of (server migration 0014).
    previous_laptop_id: uuid.UUID | None = None


def enrol(
    conn: Connection,
    person: str,
    role: str,
    teams: Sequence[str],
    valid_for: timedelta = CODE_VALID_FOR,
) -> Enrolment:
    """Gives the person that role and those teams (in place of any before), and a new
    one-time code for a laptop of theirs to join with."""
    if role not in SERVER_ROLES:
        raise InvalidInput(f"The role must be one of {', '.join(SERVER_ROLES)}.")
    if role == "service" and teams:
        raise InvalidInput("A service-wide role sees every team; give no --team with it.")
    if role == "team_manager" and not teams:
        raise InvalidInput("Say which team or teams a team manager manages, with --team NAME.")
    person_id, person_name = find_person(conn, person)
    team_ids = {find_team(conn, name): name for name in dict.fromkeys(teams)}

    conn.execute(
        upsert(schema.person_roles)
        .values(person_id=person_id, role=role)
        .on_conflict_do_update(
            index_elements=["person_id"], set_={"role": role, "granted_at": func.now()}
        )
    )
    conn.execute(
        delete(schema.team_assignments).where(schema.team_assignments.c.person_id == person_id)
    )
    for team_id in team_ids:
        conn.execute(insert(schema.team_assignments).values(person_id=person_id, team_id=team_id))
    managed = _name_manager(conn, person_id, team_ids) if role == "team_manager" else None
    code = new_code()
    expires_at = conn.execute(
        insert(schema.enrolment_codes)
        .values(
            code_hash=code_hash(code),
            person_id=person_id,
            expires_at=func.now() + valid_for,
        )
        .returning(schema.enrolment_codes.c.expires_at)
    ).scalar_one()
    enrolled = Enrolment(person_id, person_name, role, tuple(team_ids.values()), code, expires_at)
    if managed is None:
        return enrolled
    return replace(enrolled, now_managed=managed[0], kept_managers=managed[1])


def _name_manager(
    conn: Connection, person_id: uuid.UUID, team_ids: dict[uuid.UUID, str]
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """A team manager enrolled for teams: each team with no manager makes them its manager
    (laptops show the team's manager from `teams.manager_id`), a team that has another
    keeps them (an administrator's enrolment grants sight of a team's records; it does not
    silently unseat a manager: a deputy is enrolled so too), and a manager who belongs to
    no team belongs to the first team they manage, as a laptop's team manager does. The
    rows are restamped by their triggers, so every laptop's next pull carries them."""
    teams, people = schema.teams, schema.people
    now_managed: list[str] = []
    kept: list[tuple[str, str]] = []
    rows = conn.execute(
        select(teams.c.id, teams.c.name, teams.c.manager_id, people.c.name.label("manager"))
        .outerjoin(people, people.c.id == teams.c.manager_id)
        .where(teams.c.id.in_(list(team_ids)))
    ).all()
    by_id = {row.id: row for row in rows}
    for team_id in team_ids:
        row = by_id[team_id]
        if row.manager_id == person_id:
            continue
        if row.manager_id is not None:
            kept.append((row.name, row.manager))
            continue
        # A manager a laptop named who has not reached the server yet gives way: the
        # administrator's word is the later and the surer one.
        conn.execute(
            update(teams)
            .where(teams.c.id == team_id)
            .values(**_newer(teams), manager_id=person_id, pending_manager_id=None)
        )
        now_managed.append(row.name)
    mine = [team_id for team_id in team_ids if by_id[team_id].manager_id in (None, person_id)]
    if mine:
        conn.execute(
            update(people)
            .where(people.c.id == person_id, people.c.team_id.is_(None))
            .values(**_newer(people), team_id=mine[0])
        )
    return tuple(now_managed), tuple(kept)


def _newer(table: Any) -> dict[str, Any]:
    """A row changed here is a new revision: a laptop takes a team's or person's row from
    the server only when its revision is higher than the copy it holds."""
    return {"revision": table.c.revision + 1, "updated_at": func.now()}


@dataclass(frozen=True)
class Joined:
    laptop_id: uuid.UUID
    token: str


def redeem(conn: Connection, code: str, laptop_name: str) -> Joined | None:
    """A new laptop's enrolment, as the service makes it: the code (once, unexpired) for a
    new device token, which only the laptop keeps; None for a code that is not valid."""
    token = secrets.token_urlsafe(32)
    laptop_id: uuid.UUID | None = conn.execute(
        select(
            func.observer_redeem_enrolment(code_hash(code), token_hash(token), laptop_name[:200])
        )
    ).scalar_one()
    return None if laptop_id is None else Joined(laptop_id, token)


def authenticate(conn: Connection, token: str) -> uuid.UUID | None:
    """The enrolled, unrevoked laptop holding that device token (its last sighting noted)."""
    laptop_id: uuid.UUID | None = conn.execute(
        select(func.observer_authenticate(token_hash(token)))
    ).scalar_one()
    return laptop_id


@dataclass(frozen=True)
class Recognised:
    laptop_id: uuid.UUID
    last_seen_at: datetime | None


def recognise(conn: Connection, token: str) -> Recognised | None:
    """The enrolled, unrevoked laptop holding that device token and when it was last seen,
    read without writing (inside a pull's read-only snapshot)."""
    found = conn.execute(
        text("SELECT id, last_seen_at FROM observer_token_laptop(:token_hash)"),
        {"token_hash": token_hash(token)},
    ).one_or_none()
    return None if found is None else Recognised(found.id, found.last_seen_at)


def find_person(conn: Connection, given: str) -> tuple[uuid.UUID, str]:
    people = schema.people
    query = select(people.c.id, people.c.name).where(people.c.merged_into_id.is_(None))
    as_id = _as_uuid(given)
    if as_id is not None:
        query = query.where(people.c.id == as_id)
    else:
        query = query.where(_comparable(people.c.name) == " ".join(given.split()).lower())
    found = conn.execute(query.order_by(people.c.id)).all()
    if not found:
        raise NotFound(f"There is no one called {given.strip()!r} on this server.")
    if len(found) > 1:
        ids = ", ".join(str(row.id) for row in found)
        raise InvalidInput(
            f"{len(found)} people are called {given.strip()!r} ({ids}): "
            "give the id of the one you mean."
        )
    return found[0].id, found[0].name


def find_team(conn: Connection, name: str) -> uuid.UUID:
    teams = schema.teams
    found: uuid.UUID | None = conn.execute(
        select(teams.c.id).where(_comparable(teams.c.name) == " ".join(name.split()).lower())
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no team called {name.strip()!r} on this server.")
    return found


def laptops(conn: Connection) -> list[Laptop]:
    lt, p, r, c = schema.laptops, schema.people, schema.person_roles, schema.conflicts
    open_conflicts = (
        select(func.count())
        .where(c.c.laptop_id == lt.c.id, c.c.resolved_at.is_(None))
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            lt.c.id,
            lt.c.person_id,
            p.c.name.label("person_name"),
            r.c.role,
            lt.c.name,
            lt.c.enrolled_at,
            lt.c.last_seen_at,
            lt.c.last_synced_at,
            lt.c.revoked_at,
            open_conflicts.label("open_conflicts"),
            lt.c.previous_laptop_id,
        )
        .join(p, p.c.id == lt.c.person_id)
        .outerjoin(r, r.c.person_id == lt.c.person_id)
        .order_by(p.c.name, lt.c.enrolled_at)
    ).all()
    return [Laptop(**row._mapping) for row in rows]


def revoke(conn: Connection, given: str) -> tuple[Laptop, bool]:
    """Revokes the laptop with that id (or an id's unique beginning); whether it was
    enrolled until now (False: it had been revoked already)."""
    laptop = find_laptop(conn, given)
    if laptop.revoked_at is not None:
        return laptop, False
    conn.execute(
        update(schema.laptops).where(schema.laptops.c.id == laptop.id).values(revoked_at=func.now())
    )
    return find_laptop(conn, str(laptop.id)), True


def find_laptop(conn: Connection, given: str) -> Laptop:
    wanted = given.strip().lower()
    matches = [laptop for laptop in laptops(conn) if str(laptop.id).startswith(wanted)]
    if not wanted or not matches:
        raise NotFound(
            f"No laptop enrolled here has the id {given.strip()!r} (observer-server laptops "
            "lists them)."
        )
    if len(matches) > 1:
        raise InvalidInput(f"More than one laptop's id begins {given.strip()!r}: give more of it.")
    return matches[0]


def _comparable(name: ColumnElement[str]) -> ColumnElement[str]:
    """A name as typed is compared with case and runs of spaces set aside."""
    return func.lower(func.regexp_replace(func.btrim(name), r"\s+", " ", "g"))


def _as_uuid(given: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(given.strip())
    except ValueError:
        return None
