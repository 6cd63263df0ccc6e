"""A laptop that had joined joins again with a new code (docs/sync-protocol.md, "Joining
again"): IT revoked it, or it was enrolled after the dump the server was restored from.

Under /sync/v2/enrol the request may carry `previous`: the laptop id it had, its device
token (the proof that this is that laptop: only the laptop ever held it) and the person
whose records the laptop holds. The server redeems the code only for that person, revokes
the previous laptop, and gives the new laptop the chain the server held of the previous
one to continue (`observer_rejoin_enrolment`, server migration 0014), with a `rejoin`
receipt on its own chain naming both. A revoked laptop without a new code from IT stays
out: its token is never recognised again.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from observer.errors import ObserverError
from observer.server.audit_chain import Head
from observer.server.enrolment import Joined, code_hash, token_hash

MAX_TOKEN = 200
FIELDS = frozenset({"laptop_id", "token", "person_id"})


class BadPrevious(ObserverError):
    """`previous` not shaped as the protocol says (a 400)."""


class RejoinRefused(ObserverError):
    """The code is valid but may not be used so (a 403 or 409); it stays unused."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Previous:
    laptop_id: uuid.UUID
    token: str
    person_id: uuid.UUID


@dataclass(frozen=True)
class Rejoined:
    joined: Joined
    previous: uuid.UUID
    known: bool  # the server held the previous laptop (False: unknown after a restore)
    head: Head  # where the new laptop's chain continues from

    def as_json(self) -> dict[str, Any]:
        return {
            "previous": {"laptop_id": str(self.previous), "known": self.known},
            "audit": self.head.as_json(),
        }


def read_previous(given: Any) -> Previous:
    if not isinstance(given, dict) or set(given) != FIELDS:
        raise BadPrevious(
            f"previous must be an object with exactly these fields: {', '.join(sorted(FIELDS))}."
        )
    token = given["token"]
    if not isinstance(token, str) or not 1 <= len(token) <= MAX_TOKEN:
        raise BadPrevious(f"previous.token must be text of at most {MAX_TOKEN} characters.")
    return Previous(
        _uuid(given["laptop_id"], "previous.laptop_id"),
        token,
        _uuid(given["person_id"], "previous.person_id"),
    )


def _uuid(value: Any, where: str) -> uuid.UUID:
    try:
        if isinstance(value, str) and len(value) == 36:
            return uuid.UUID(value)
    except ValueError:
        pass
    raise BadPrevious(f"{where} must be an id written as a hyphenated UUID.")


def redeem(conn: Connection, code: str, laptop_name: str, previous: Previous) -> Rejoined | None:
    """The code for a new device token, the new laptop continuing the previous one; None
    for a code that is not valid; RejoinRefused when it may not be used for this laptop."""
    token = secrets.token_urlsafe(32)
    row = conn.execute(
        text(
            "SELECT outcome, laptop, continues_from, continues_hash, known FROM "
            "observer_rejoin_enrolment(:code, :token, :name, :previous, :proof, :person)"
        ),
        {
            "code": code_hash(code),
            "token": token_hash(token),
            "name": laptop_name[:200],
            "previous": previous.laptop_id,
            "proof": token_hash(previous.token),
            "person": previous.person_id,
        },
    ).one()
    outcome = row.outcome
    if outcome == "code":
        return None
    if outcome == "person":
        raise RejoinRefused(
            403,
            "person",
            "That enrolment code is for someone other than the person whose records this "
            "laptop holds: a laptop's records belong to its person, so it joins again only "
            "with a code for them; the code was not used.",
        )
    if outcome == "previous":
        raise RejoinRefused(
            403,
            "previous_laptop",
            f"This laptop cannot show that it is laptop {previous.laptop_id}, which it says "
            "it was (its device token does not match); the code was not used.",
        )
    if outcome == "superseded":
        raise RejoinRefused(
            409,
            "superseded",
            f"Laptop {previous.laptop_id} has already joined again as another laptop, which "
            "continues its audit trail; ask IT which laptop that is. The code was not used.",
        )
    return Rejoined(
        Joined(row.laptop, token),
        previous.laptop_id,
        bool(row.known),
        Head(int(row.continues_from), str(row.continues_hash)),
    )
