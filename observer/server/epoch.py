"""The change feed's epoch: what keeps laptops' cursors right across a restore.

A cursor names the transaction and revision a laptop has read up to, and the epoch it was
given in. A database restored from a dump, into another PostgreSQL cluster or the same
one, is not where its last epoch began (`observer_cluster_identity()`, server migration 0007):
the transaction ids its rows carry belong to another counter, or to a past that laptops'
cursors have already passed. `migrate` sees that and starts a new epoch here, in its own
transaction:

- the revision sequence jumps far ahead, so no revision handed out after the dump (and
  lost with it) is ever given again: a laptop's change based on one is merged against
  the copy it sends, never mistaken for the server's;
- every row the feed reads is restamped with this transaction (and a new revision), so
  the restored rows sort before any written from now on and none sits above the xmin;
- a new random epoch is stored with where the database now is.

A cursor of another epoch is refused with 409 `cursor_epoch` (observer/server/app.py): the
laptop pulls again from the beginning, which is safe, because a pulled record is merged.

A restore the server cannot tell apart (a virtual machine's snapshot rolled back, a
physical backup or a point-in-time recovery keep every identity) is declared with
`observer-server migrate --restored`, which starts a new epoch the same way.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, text

# The tables whose rows the pull feed orders by (written_xid, server_revision): feed.py's,
# and conflicts, which the pull page carries too. Parts of an observation (ratings,
# actions, signatures, addenda) travel inside it, and the audit trail is not in the feed;
# signatures, addenda and audit events could not be restamped anyway (append-only).
RESTAMPED = (
    "teams",
    "people",
    "frameworks",
    "standards",
    "rating_levels",
    "observations",
    "tombstones",
    "conflicts",
    # Issue 17's (server migration 0016): their append-only triggers let the stamps change.
    "improvement_plans",
    "moderation_samples",
    "moderations",
    "board_commentaries",
)
# Far beyond the revisions any server hands out between two backups.
REVISION_GAP = 2**40
EPOCH_LIMIT = 2**40

FIRST = "first"
RESTORED = "restored"
DECLARED = "declared restored"


@dataclass(frozen=True)
class EpochStarted:
    epoch: int
    reason: str
    restamped: int


def check(conn: Connection, declared_restored: bool = False) -> EpochStarted | None:
    """Starts a new epoch when the database is not where its epoch began (or has none),
    or when a restore is declared; otherwise changes nothing. Run as the tables' owner."""
    stored = conn.execute(text("SELECT cluster_identity FROM server_epoch")).scalar_one_or_none()
    here = conn.execute(text("SELECT observer_cluster_identity()")).scalar_one()
    if stored is None:
        return start(conn, FIRST)
    if declared_restored:
        return start(conn, DECLARED)
    if stored != here:
        return start(conn, RESTORED)
    return None


def start(conn: Connection, reason: str) -> EpochStarted:
    if reason != FIRST:
        conn.execute(
            text("SELECT setval('server_revision_seq', nextval('server_revision_seq') + :gap)"),
            {"gap": REVISION_GAP},
        )
    restamped = 0
    for table in RESTAMPED:
        # The stamp trigger gives each updated row this transaction and a new revision.
        restamped += conn.execute(text(f"UPDATE {table} SET server_revision = 0")).rowcount
    epoch = secrets.randbelow(EPOCH_LIMIT - 1) + 1
    conn.execute(
        text(
            "INSERT INTO server_epoch (id, epoch, cluster_identity, reason) "
            "VALUES (1, :epoch, observer_cluster_identity(), :reason) "
            "ON CONFLICT (id) DO UPDATE SET epoch = EXCLUDED.epoch, "
            "cluster_identity = EXCLUDED.cluster_identity, started_at = now(), "
            "reason = EXCLUDED.reason"
        ),
        {"epoch": epoch, "reason": reason},
    )
    return EpochStarted(epoch, reason, restamped)


def current(conn: Connection) -> int | None:
    """The epoch the service serves, or None when the database was restored (or moved)
    and migrate has not yet started a new epoch. Readable by the service's role."""
    found: int | None = conn.execute(text("SELECT observer_epoch()")).scalar_one()
    return found
