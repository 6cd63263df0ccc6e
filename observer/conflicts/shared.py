"""The states of drafts this store shared (exported or imported), kept by content hash, so
that a copy arriving from elsewhere can name the state it was based on and the merge knows
which side changed what (docs/bundle-format.md, `based_on`).

Only drafts: a signed record's content is fixed, so it needs no base. A deleted draft
keeps the hashes of its states and loses their text: enough to tell a copy unchanged since
it was shared (it stays deleted) from one edited since (it comes back).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from observer.records.canonical import content_hash
from observer.store.models import SharedState, table_of, utc_now

# A bundle names at most this many states a record was based on, newest first.
MOST_STATES_NAMED = 10


def bundle_content_hash(document: Mapping[str, Any]) -> str:
    """The content hash of a record as a bundle writes it (what its signatures cover)."""
    return content_hash({k: v for k, v in document.items() if k != "based_on"})


def not_as_signed(record: Mapping[str, Any], digest: str) -> str | None:
    """Which signature or addendum of the record does not hold the content hash `digest`
    (e.g. "signatures[0]"), or None when all do."""
    for name in ("signatures", "addenda"):
        for position, entry in enumerate(record.get(name) or ()):
            if entry["content_hash"] != digest:
                return f"{name}[{position}]"
    return None


def shared_hash(document: Mapping[str, Any]) -> str:
    """The hash of a draft's state as a bundle writes it (without what it was based on):
    its content hash, which leaves out its status and its actions' progress, together with
    them; a copy marked ready or with an action done elsewhere is another state."""
    content = bundle_content_hash(document)
    progress = sorted(
        [str(a.get("id")), a.get("status"), str(a.get("done_at")), a.get("done_by")]
        for a in document.get("actions") or ()
    )
    state = json.dumps([content, document.get("status"), progress], ensure_ascii=False)
    return hashlib.sha256(state.encode()).hexdigest()


def is_draft(document: Mapping[str, Any]) -> bool:
    return not document.get("signatures")


def remember(s: Session, documents: Iterable[Mapping[str, Any]]) -> None:
    """Keeps each draft's state as shared now, unless this store already holds it; only the
    newest MOST_STATES_NAMED of a record are kept."""
    wanted = {(uuid.UUID(str(d["id"])), shared_hash(d)): d for d in documents if is_draft(d)}
    if not wanted:
        return
    ids = {record_id for record_id, _ in wanted}
    held = _held(s, ids)
    now = utc_now()
    for (record_id, digest), document in wanted.items():
        if digest in held.get(record_id, []):
            continue
        plain = {k: v for k, v in document.items() if k != "based_on"}
        s.add(
            SharedState(
                observation_id=record_id, content_hash=digest, document=plain, shared_at=now
            )
        )
        held.setdefault(record_id, []).insert(0, digest)
    s.flush()
    table = table_of(SharedState)
    for record_id, hashes in held.items():
        for digest in hashes[MOST_STATES_NAMED:]:
            s.execute(
                delete(table).where(
                    table.c.observation_id == record_id, table.c.content_hash == digest
                )
            )


def _held(s: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Each record's shared states, newest first."""
    held: dict[uuid.UUID, list[str]] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 500):
        rows = s.execute(
            select(SharedState.observation_id, SharedState.content_hash)
            .where(SharedState.observation_id.in_(wanted[start : start + 500]))
            .order_by(SharedState.shared_at.desc(), SharedState.content_hash)
        )
        for record_id, digest in rows:
            held.setdefault(record_id, []).append(digest)
    return held


def named_states(s: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """What a bundle says each record was based on: its shared states, newest first."""
    return {k: v[:MOST_STATES_NAMED] for k, v in _held(s, ids).items()}


def known(s: Session, record_id: uuid.UUID) -> bool:
    """Whether this store ever shared the record (so, if it is gone, it was deleted here)."""
    found = s.scalar(
        select(SharedState.content_hash).where(SharedState.observation_id == record_id).limit(1)
    )
    return found is not None


def base_of(
    s: Session, record_id: uuid.UUID, incoming: Mapping[str, Any], based_on: Iterable[str]
) -> tuple[dict[str, Any] | None, bool]:
    """The latest state both sides shared, as a bundle writes it, and whether the incoming
    copy is itself that state (unchanged since it was shared); (None, False) when unknown."""
    own = shared_hash(incoming)
    rows: dict[str, Any] = {
        row.content_hash: row.document
        for row in s.execute(
            select(SharedState.content_hash, SharedState.document).where(
                SharedState.observation_id == record_id
            )
        )
    }
    if own in rows:
        return dict(incoming), True
    for digest in based_on:
        document = rows.get(digest)
        if document is not None:
            return dict(document), False
    return None, False


def forget_text(s: Session, record_id: uuid.UUID) -> None:
    """A deleted draft's shared states keep their hashes, not their words."""
    table = table_of(SharedState)
    s.execute(update(table).where(table.c.observation_id == record_id).values(document=None))
