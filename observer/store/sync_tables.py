"""The laptop's side of the team server, kept in the encrypted store (migration 0013):
its enrolment and progress (`sync_state`), what it last knew of each record on the server
(`sync_records`), the outbox of changes to push (`sync_outbox`), and when each laptop
the server lets this one see last synced (`sync_laptops`, migration 0014).

Plain tables on the models' metadata (so schema comparisons see them), with no ORM
class: nothing but observer.sync and the outbox hook (observer/store/outbox.py) reads or
writes them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from observer.store.ids import Id
from observer.store.models import Base, UTCDateTime

metadata = Base.metadata

# One row a setting: the server's address, the laptop's id and device token, the pull
# cursor, the audit head the server acknowledged, the last successful sync, and the user's
# scope as the server last said it (their server role and the ids of their teams).
sync_state = sa.Table(
    "sync_state",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.JSON(), nullable=False),
)

# Each record's revision on the server as this laptop last knew it, and (for an
# observation) the content hash of that copy among its shared states (shared_states).
sync_records = sa.Table(
    "sync_records",
    metadata,
    sa.Column("record_type", sa.String(20), primary_key=True),
    sa.Column("record_id", Id(), primary_key=True),
    sa.Column("server_revision", sa.BigInteger(), nullable=False),
    sa.Column("base", sa.JSON(), nullable=True),
)

# The keys of sync_state that more than observer.sync reads (observer/people/scope.py).
SERVER_KEY, PERSON_KEY, ROLE_KEY, TEAMS_KEY = "server", "person_id", "role", "teams"
JOINED_KEY = "laptop_id"  # set once the laptop has joined a server

PENDING, SENT, REFUSED = "pending", "sent", "refused"

sync_outbox = sa.Table(
    "sync_outbox",
    metadata,
    sa.Column("change_id", Id(), primary_key=True),
    sa.Column("record_type", sa.String(20), nullable=False),
    sa.Column("record_id", Id(), nullable=False),
    sa.Column("operations", sa.JSON(), nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    # Exactly what was sent, so that a retry sends the same change.
    sa.Column("payload", sa.JSON(), nullable=True),
    sa.Column("message", sa.Text(), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index(
        "ux_sync_outbox_pending",
        "record_type",
        "record_id",
        unique=True,
        sqlite_where=sa.text("state = 'pending'"),
    ),
    sa.Index("ix_sync_outbox_state", "state"),
)

# The laptops the server let this one see at its last pull (protocol v2), whole: each pull
# that carries them replaces them all. The person is an id of `people`, not a reference:
# a laptop may belong to someone this store holds no row of.
sync_laptops = sa.Table(
    "sync_laptops",
    metadata,
    sa.Column("laptop_id", Id(), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("person_id", Id(), nullable=False),
    sa.Column("last_synced_at", UTCDateTime(), nullable=True),
)


def joined_server(s: Session) -> str | None:
    """The address of the team server this store has joined; None before it joins one."""
    try:
        rows = s.execute(
            sa.select(sync_state.c.key, sync_state.c.value).where(
                sync_state.c.key.in_([JOINED_KEY, SERVER_KEY])
            )
        )
        found = {row.key: row.value for row in rows}
    except OperationalError:  # a store not yet upgraded to 0013
        return None
    return str(found.get(SERVER_KEY) or "") if JOINED_KEY in found else None
