"""Issue 17's records in a page of the feed, in the shape a bundle carries them
(observer/bundle/quality.py), so that a laptop applies them as it imports a bundle: the
improvement plan's versions, moderation samples with the observations they chose, each
moderation with its ratings (by code) and the notes raising it, and the Board's
commentaries. Row-level security decides which the caller gets (server migration 0016).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from observer.server import schema

# Each kind of the feed, and the table whose rows stand for it.
KINDS = {
    "improvement_plans": schema.improvement_plans,
    "moderation_samples": schema.moderation_samples,
    "moderations": schema.moderations,
    "board_commentaries": schema.board_commentaries,
}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _ref(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def _b64(value: Any) -> str | None:
    import base64

    return None if value is None else base64.b64encode(bytes(value)).decode("ascii")


def _fields(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "revision": row.revision,
        "server_revision": row.server_revision,
    }


def parts(conn: Connection, wanted: dict[str, list[uuid.UUID]]) -> dict[str, list[Any]]:
    """The page's records of these kinds, by kind (those with none are left out)."""
    found: dict[str, list[Any]] = {}
    for kind, make in (
        ("improvement_plans", plans),
        ("moderation_samples", samples),
        ("moderations", moderations),
        ("board_commentaries", commentaries),
    ):
        ids = wanted.get(kind, [])
        if ids:
            found[kind] = make(conn, ids)
    return found


def _rows(conn: Connection, table: Any, ids: Sequence[uuid.UUID]) -> list[Any]:
    return list(
        conn.execute(select(table).where(table.c.id.in_(ids)).order_by(table.c.server_revision))
    )


def plans(conn: Connection, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    return [
        {
            **_fields(row),
            "version": row.version,
            "content_hash": row.content_hash,
            "definition": json.loads(row.definition),
        }
        for row in _rows(conn, schema.improvement_plans, ids)
    ]


def samples(conn: Connection, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    rows = _rows(conn, schema.moderation_samples, ids)
    i = schema.moderation_sample_items
    items: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for item in conn.execute(
        select(i).where(i.c.sample_id.in_([r.id for r in rows])).order_by(i.c.position)
    ):
        items.setdefault(item.sample_id, []).append(
            {
                "observation_id": str(item.observation_id),
                "observer_id": str(item.observer_id),
                "position": item.position,
            }
        )
    return [
        {
            **_fields(row),
            "period_from": _iso(row.period_from),
            "period_to": _iso(row.period_to),
            "percent": row.percent,
            "seed": row.seed,
            "drawn_by": row.drawn_by,
            "drawn_at": _iso(row.drawn_at),
            "supersedes_id": _ref(row.supersedes_id),
            "reason": row.reason,
            "content_hash": row.content_hash,
            "observations": items.get(row.id, []),
        }
        for row in rows
    ]


def moderations(conn: Connection, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    rows = _rows(conn, schema.moderations, ids)
    if not rows:
        return []
    framework_ids = sorted({row.framework_id for row in rows})
    f = schema.frameworks
    query = select(f.c.id, f.c.key, f.c.version).where(f.c.id.in_(framework_ids))
    frameworks = {row.id: {"key": row.key, "version": row.version} for row in conn.execute(query)}
    codes: dict[uuid.UUID, str] = {}
    for table in (schema.standards, schema.rating_levels):
        for row in conn.execute(
            select(table.c.id, table.c.code).where(table.c.framework_id.in_(framework_ids))
        ):
            codes[row.id] = row.code
    moderation_ids = [row.id for row in rows]
    r, n = schema.moderation_ratings, schema.moderation_notes
    ratings: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for rating in conn.execute(select(r).where(r.c.moderation_id.in_(moderation_ids))):
        ratings.setdefault(rating.moderation_id, []).append(
            {
                "standard": codes[rating.standard_id],
                "level": None if rating.level_id is None else codes[rating.level_id],
            }
        )
    notes: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for note in conn.execute(
        select(n).where(n.c.moderation_id.in_(moderation_ids)).order_by(n.c.written_at)
    ):
        notes.setdefault(note.moderation_id, []).append(
            {
                "id": str(note.id),
                "created_at": _iso(note.created_at),
                "updated_at": _iso(note.updated_at),
                "revision": note.revision,
                "text": note.text,
                "author_name": note.author_name,
                "written_at": _iso(note.written_at),
                "content_hash": note.content_hash,
            }
        )
    return [
        {
            **_fields(row),
            "observation_id": str(row.observation_id),
            "sample_id": _ref(row.sample_id),
            "observation_hash": row.observation_hash,
            "framework": frameworks[row.framework_id],
            "moderator_id": str(row.moderator_id),
            "moderator_name": row.moderator_name,
            "ratings": sorted(ratings.get(row.id, []), key=lambda x: x["standard"]),
            "overall_level": None if row.overall_level_id is None else codes[row.overall_level_id],
            "comment": row.comment,
            "signed_at": _iso(row.signed_at),
            "content_hash": row.content_hash,
            "certificate": _b64(row.certificate),
            "digital_signature": _b64(row.digital_signature),
            "notes": notes.get(row.id, []),
        }
        for row in rows
    ]


def commentaries(conn: Connection, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    return [
        {
            **_fields(row),
            "period_first": _iso(row.period_first),
            "period_last": _iso(row.period_last),
            "scope": row.scope,
            "text": row.text,
            "written_by": row.written_by,
        }
        for row in _rows(conn, schema.board_commentaries, ids)
    ]
