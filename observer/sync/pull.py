"""Pulling the server's changes until `more` is false, each page in one transaction with
its cursor: observations merged with the laptop's copy through the bundle importer (the
base is the copy this laptop last shared with the server), a team of this laptop's that
the server holds under another id taken as the server's (observer/sync/teams.py),
tombstones, people withdrawn from this laptop's scope, and the server's conflicts.
Nothing pulled enters the outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from observer.bundle.export import FORMAT_NAME, FORMAT_VERSION
from observer.bundle.importer import ImportResult, write_checked
from observer.bundle.reader import BundleReader
from observer.conflicts.rules import ConflictKind
from observer.conflicts.shared import shared_hash
from observer.errors import InvalidBundle
from observer.governance.audit import record_event
from observer.people import scope
from observer.store.db import Database
from observer.store.models import Framework, Observation, Person, RecordConflict, Team, table_of
from observer.store.outbox import APPLYING_SERVER_CHANGES
from observer.store.sync_tables import PENDING, SENT, sync_outbox
from observer.sync import laptops, rejoining, state, teams
from observer.sync.client import Client, SyncFailed
from observer.sync.removed import delete_observations, drop_removed

PAGE_LIMIT = 200
KINDS = {"observation": Observation, "person": Person, "team": Team, "framework": Framework}
# A record removed under the server's retention policy: gone everywhere, changes waiting here
# included (observer/sync/removed.py; a draft deleted elsewhere, `deleted`, comes back when
# edited here).
REMOVED = "removed"
# A tombstone names its table (the server's trigger writes TG_TABLE_NAME).
TOMBSTONE_KINDS = {"observations": "observation", "people": "person", "teams": "team"}
TOMBSTONE_KINDS |= {"frameworks": "framework"} | {kind: kind for kind in KINDS}
# How a conflict that another laptop settled is closed here, and its audit event.
SETTLED_ELSEWHERE = "elsewhere"
CLOSED_AS_SETTLED_ELSEWHERE = "conflict_settled_elsewhere"
FEED_KINDS = {"observations": "observation", "people": "person", "teams": "team"}
QUALITY_PARTS = {
    "improvement_plans": "improvement_plan",
    "moderation_samples": "moderation_sample",
    "moderations": "moderation",
    "board_commentaries": "board_commentary",
}
FEED_KINDS |= QUALITY_PARTS


@dataclass
class Pulled:
    records: int = 0
    removed: int = 0
    conflicts: int = 0


def pull_all(db: Database, client: Client, actor: str) -> Pulled:
    pulled = Pulled()
    with db.session() as s:
        cursor = state.values(s).get(state.CURSOR)
    while True:
        page = client.pull(cursor, PAGE_LIMIT)
        if not isinstance(page.get("cursor"), str):
            raise SyncFailed("The team server's answer to a pull did not say where it ended.")
        try:
            with db.session() as s, s.begin():
                s.info[APPLYING_SERVER_CHANGES] = True
                apply_page(s, page, actor, client.server, pulled)
                state.put(s, **{state.CURSOR: page["cursor"]})
        except (InvalidBundle, IntegrityError) as exc:
            reason = str(exc) if isinstance(exc, InvalidBundle) else "a record clashed"
            raise SyncFailed(
                f"A page from the team server could not be applied ({reason.rstrip('.')}); "
                "nothing of it was written."
            ) from None
        cursor = page["cursor"]
        if not page.get("more"):
            return pulled


def apply_page(s: Session, page: dict[str, Any], actor: str, server: str, pulled: Pulled) -> None:
    _learn_scope(s, page.get("scope"))
    me = state.enrolment(s)
    mine = None if me is None else me.person_id
    observations = [o for o in page.get("observations", []) if isinstance(o, dict)]
    ids = [uuid.UUID(str(o["id"])) for o in observations]
    known = state.known_revisions(s, "observation", ids)
    deleting = _deleted_here(s, ids)
    # A draft deleted here, its delete not yet pushed, is not brought back by the server's
    # copy of it that this laptop already knew (the delete will take it off the server);
    # a copy that moved on since comes back, as the server will keep it.
    observations = [
        o
        for o in observations
        if uuid.UUID(str(o["id"])) not in deleting
        or known.get(uuid.UUID(str(o["id"])), (None, None))[0] != o.get("server_revision")
    ]
    for document in observations:
        base = known.get(uuid.UUID(str(document["id"])), (0, None))[1]
        document["based_on"] = [shared_hash(base)] if base else []
    data = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_by": server,
        "frameworks": [{"definition": f.get("definition")} for f in page.get("frameworks", [])],
        "teams": page.get("teams", []),
        "people": page.get("people", []),
        "observations": observations,
        # Issue 17's records, when the page holds any (observer/server/feed_quality.py).
        **{name: page[name] for name in QUALITY_PARTS if isinstance(page.get(name), list)},
    }
    bundle = BundleReader(server).read(data)
    result = ImportResult()
    adoptions = teams.set_aside(s, bundle.teams)
    write_checked(
        s, bundle, observations, result, actor, server, vouched_by=f"the team server at {server}"
    )
    teams.adopt(s, adoptions, actor)
    pulled.conflicts += result.conflicts
    for feed, kind in FEED_KINDS.items():
        for record in page.get(feed, []):
            revision = record.get("server_revision")
            if isinstance(revision, int):
                base = {k: v for k, v in record.items() if k != "based_on"}
                state.remember_revision(s, kind, uuid.UUID(str(record["id"])), revision, base)
                pulled.records += 1
    for framework in page.get("frameworks", []):
        if isinstance(framework.get("server_revision"), int):
            state.remember_revision(
                s, "framework", uuid.UUID(str(framework["id"])), framework["server_revision"], None
            )
            pulled.records += 1
    for tombstone in page.get("tombstones", []):
        kind = TOMBSTONE_KINDS.get(str(tombstone.get("record_type")), "")
        record_id = uuid.UUID(str(tombstone["record_id"]))
        if tombstone.get("reason") == REMOVED and kind == "observation":
            pulled.removed += drop_removed(s, record_id)  # with the changes waiting here
            continue
        pulled.removed += _remove(s, kind, record_id)
    for person in page.get("withdrawn", []):
        pulled.removed += _withdraw(s, uuid.UUID(str(person)), mine)
    laptop = None if me is None else me.laptop_id
    conflicts = rejoining.as_this_laptop(s, page.get("conflicts", []), laptop)
    pulled.conflicts += _take_conflicts(s, conflicts, server, laptop, mine, actor=actor)
    if "laptops" in page:  # protocol v2, on the last page
        laptops.replace(s, page["laptops"])


def _learn_scope(s: Session, given: Any) -> None:
    """The user's role and teams as the server says them now (a server before this part
    of the protocol says nothing: what joining said stays)."""
    if not isinstance(given, dict):
        return
    teams = scope.team_ids(given.get("teams"))
    role = given.get("role")
    if teams is None or not (role is None or isinstance(role, str)):
        raise InvalidBundle("the scope it gave could not be read")
    state.put(s, **{state.ROLE: role or "", state.TEAMS: teams})


def _deleted_here(s: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Of these observations, those with a change waiting here and no copy: deleted here."""
    if not ids:
        return set()
    waiting = set(
        s.scalars(
            select(sync_outbox.c.record_id).where(
                sync_outbox.c.record_type == "observation",
                sync_outbox.c.record_id.in_(ids),
                sync_outbox.c.state.in_([PENDING, SENT]),
            )
        )
    )
    held = set(s.scalars(select(Observation.id).where(Observation.id.in_(waiting))))
    return waiting - held


def _waiting(s: Session, kind: str, record_id: uuid.UUID) -> bool:
    found = s.scalar(
        select(sync_outbox.c.change_id).where(
            sync_outbox.c.record_type == kind, sync_outbox.c.record_id == record_id
        )
    )
    return found is not None


def _remove(s: Session, kind: str, record_id: uuid.UUID) -> int:
    """Removes the laptop's copy, unless it has a change waiting to be pushed (then it
    goes back up: a draft deleted elsewhere and edited here comes back)."""
    model = KINDS.get(kind)
    if model is None or _waiting(s, kind, record_id):
        return 0
    state.forget_revision(s, kind, record_id)
    table = table_of(model)
    if kind == "observation":
        return delete_observations(s, [record_id])
    try:
        with s.begin_nested():  # a person or team still referred to here stays
            done = s.execute(delete(table).where(table.c.id == record_id))
            return int(cast(CursorResult[Any], done).rowcount)
    except IntegrityError:
        return 0


def _withdraw(s: Session, person: uuid.UUID, mine: uuid.UUID | None) -> int:
    """A worker who left this laptop's scope: their records that its person did not write
    go. One with a change of it waiting here (written or imported since joining; the
    server refuses it, and `sync status` shows why) stays: it may be the only copy."""
    waiting = select(sync_outbox.c.record_id).where(sync_outbox.c.record_type == "observation")
    query = select(Observation.id).where(
        Observation.observed_person_id == person, Observation.id.not_in(waiting)
    )
    if mine is not None:
        query = query.where(Observation.observer_id != mine)
    ids = list(s.scalars(query))
    for record_id in ids:
        state.forget_revision(s, "observation", record_id)
    return delete_observations(s, ids)


def _concerns(s: Session, item: dict[str, Any], laptop: uuid.UUID, person: uuid.UUID) -> bool:
    """Whether a conflict of the server's is this laptop's to settle. Words set aside by a
    signature are their laptop's alone: they were typed there, and become an addendum
    there. Any other is its authors': whoever pushed the change, and the record's writer.
    The feed carries every conflict of a record its caller sees, so without this a
    manager was asked to settle a lead's conflict (and could sign the lead's set-aside
    words as their own addendum), and the lead's other laptop to settle it again."""
    if str(item.get("kind")) == ConflictKind.SET_ASIDE.value:
        return str(item.get("laptop_id")) == str(laptop)
    if str(item.get("person_id")) == str(person):
        return True
    writer = s.scalar(
        select(Observation.observer_id).where(
            Observation.id == uuid.UUID(str(item["observation_id"]))
        )
    )
    return writer == person


def _take_conflicts(
    s: Session,
    conflicts: list[Any],
    server: str,
    mine: uuid.UUID | None = None,
    person: uuid.UUID | None = None,
    *,
    actor: str = "",
) -> int:
    """The server's conflicts that concern this laptop (`_concerns`), kept with the local
    ones: the server's copy as "this side", the pushed change as the other
    (observer/server/push.py says which the record kept); when this laptop pushed the
    change, it is "this side"."""
    added = 0
    for item in conflicts:
        if not isinstance(item, dict) or item.get("record_type", "observation") != "observation":
            continue
        conflict_id = uuid.UUID(str(item["id"]))
        listed = s.get(RecordConflict, conflict_id)
        if listed is not None:
            if listed.resolution is None and item.get("resolved_at"):
                _close_settled_elsewhere(s, listed, item, actor)
            continue
        if mine is not None and person is not None and not _concerns(s, item, mine, person):
            continue
        kept: dict[str, Any] = item["kept"] if isinstance(item.get("kept"), dict) else {}
        aside: dict[str, Any] = item["set_aside"] if isinstance(item.get("set_aside"), dict) else {}
        # The pushed side is this laptop's own when this laptop pushed it.
        ours = str(item.get("laptop_id")) == str(mine) if mine is not None else False
        here, there = ("pushed", "server") if ours else ("server", "pushed")
        side = {here: "here", there: "incoming"}.get(str(kept.get("side")), "both")
        sides = {
            str(kept.get("side")): kept.get("value"),
            str(aside.get("side")): aside.get("value"),
        }
        if side == "both":
            sides = {"server": kept.get("server"), "pushed": kept.get("pushed")}
        kind = str(item.get("kind"))
        s.add(
            RecordConflict(
                id=conflict_id,
                observation_id=uuid.UUID(str(item["observation_id"])),
                kind=kind if kind in {k.value for k in ConflictKind} else ConflictKind.VALUE.value,
                target=str(item.get("field") or "record")[:200],
                here_value=sides.get(here),
                incoming_value=sides.get(there),
                kept=side,
                here_revision=int(item.get("based_on_revision") or 0),
                incoming_revision=int(item.get("server_revision") or 0),
                here_changed_at=None,
                incoming_changed_at=_moment(item.get("created_at")),
                source=server[:300],
                source_by="",
                resolved_at=_moment(item.get("resolved_at")),
                resolution="settled" if item.get("resolved_at") else None,
            )
        )
        added += 1
    return added


def _close_settled_elsewhere(
    s: Session, listed: RecordConflict, item: dict[str, Any], actor: str
) -> None:
    """Settled on another laptop (protocol v2): no longer listed here. Closing it is
    audited in the page's transaction, as settling one here is (ids and the kind only),
    and the history keeps who settled it (their name as this laptop knows them)."""
    listed.resolution = SETTLED_ELSEWHERE
    listed.resolved_at = _moment(item.get("resolved_at"))
    settler = _id_or_none(item.get("resolved_by"))
    name = None if settler is None else s.scalar(select(Person.name).where(Person.id == settler))
    listed.resolved_by = (name or "")[:200]
    s.flush()
    how = str(item.get("resolution") or "")
    record_event(
        s,
        actor=actor,
        action=CLOSED_AS_SETTLED_ELSEWHERE,
        record_type="observation",
        record_id=listed.observation_id,
        detail=f"{listed.kind} conflict {listed.id} settled on another laptop"
        + (f" by person {settler}" if settler is not None else "")
        + (f": {how}" if how.isidentifier() else ""),
    )


def _id_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
