"""What a signed record shows is kept and hashed: the wording at signing, each signature's
and addendum's own hash, and the digital signature of the laptop where each was made.

Records signed before this version get their wording (names, standard titles, level labels)
and their signatures' and addenda's own hashes from what the store holds at upgrade: the
freeze protects them from this version on. The own-hash formula is frozen here; it is part
of the store's format, the same as `observer.records.seals`.

From this version on every signature and addendum must be recorded in the audit trail by an
event carrying its own hash. Those made before it were recorded without one, so the upgrade
appends, for each, an event ("kept_signature", "kept_addendum") carrying the own hash it was
given here, chained like any other event (the event-hash formula is frozen here too, as in
0004). A sign-off typed into the store afterwards has no such event, and no way to get one
short of rewriting the chain.

Only columns are added (no table is rebuilt), so the search triggers of 0007 stay.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_observations = sa.table(
    "observations",
    sa.column("id", sa.Uuid()),
    sa.column("framework_id", sa.Uuid()),
    sa.column("observed_person_id", sa.Uuid()),
    sa.column("observer_id", sa.Uuid()),
    sa.column("shown_at_signing", sa.JSON()),
    sa.column("wording_at_signing", sa.JSON()),
)
_people = sa.table("people", sa.column("id", sa.Uuid()), sa.column("name", sa.String()))
_actions = sa.table(
    "actions",
    sa.column("id", sa.Uuid()),
    sa.column("observation_id", sa.Uuid()),
    sa.column("owner_id", sa.Uuid()),
)
_frameworks = sa.table(
    "frameworks",
    sa.column("id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("version", sa.Integer()),
    sa.column("content_hash", sa.String()),
)
_standards = sa.table(
    "standards",
    sa.column("framework_id", sa.Uuid()),
    sa.column("code", sa.String()),
    sa.column("title", sa.String()),
)
_levels = sa.table(
    "rating_levels",
    sa.column("framework_id", sa.Uuid()),
    sa.column("code", sa.String()),
    sa.column("label", sa.String()),
)
_signatures = sa.table(
    "signatures",
    sa.column("id", sa.Uuid()),
    sa.column("observation_id", sa.Uuid()),
    sa.column("role", sa.String()),
    sa.column("name", sa.String()),
    sa.column("image_png", sa.LargeBinary()),
    sa.column("signed_at", sa.DateTime()),
    sa.column("comment", sa.Text()),
    sa.column("content_hash", sa.String()),
    sa.column("own_hash", sa.String()),
)
_events = sa.table(
    "audit_events",
    sa.column("id", sa.Uuid()),
    sa.column("occurred_at", sa.DateTime()),
    sa.column("created_at", sa.DateTime()),
    sa.column("updated_at", sa.DateTime()),
    sa.column("revision", sa.Integer()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("record_type", sa.String()),
    sa.column("record_id", sa.Uuid()),
    sa.column("content_hash", sa.String()),
    sa.column("sequence", sa.Integer()),
    sa.column("detail", sa.Text()),
    sa.column("previous_hash", sa.String()),
    sa.column("event_hash", sa.String()),
)
_settings = sa.table(
    "settings",
    sa.column("key", sa.String()),
    sa.column("value", sa.JSON()),
    sa.column("updated_at", sa.DateTime()),
)
HEAD_SETTING = "audit.head"
UPGRADE_ACTOR = "upgrade to schema 0008"
_addenda = sa.table(
    "addenda",
    sa.column("id", sa.Uuid()),
    sa.column("observation_id", sa.Uuid()),
    sa.column("text", sa.Text()),
    sa.column("author_name", sa.String()),
    sa.column("image_png", sa.LargeBinary()),
    sa.column("signed_at", sa.DateTime()),
    sa.column("content_hash", sa.String()),
    sa.column("own_hash", sa.String()),
)


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _sha256(value: Any) -> str:
    return hashlib.sha256(_canonical(value)).hexdigest()


def _moment(when: datetime) -> str:
    return when.replace(tzinfo=UTC).isoformat(timespec="microseconds")


def _image(png: bytes | None) -> str | None:
    return None if png is None else hashlib.sha256(png).hexdigest()


def _signature_hash(row: Any, wording_sha256: str) -> str:
    return _sha256(
        {
            "kind": "signature",
            "id": str(row.id),
            "role": row.role,
            "name": row.name,
            "signed_at": _moment(row.signed_at),
            "comment": row.comment,
            "image_sha256": _image(row.image_png),
            "content_hash": row.content_hash,
            "wording_sha256": wording_sha256,
        }
    )


def _addendum_hash(row: Any, wording_sha256: str) -> str:
    return _sha256(
        {
            "kind": "addendum",
            "id": str(row.id),
            "text": row.text,
            "author_name": row.author_name,
            "signed_at": _moment(row.signed_at),
            "image_sha256": _image(row.image_png),
            "content_hash": row.content_hash,
            "wording_sha256": wording_sha256,
        }
    )


def _event_hash(
    *,
    sequence: int,
    event_id: uuid.UUID,
    occurred_at: datetime,
    actor: str,
    action: str,
    record_type: str,
    record_id: uuid.UUID | None,
    content_hash: str,
    detail: str,
    previous_hash: str,
) -> str:
    fields = [
        sequence,
        str(event_id),
        occurred_at.replace(tzinfo=UTC).isoformat(timespec="microseconds"),
        actor,
        action,
        record_type,
        None if record_id is None else str(record_id),
        content_hash,
        detail,
        previous_hash,
    ]
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def upgrade() -> None:
    op.add_column("observations", sa.Column("wording_at_signing", sa.JSON(), nullable=True))
    for table in ("signatures", "addenda"):
        op.add_column(
            table, sa.Column("own_hash", sa.String(64), nullable=False, server_default="")
        )
        op.add_column(table, sa.Column("certificate", sa.LargeBinary(), nullable=True))
        op.add_column(table, sa.Column("digital_signature", sa.LargeBinary(), nullable=True))
    _keep_what_signed_records_show()


def _keep_what_signed_records_show() -> None:
    bind = op.get_bind()
    signatures: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in bind.execute(sa.select(_signatures)):
        signatures[row.observation_id].append(row)
    addenda: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in bind.execute(sa.select(_addenda)):
        addenda[row.observation_id].append(row)
    signed = set(signatures) | set(addenda)
    if not signed:
        return
    kept: list[tuple[str, uuid.UUID, str, str]] = []
    names = {row.id: row.name for row in bind.execute(sa.select(_people))}
    frameworks = {row.id: row for row in bind.execute(sa.select(_frameworks))}
    titles: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    for row in bind.execute(sa.select(_standards)):
        titles[row.framework_id][row.code] = row.title
    labels: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    for row in bind.execute(sa.select(_levels)):
        labels[row.framework_id][row.code] = row.label
    owners: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    for row in bind.execute(sa.select(_actions).where(_actions.c.owner_id.is_not(None))):
        owners[row.observation_id][str(row.id)] = names.get(row.owner_id, "")
    for o in bind.execute(sa.select(_observations)):
        if o.id not in signed:
            continue
        framework = frameworks[o.framework_id]
        shown = o.shown_at_signing or {
            "observed_person": names.get(o.observed_person_id, ""),
            "observer": names.get(o.observer_id, ""),
            "action_owners": owners[o.id],
            "framework": {
                "name": framework.name,
                "version": framework.version,
                "content_hash": framework.content_hash,
            },
        }
        wording = {
            **shown,
            "standards": titles[o.framework_id],
            "levels": labels[o.framework_id],
        }
        wording_sha256 = _sha256(wording)
        bind.execute(
            sa.update(_observations)
            .where(_observations.c.id == o.id)
            .values(wording_at_signing=wording)
        )
        for sig in signatures[o.id]:
            own = _signature_hash(sig, wording_sha256)
            bind.execute(
                sa.update(_signatures).where(_signatures.c.id == sig.id).values(own_hash=own)
            )
            kept.append(("kept_signature", o.id, sig.content_hash, f"signature {own}"))
        for ad in addenda[o.id]:
            own = _addendum_hash(ad, wording_sha256)
            bind.execute(sa.update(_addenda).where(_addenda.c.id == ad.id).values(own_hash=own))
            kept.append(("kept_addendum", o.id, ad.content_hash, f"addendum {own}"))
    _record_kept(bind, kept)


def _record_kept(bind: Any, kept: list[tuple[str, uuid.UUID, str, str]]) -> None:
    """Appends one chained event for each signature and addendum kept, as
    `observer.governance.audit.record_events` would, and moves the head on."""
    if not kept:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    head = bind.execute(
        sa.select(_settings.c.value).where(_settings.c.key == HEAD_SETTING)
    ).scalar_one_or_none()
    previous = str(head["hash"]) if isinstance(head, dict) and "hash" in head else ""
    sequence = bind.execute(sa.select(sa.func.max(_events.c.sequence))).scalar() or 0
    rows = []
    for action, record_id, content_hash, detail in kept:
        sequence += 1
        event_id = uuid.uuid4()
        digest = _event_hash(
            sequence=sequence,
            event_id=event_id,
            occurred_at=now,
            actor=UPGRADE_ACTOR,
            action=action,
            record_type="observation",
            record_id=record_id,
            content_hash=content_hash,
            detail=detail,
            previous_hash=previous,
        )
        rows.append(
            {
                "id": event_id,
                "occurred_at": now,
                "created_at": now,
                "updated_at": now,
                "revision": 1,
                "actor": UPGRADE_ACTOR,
                "action": action,
                "record_type": "observation",
                "record_id": record_id,
                "content_hash": content_hash,
                "sequence": sequence,
                "detail": detail,
                "previous_hash": previous,
                "event_hash": digest,
            }
        )
        previous = digest
    bind.execute(sa.insert(_events), rows)
    bind.execute(sa.delete(_settings).where(_settings.c.key == HEAD_SETTING))
    bind.execute(
        sa.insert(_settings).values(
            key=HEAD_SETTING, value={"sequence": sequence, "hash": previous}, updated_at=now
        )
    )


def downgrade() -> None:
    for table in ("addenda", "signatures"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("digital_signature")
            batch_op.drop_column("certificate")
            batch_op.drop_column("own_hash")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("wording_at_signing")
