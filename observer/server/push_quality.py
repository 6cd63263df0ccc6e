"""Issue 17's records in a push (docs/sync-protocol.md, Push): improvement plans, moderation
samples, moderations with their ratings and the notes raising them, and the Board's
commentary. Row-level security decides who may add each (server migration 0016); this
module checks that each is what was made before it is written, as a laptop does when a
bundle brings one (observer/bundle/quality_import.py).

A plan, a sample and a moderation are only ever added: a copy the server holds must be the
one it holds (a moderation may bring new notes). A commentary is changed by the later push;
another commentary of the same period and scope, made on another laptop, is added to the
one the server holds, keeping both people's words.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from observer.server import push_rows, schema
from observer.server.push_answer import Caller, Handler, Refusal, Result
from observer.server.push_request import Change
from observer.service.moderation_record import moderation_content, note_hash, sha256_of
from observer.service.moderation_sample import sample_hash
from observer.service.plan import InvalidPlan, parse_plan
from observer.signing.endorsement import endorsement_holds

NOTHING = "nothing of this change was written."


def _record(change: Change) -> Mapping[str, Any]:
    if change.deletes or change.record is None:
        raise Refusal(f"A push does not delete a {change.record_type}; {NOTHING}")
    return change.record


def _bookkeeping(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": record["id"], **{name: record[name] for name in push_rows.BOOKKEEPING}}


# Improvement plans


def _plan(conn: Connection, caller: Caller, change: Change) -> Result:
    record = _record(change)
    try:
        plan = parse_plan(record["definition"], "The push's improvement plan")
    except InvalidPlan as exc:
        raise Refusal(f"{exc.where} {exc.reason.rstrip('.')}; {NOTHING}") from None
    digest = plan.content_hash()
    t = schema.improvement_plans
    held = conn.execute(
        select(t.c.server_revision).where(t.c.content_hash == digest)
    ).scalar_one_or_none()
    if held is not None:
        return Result(change.change_id, "unchanged", held)
    # Numbered in the order the server takes them (one push at a time takes this lock).
    conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended("improvement plans", 0))))
    newest = conn.execute(select(func.max(t.c.version))).scalar_one() or 0
    revision = conn.execute(
        insert(t)
        .values(
            **_bookkeeping(record),
            version=newest + 1,
            name=plan.name,
            unlinked_actions=plan.unlinked_actions,
            definition=plan.canonical_json(),
            content_hash=digest,
            source="a laptop's push",
            imported_by="",
        )
        .returning(t.c.server_revision)
    ).scalar_one()
    return Result(change.change_id, "added", revision)


# Moderation samples


def _sample(conn: Connection, caller: Caller, change: Change) -> Result:
    record = _record(change)
    t = schema.moderation_samples
    held = conn.execute(
        select(t.c.content_hash, t.c.server_revision).where(t.c.id == record["id"])
    ).one_or_none()
    if held is not None:
        if held.content_hash != record["content_hash"]:
            raise Refusal(
                f"Moderation sample {record['id']} is held by the team server as drawn, and "
                f"this copy is another; {NOTHING}"
            )
        return Result(change.change_id, "unchanged", held.server_revision)
    items = sorted(record["items"], key=lambda item: item["position"])
    digest = sample_hash(
        record["period_from"],
        record["period_to"],
        record["percent"],
        record["seed"],
        record["drawn_by"],
        record["drawn_at"],
        [(item["observer_id"], item["observation_id"]) for item in items],
        record["supersedes_id"],
        record["reason"],
    )
    if digest != record["content_hash"]:
        raise Refusal(
            f"Moderation sample {record['id']} does not match its own hash: it is not the "
            f"sample that was drawn; {NOTHING}"
        )
    revision = conn.execute(
        insert(t)
        .values({k: v for k, v in record.items() if k != "items"})
        .returning(t.c.server_revision)
    ).scalar_one()
    if items:
        conn.execute(
            insert(schema.moderation_sample_items),
            [{**item, "sample_id": record["id"]} for item in items],
        )
    return Result(change.change_id, "added", revision)


# Moderations


def _moderation(conn: Connection, caller: Caller, change: Change) -> Result:
    record = _record(change)
    m = schema.moderations
    held = conn.execute(select(m).where(m.c.id == record["id"])).one_or_none()
    if held is not None:
        same = (
            held.content_hash == record["content_hash"]
            and _bytes(held.certificate) == record["certificate"]
            and _bytes(held.digital_signature) == record["digital_signature"]
        )
        if not same:
            raise Refusal(
                f"Moderation {record['id']} is held by the team server as its moderator "
                f"signed it, and this copy rewrites it; {NOTHING}"
            )
        added = _notes(conn, held.id, held.content_hash, record)
        if not added:
            return Result(change.change_id, "unchanged", held.server_revision)
        revision = conn.execute(select(m.c.server_revision).where(m.c.id == held.id)).scalar_one()
        return Result(change.change_id, "updated", revision)
    key, version = record["framework"]
    f = schema.frameworks
    framework_id = conn.execute(
        select(f.c.id).where(f.c.key == key, f.c.version == version)
    ).scalar_one_or_none()
    if framework_id is None:
        raise Refusal(
            f"Moderation {record['id']} uses framework {key} v{version}, which the team server "
            f"does not hold; {NOTHING}"
        )
    standards = _codes(conn, schema.standards, framework_id)
    levels = _codes(conn, schema.rating_levels, framework_id)
    ratings = {r["standard"]: r["level"] for r in record["ratings"]}
    unknown = [c for c in ratings if c not in standards] + [
        c for c in [*ratings.values(), record["overall_level"]] if c is not None and c not in levels
    ]
    if unknown:
        raise Refusal(
            f"Moderation {record['id']} names {unknown[0]!r}, which framework {key} v{version} "
            f"does not have; {NOTHING}"
        )
    expected = sha256_of(
        moderation_content(
            observation_id=record["observation_id"],
            observation_hash=record["observation_hash"],
            framework=(key, version),
            sample_id=record["sample_id"],
            moderator_id=record["moderator_id"],
            moderator_name=record["moderator_name"],
            signed_at=record["signed_at"],
            ratings=ratings,
            overall=record["overall_level"],
            comment=record["comment"],
        )
    )
    if expected != record["content_hash"]:
        raise Refusal(
            f"Moderation {record['id']} does not match its own hash: it was changed after its "
            f"moderator signed it; {NOTHING}"
        )
    certificate, signature = record["certificate"], record["digital_signature"]
    if certificate is None or signature is None:
        raise Refusal(
            f"Moderation {record['id']} carries no digital signature from the laptop where it "
            f"was made; {NOTHING}"
        )
    if not endorsement_holds(certificate, signature, record["content_hash"]):
        raise Refusal(
            f"Moderation {record['id']} has a digital signature that does not hold for it; "
            f"{NOTHING}"
        )
    columns = (
        "observation_id",
        "sample_id",
        "observation_hash",
        "moderator_id",
        "moderator_name",
        "comment",
        "signed_at",
        "content_hash",
        "certificate",
        "digital_signature",
    )
    revision = conn.execute(
        insert(m)
        .values(
            **_bookkeeping(record),
            **{c: record[c] for c in columns},
            framework_id=framework_id,
            overall_level_id=levels.get(record["overall_level"] or ""),
        )
        .returning(m.c.server_revision)
    ).scalar_one()
    if ratings:
        conn.execute(
            insert(schema.moderation_ratings),
            [
                {
                    "moderation_id": record["id"],
                    "standard_id": standards[code],
                    "level_id": None if level is None else levels[level],
                }
                for code, level in ratings.items()
            ],
        )
    if _notes(conn, record["id"], record["content_hash"], record):
        revision = conn.execute(
            select(m.c.server_revision).where(m.c.id == record["id"])
        ).scalar_one()
    return Result(change.change_id, "added", revision)


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


def _codes(conn: Connection, table: Any, framework_id: uuid.UUID) -> dict[str, uuid.UUID]:
    query = select(table.c.code, table.c.id).where(table.c.framework_id == framework_id)
    return {row.code: row.id for row in conn.execute(query)}


def _notes(
    conn: Connection, moderation_id: uuid.UUID, moderation_hash: str, record: Mapping[str, Any]
) -> int:
    """Adds the notes the server does not hold; a held one must be as held."""
    n = schema.moderation_notes
    held = {
        row.id: row for row in conn.execute(select(n).where(n.c.moderation_id == moderation_id))
    }
    moderation = SimpleNamespace(id=moderation_id, content_hash=moderation_hash)
    added = 0
    for note in record["notes"]:
        mine = held.get(note["id"])
        if mine is not None:
            if mine.content_hash != note["content_hash"]:
                raise Refusal(
                    f"A note raising moderation {moderation_id} is held by the team server, "
                    f"and this copy rewrites it; {NOTHING}"
                )
            continue
        digest = note_hash(
            moderation,  # type: ignore[arg-type]
            note["text"],
            note["author_name"],
            note["written_at"],
        )
        if digest != note["content_hash"]:
            raise Refusal(
                f"A note raising moderation {moderation_id} does not match its own hash; {NOTHING}"
            )
        conn.execute(
            insert(n).values(
                **_bookkeeping(note),
                moderation_id=moderation_id,
                **{k: note[k] for k in ("text", "author_name", "written_at", "content_hash")},
            )
        )
        added += 1
    return added


# The Board's commentary


def _commentary(conn: Connection, caller: Caller, change: Change) -> Result:
    record = _record(change)
    c = schema.board_commentaries
    held = conn.execute(select(c).where(c.c.id == record["id"])).one_or_none()
    if held is None:
        held = conn.execute(
            select(c).where(
                c.c.period_first == record["period_first"],
                c.c.period_last == record["period_last"],
                c.c.scope == record["scope"],
            )
        ).one_or_none()
        if held is None:
            revision = conn.execute(
                insert(c)
                .values(
                    **_bookkeeping(record),
                    **{
                        k: record[k]
                        for k in ("period_first", "period_last", "scope", "text", "written_by")
                    },
                )
                .returning(c.c.server_revision)
            ).scalar_one()
            return Result(change.change_id, "added", revision)
        theirs = record["text"].strip()
        if theirs in held.text:
            return Result(change.change_id, "unchanged", held.server_revision)
        text = f"{held.text.rstrip()}\n\n{record['written_by']}:\n{theirs}"
        return _rewrite(conn, change, held, text, held.written_by, held.revision + 1, "merged")
    if (held.period_first, held.period_last, held.scope) != (
        record["period_first"],
        record["period_last"],
        record["scope"],
    ):
        raise Refusal(
            f"Commentary {record['id']} is held by the team server for another period or "
            f"team; {NOTHING}"
        )
    if held.text == record["text"]:
        return Result(change.change_id, "unchanged", held.server_revision)
    revision = max(held.revision + 1, record["revision"])
    return _rewrite(conn, change, held, record["text"], record["written_by"], revision, "updated")


def _rewrite(
    conn: Connection, change: Change, held: Any, text: str, by: str, revision: int, outcome: str
) -> Result:
    c = schema.board_commentaries
    found = conn.execute(
        update(c)
        .where(c.c.id == held.id)
        .values(text=text, written_by=by, revision=revision, updated_at=func.now())
        .returning(c.c.server_revision)
    ).scalar_one_or_none()
    if found is None:  # row-level security: not the caller's to write
        raise Refusal(f"Commentary {held.id} is not this laptop's person's to change; {NOTHING}")
    return Result(change.change_id, outcome, found)


HANDLERS: dict[str, Handler] = {
    "improvement_plan": _plan,
    "moderation_sample": _sample,
    "moderation": _moderation,
    "board_commentary": _commentary,
}
